package io.streamssl.models;

import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Properties;

/**
 * What {@code trainer.device=gpu} (or {@code gpu:N}) needs, and the one text that says what to install or set when
 * it is missing: the trainer's start ({@link Devices#parse}), the CLI's start checks and {@code streamssl doctor}
 * all print this text, so a user reads the same instructions wherever the missing GPU is found.
 */
public final class GpuRequirement {

    /** The launcher's switch for an installed libtorch (its {@code lib} directory). */
    public static final String LIBTORCH_SWITCH = "STREAMSSL_LIBTORCH";
    /** The launcher's flag that allows DJL's first-start download of CUDA libtorch. */
    public static final String DOWNLOAD_FLAG = "--gpu";
    /** The environment variable {@link #DOWNLOAD_FLAG} sets (for JVMs started without the launcher). */
    public static final String DOWNLOAD_SWITCH = "STREAMSSL_GPU_DOWNLOAD";
    /** The CUDA flavour of DJL's bridge in the pytorch-jni jar (jnilib/linux-x86_64/cu128). */
    public static final String CUDA_FLAVOR = "cu128";

    private GpuRequirement() {}

    /**
     * Empty when {@code device} (a {@code trainer.device} value) can run in this JVM; else what to install or set.
     * {@code auto} and {@code cpu} always can; {@code gpu} and {@code gpu:N} need GPU N visible to the engine.
     * Loads the engine.
     */
    public static Optional<String> unmet(String device) {
        int id = requestedGpu(device);
        if (id < 0) {
            return Optional.empty();
        }
        Engine engine = Engine.getInstance();
        int engineGpus = engine.getGpuCount();
        if (id < engineGpus) {
            return Optional.empty();
        }
        return Optional.of(message(device.trim(), id, engineGpus, CudaUtils.getGpuCount(),
                engine.hasCapability(StandardCapabilities.CUDA), engine.getEngineName() + " " + engine.getVersion(), libtorchDirectory()));
    }

    /**
     * Fails with the {@link #unmet} text when {@code device} cannot run in this JVM: where training runs here, call
     * it before anything reads data.
     */
    public static void check(String device) {
        unmet(device).ifPresent(m -> {
            throw new IllegalArgumentException(m);
        });
    }

    /**
     * The GPU index {@code device} asks for: 0 for {@code gpu}, N for {@code gpu:N}, -1 for {@code auto} and
     * {@code cpu} (and for anything else, which {@link Devices#parse} rejects).
     */
    static int requestedGpu(String device) {
        String n = device.trim().toLowerCase(java.util.Locale.ROOT);
        if (n.equals("gpu")) {
            return 0;
        }
        if (n.matches("gpu:\\d+")) {
            return Integer.parseInt(n.substring(4));
        }
        return -1;
    }

    /**
     * The text for {@code trainer.device=device} (GPU {@code id}) when the engine sees {@code engineGpus} GPUs and
     * the CUDA runtime (the driver's libcudart) {@code cudaGpus}; {@code engine}, {@code libtorchDir} and
     * {@code engineCuda} (its CUDA capability) say what was loaded.
     */
    static String message(String device, int id, int engineGpus, int cudaGpus, boolean engineCuda, String engine,
            String libtorchDir) {
        String version = libtorchVersion();
        StringBuilder m = new StringBuilder();
        m.append("trainer.device=").append(device).append(" asks for GPU ").append(id).append(", but ");
        String loaded = engine + " from " + libtorchDir + " (" + (engineCuda ? "a CUDA build" : "a CPU build") + ")";
        if (engineGpus > 0) {
            m.append("the engine sees only ").append(engineGpus).append(" GPU(s) (gpu:0 … gpu:").append(engineGpus - 1)
                    .append(").\n");
        } else if (cudaGpus > 0) {
            m.append("the CUDA runtime sees ").append(cudaGpus).append(" GPU(s) and the loaded libtorch does not use"
                    + " them: ").append(loaded).append(".\n");
        } else {
            m.append("there is no GPU here: the CUDA runtime sees none (no NVIDIA driver or libcudart found, or no"
                    + " device); loaded: ").append(loaded).append(".\n");
        }
        m.append("To train on a GPU (an NVIDIA driver for CUDA 12.8 is needed either way), pick one route, then check"
                        + " with `./streamssl doctor --set trainer.device=gpu`:\n")
                .append("  1. an installed libtorch ").append(version).append(" with CUDA, e.g. the torch/lib of `pip"
                        + " install torch==").append(version).append(" --index-url"
                        + " https://download.pytorch.org/whl/").append(CUDA_FLAVOR).append("`:\n")
                .append("       ").append(LIBTORCH_SWITCH).append("=/path/to/site-packages/torch/lib ./streamssl …\n")
                .append("     (a JVM started otherwise, e.g. a TaskManager: PYTORCH_LIBRARY_PATH=/path/to/torch/lib"
                        + " PYTORCH_VERSION=").append(version).append(" PYTORCH_FLAVOR=").append(CUDA_FLAVOR)
                .append(")\n")
                .append("  2. let DJL download CUDA libtorch ").append(version).append(" (").append(CUDA_FLAVOR)
                .append(") once into its engine cache on first start (needs internet then; over 1 GB):\n")
                .append("       ./streamssl ").append(DOWNLOAD_FLAG).append(" …   (sets ").append(DOWNLOAD_SWITCH)
                .append("=1)\n")
                .append("     (a JVM started otherwise: without the pytorch-native-cpu jar on its classpath,"
                        + " -Dai.djl.offline=false PYTORCH_VERSION=").append(version).append(" PYTORCH_FLAVOR=")
                .append(CUDA_FLAVOR).append(")\n")
                .append("Or train on the CPU: trainer.device=cpu (or auto, which takes a GPU only when there is one).");
        return m.toString();
    }

    /**
     * The libtorch version DJL's bridge in the pytorch-jni jar is built for ({@code jni_version} in its
     * {@code jnilib/pytorch.properties}, e.g. {@code 2.7.1-0.35.0}): the version an installed libtorch must have.
     */
    public static String libtorchVersion() {
        try (InputStream in = GpuRequirement.class.getClassLoader().getResourceAsStream("jnilib/pytorch.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String jni = p.getProperty("jni_version", "");
                int dash = jni.indexOf('-');
                if (dash > 0) {
                    return jni.substring(0, dash);
                }
            }
        } catch (IOException e) {
            // fall through to the engine's own version
        }
        return Engine.getInstance().getVersion();
    }

    private static String libtorchDirectory() {
        try {
            return ai.djl.pytorch.jni.LibUtils.getLibtorchPath();
        } catch (RuntimeException | LinkageError e) {
            return "(an engine other than PyTorch's LibUtils)";
        }
    }
}
