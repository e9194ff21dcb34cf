package io.streamssl.models;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** Parses the device names users write in config. */
public final class Devices {

    private Devices() {}

    /**
     * {@code cpu}; {@code gpu} (the first GPU); {@code gpu:N}; {@code auto}: a GPU when DJL sees one, else the CPU.
     */
    public static Device parse(String name) {
        String n = name.trim().toLowerCase(java.util.Locale.ROOT);
        if (n.equals("auto")) {
            return Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
        }
        if (n.equals("cpu")) {
            return Device.cpu();
        }
        if (n.equals("gpu")) {
            return requireGpu(name, 0);
        }
        if (n.startsWith("gpu:")) {
            try {
                return requireGpu(name, Integer.parseInt(n.substring(4)));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("unknown device '" + name + "': allowed are auto, cpu, gpu, gpu:N");
    }

    /** GPU {@code id}, or the {@link GpuRequirement} text naming what to install or set when there is none. */
    private static Device requireGpu(String name, int id) {
        GpuRequirement.check(name);
        return Device.gpu(id);
    }
}
