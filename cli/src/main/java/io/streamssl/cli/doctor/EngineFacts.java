package io.streamssl.cli.doctor;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.Platform;
import ai.djl.util.Utils;
import ai.djl.util.cuda.CudaUtils;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.MemoryUsage;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What this JVM's deep-learning stack is, as {@code streamssl doctor} prints it: Java, DJL, the PyTorch engine and
 * the libtorch it loaded (where from, which flavour, by which route), its threads, the settings that steer it, and
 * the GPUs that the CUDA runtime and the engine see. {@link #gather()} loads the engine; a libtorch that fails to
 * load is a fact too ({@link #engineError}).
 */
public record EngineFacts(
        String java,
        String djlVersion,
        String engineJarVersion,
        String engineError,
        String libtorchVersion,
        String jniVersion,
        Path libtorchDir,
        String flavour,
        LibtorchRoute route,
        boolean engineCuda,
        int engineGpus,
        int cudaGpus,
        String cudaRuntime,
        List<Gpu> gpus,
        int intraOpThreads,
        int interOpThreads,
        int processors,
        boolean offline,
        Path engineCacheDir,
        Map<String, String> settings,
        List<String> warnings) {

    /** One GPU as the CUDA runtime reports it. */
    public record Gpu(int id, String computeCapability, long totalBytes, long usedBytes) {}

    /** The environment variables and system properties that steer libtorch and DJL's choice of it. */
    static final List<String> SETTINGS = List.of("STREAMSSL_LIBTORCH", "STREAMSSL_LIBTORCH_FLAVOR",
            "STREAMSSL_GPU_DOWNLOAD", "PYTORCH_LIBRARY_PATH", "PYTORCH_VERSION", "PYTORCH_FLAVOR", "OMP_NUM_THREADS",
            "OMP_WAIT_POLICY", "MKL_NUM_THREADS", "ONEDNN_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY",
            "ai.djl.pytorch.num_threads", "ai.djl.pytorch.num_interop_threads", "CUDA_VISIBLE_DEVICES");

    /** {@code <version>-<flavour>-<os>-<arch>}: the engine cache's directory names (LibUtils). */
    private static final Pattern CACHE_DIR = Pattern.compile("(\\d+\\.\\d+\\.\\d+(?:-\\d+)?)-(.+)-([a-z]+-[a-z0-9_]+)");

    /** Loads the engine (if not yet) and reads everything off it. */
    public static EngineFacts gather() {
        String java = System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.home") + ")";
        Map<String, String> settings = new LinkedHashMap<>();
        for (String key : SETTINGS) {
            String v = Utils.getEnvOrSystemProperty(key);
            settings.put(key, v == null ? "" : v);
        }
        String engineError = null;
        Engine engine = null;
        try {
            engine = Engine.getEngine("PyTorch");
        } catch (RuntimeException | LinkageError e) {
            StringBuilder why = new StringBuilder(String.valueOf(e.getMessage()));
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                why.append(": ").append(c.getMessage());
            }
            engineError = why.toString();
        }
        int cudaGpus = CudaUtils.getGpuCount();
        String cudaRuntime = cudaGpus > 0 ? CudaUtils.getCudaVersionString() : null;
        List<Gpu> gpus = new ArrayList<>();
        for (int i = 0; i < cudaGpus; i++) {
            MemoryUsage m = CudaUtils.getGpuMemory(Device.gpu(i));
            gpus.add(new Gpu(i, CudaUtils.getComputeCapability(i), m.getMax(), m.getUsed()));
        }
        String jniVersion = readJniVersion();
        Path cache = Utils.getEngineCacheDir("pytorch");
        List<String> warnings = new ArrayList<>();
        if (engine == null) {
            return new EngineFacts(java, Engine.getDjlVersion(), readEngineJarVersion(), engineError, null, jniVersion,
                    null, null, null, false, 0, cudaGpus, cudaRuntime, gpus, 0, 0,
                    Runtime.getRuntime().availableProcessors(), Utils.isOfflineMode(), cache, settings, warnings);
        }
        Path dir = Path.of(LibUtils.getLibtorchPath()).toAbsolutePath().normalize();
        LibtorchRoute route = route(dir, overrideDirectory(settings.get("PYTORCH_LIBRARY_PATH")), nativeJars());
        String flavour = route == LibtorchRoute.OVERRIDE_PATH ? overrideFlavour(settings.get("PYTORCH_FLAVOR"))
                : cacheFlavour(dir.getFileName().toString());
        String override = settings.get("PYTORCH_LIBRARY_PATH");
        if (!override.isEmpty() && route != LibtorchRoute.OVERRIDE_PATH) {
            warnings.add("PYTORCH_LIBRARY_PATH=" + override + " holds no " + System.mapLibraryName("torch")
                    + ": DJL ignored it and used " + route.description());
        }
        if ("1".equals(settings.get("STREAMSSL_GPU_DOWNLOAD")) && route == LibtorchRoute.CLASSPATH_JAR) {
            warnings.add("STREAMSSL_GPU_DOWNLOAD=1, but the pytorch-native-cpu jar is on the classpath and DJL takes"
                    + " it before any download (LibUtils.findNativeLibrary): start through `./streamssl --gpu`, which"
                    + " leaves it out");
        }
        if (route != LibtorchRoute.CLASSPATH_JAR && !jniVersion.startsWith(engine.getVersion() + "-")) {
            warnings.add("libtorch " + engine.getVersion() + " is loaded, DJL's bridge is built for " + jniVersion
                    + ": set PYTORCH_VERSION to the installed libtorch's version, which must be "
                    + jniVersion.split("-")[0]);
        }
        return new EngineFacts(java, Engine.getDjlVersion(), readEngineJarVersion(), null, engine.getVersion(),
                jniVersion, dir, flavour, route, engine.hasCapability(StandardCapabilities.CUDA),
                engine.getGpuCount(), cudaGpus, cudaRuntime, gpus, JniUtils.getNumThreads(),
                JniUtils.getNumInteropThreads(), Runtime.getRuntime().availableProcessors(), Utils.isOfflineMode(),
                cache, settings, warnings);
    }

    /**
     * Which route produced {@code loaded}: the override directory when it is that one; else a native jar's when
     * the directory is named after one of {@code jars} ({@code version-flavour-classifier}); else a download.
     */
    static LibtorchRoute route(Path loaded, Path override, List<Properties> jars) {
        if (override != null && override.toAbsolutePath().normalize().equals(loaded)) {
            return LibtorchRoute.OVERRIDE_PATH;
        }
        String classifier = Platform.fromSystem("pytorch").getClassifier();
        for (Properties jar : jars) {
            String name = jar.getProperty("version") + "-" + jar.getProperty("flavor") + "-"
                    + jar.getProperty("classifier", classifier);
            if (loaded.getFileName().toString().equals(name)) {
                return LibtorchRoute.CLASSPATH_JAR;
            }
        }
        return LibtorchRoute.DOWNLOAD_CACHE;
    }

    /**
     * The directory DJL takes from {@code PYTORCH_LIBRARY_PATH}: its first entry that is libtorch.so or holds it
     * (LibUtils.findLibraryInPath); null if none.
     */
    static Path overrideDirectory(String libraryPath) {
        if (libraryPath == null || libraryPath.isEmpty()) {
            return null;
        }
        String lib = System.mapLibraryName("torch");
        for (String entry : libraryPath.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isRegularFile(p) && p.getFileName().toString().equals(lib)) {
                return p.toAbsolutePath().getParent();
            }
            if (Files.isRegularFile(p.resolve(lib))) {
                return p.toAbsolutePath();
            }
        }
        return null;
    }

    /** The flavour DJL assumes for an override directory: PYTORCH_FLAVOR, else its own guess (LibTorch(Path)). */
    static String overrideFlavour(String pytorchFlavor) {
        if (pytorchFlavor != null && !pytorchFlavor.isEmpty()) {
            return pytorchFlavor;
        }
        return (CudaUtils.getGpuCount() > 0 ? "cu" + CudaUtils.getCudaVersionString() : "cpu")
                + "-precxx11 (PYTORCH_FLAVOR unset: DJL's guess, for which the pytorch-jni jar has no bridge)";
    }

    /** The flavour in an engine cache directory's name, e.g. cpu in {@code 2.7.1-20250812-cpu-linux-x86_64}. */
    static String cacheFlavour(String directoryName) {
        Matcher m = CACHE_DIR.matcher(directoryName);
        return m.matches() ? m.group(2) : "unknown (directory " + directoryName + ")";
    }

    /** The {@code native/lib/pytorch.properties} of every pytorch-native jar on the classpath (Platform). */
    private static List<Properties> nativeJars() {
        List<Properties> jars = new ArrayList<>();
        try {
            Enumeration<URL> urls = EngineFacts.class.getClassLoader().getResources("native/lib/pytorch.properties");
            while (urls.hasMoreElements()) {
                Properties p = new Properties();
                try (InputStream in = urls.nextElement().openStream()) {
                    p.load(in);
                }
                if (p.getProperty("placeholder") == null) {
                    jars.add(p);
                }
            }
        } catch (IOException e) {
            // no jar readable: the route is then reported as a download
        }
        return jars;
    }

    /** {@code jni_version} of the pytorch-jni jar, e.g. {@code 2.7.1-0.35.0}: libtorch version and DJL version. */
    private static String readJniVersion() {
        try (InputStream in = EngineFacts.class.getClassLoader().getResourceAsStream("jnilib/pytorch.properties")) {
            if (in == null) {
                return "none (no pytorch-jni jar on the classpath)";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("jni_version", "unknown");
        } catch (IOException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
    }

    /** The pytorch-engine jar's version (its manifest's Specification-Version). */
    private static String readEngineJarVersion() {
        Package p = JniUtils.class.getPackage();
        String v = p == null ? null : p.getSpecificationVersion();
        return v == null ? "unknown" : v;
    }

    /** Whether libtorch's own files say it was built with CUDA (libtorch_cuda.so next to libtorch.so). */
    public boolean cudaBuildOnDisk() {
        return libtorchDir != null && Files.isRegularFile(libtorchDir.resolve(System.mapLibraryName("torch_cuda")));
    }
}
