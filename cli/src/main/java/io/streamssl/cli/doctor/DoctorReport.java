package io.streamssl.cli.doctor;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/** Prints {@link EngineFacts} as {@code streamssl doctor} shows them: one fact a line, label first. */
public final class DoctorReport {

    private DoctorReport() {}

    public static void print(EngineFacts f, PrintWriter out) {
        line(out, "Java", f.java());
        line(out, "DJL", f.djlVersion() + " (pytorch-engine " + f.engineJarVersion() + ", bridge pytorch-jni "
                + f.jniVersion() + ")");
        if (f.engineError() != null) {
            line(out, "libtorch", "did not load: " + f.engineError());
        } else {
            line(out, "libtorch", f.libtorchVersion() + ", flavour " + f.flavour()
                    + (f.cudaBuildOnDisk() ? " (libtorch_cuda present)" : ""));
            line(out, "  loaded from", f.libtorchDir().toString());
            line(out, "  route", f.route().description());
        }
        line(out, "  engine cache", f.engineCacheDir() + " (DJL offline: " + (f.offline() ? "yes" : "no") + ")");
        if (f.engineError() == null) {
            line(out, "Threads", "intra-op " + f.intraOpThreads() + ", inter-op " + f.interOpThreads() + " ("
                    + f.processors() + " processors)");
        }
        out.println("Settings (environment, else system property):");
        for (Map.Entry<String, String> s : f.settings().entrySet()) {
            out.println("  " + s.getKey() + (s.getValue().isEmpty() ? " (unset)" : "=" + s.getValue()));
        }
        line(out, "CUDA", cuda(f));
        if (f.gpus().isEmpty()) {
            line(out, "GPUs", "none");
        }
        for (EngineFacts.Gpu g : f.gpus()) {
            line(out, "GPU " + g.id(), String.format(Locale.ROOT, "compute capability %s, memory %.1f GiB, %.1f GiB"
                    + " in use", g.computeCapability(), g.totalBytes() / 1073741824.0, g.usedBytes() / 1073741824.0));
        }
        for (String w : f.warnings()) {
            out.println("warning: " + w);
        }
    }

    private static String cuda(EngineFacts f) {
        String runtime = f.cudaGpus() > 0 ? "runtime " + f.cudaRuntime() + ", " + f.cudaGpus() + " GPU(s)"
                : "the CUDA runtime sees no GPU";
        if (f.engineError() != null) {
            return "not available to the engine (it did not load); " + runtime;
        }
        String engine = f.engineCuda() ? "the engine is a CUDA build and uses " + f.engineGpus() + " GPU(s)"
                : "the engine is a CPU build";
        return (f.engineGpus() > 0 ? "available: " : "not available: ") + runtime + "; " + engine;
    }

    private static void line(PrintWriter out, String label, String value) {
        out.printf(Locale.ROOT, "%-16s %s%n", label, value);
    }
}
