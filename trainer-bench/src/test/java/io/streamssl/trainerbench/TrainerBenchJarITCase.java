package io.streamssl.trainerbench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The packaged benchmark jar is what its promise says: small, no Flink, no libtorch inside, and it trains with
 * nothing but {@code java -jar} and a libtorch DJL can find (here: the CPU libtorch the build has unpacked, by
 * {@code PYTORCH_LIBRARY_PATH}).
 */
class TrainerBenchJarITCase {

    static final Path JAR = Path.of(System.getProperty("trainer.bench.jar", "target/trainer-bench.jar"));
    static final long MAX_BYTES = 20L * 1024 * 1024;

    @Test
    void jarIsSmallWithoutFlinkOrLibtorch() throws IOException {
        assertThat(Files.size(JAR)).as("jar size").isLessThan(MAX_BYTES);
        try (JarFile jar = new JarFile(JAR.toFile())) {
            List<String> names = jar.stream().map(e -> e.getName()).collect(Collectors.toList());
            assertThat(names).contains("io/streamssl/models/SslTrainer.class",
                    "io/streamssl/trainerbench/TrainerBench.class", "ai/djl/pytorch/engine/PtEngine.class",
                    "ai/djl/pytorch/jni/JniUtils.class");
            assertThat(names).noneMatch(n -> n.startsWith("org/apache/flink/"));
            assertThat(names).noneMatch(n -> n.startsWith("org/apache/kafka/"));
            // libtorch and CUDA come from the machine; the only natives are DJL's JNI bridge (pytorch-jni's jnilib/,
            // which DJL extracts next to the libtorch it loads) and JNA's dispatch stub (DJL counts GPUs through it)
            List<String> natives = names.stream().filter(n -> n.matches(".*\\.(so(\\.\\d+)*|dll|dylib|jnilib)$"))
                    .collect(Collectors.toList());
            assertThat(natives).noneMatch(n -> n.matches(".*/(lib)?(torch|c10|cuda|cudnn|cublas|nvrtc|gomp|mkl).*"));
            assertThat(natives).allMatch(n -> n.startsWith("jnilib/") && n.contains("djl_torch")
                    || n.startsWith("com/sun/jna/"), "DJL's JNI bridge or JNA only");
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("io.streamssl.trainerbench.TrainerBench");
        }
    }

    @Test
    void trainsWithOnlyJavaAndTheJar() throws Exception {
        Path libtorch = cpuLibtorch();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dai.djl.offline=true", "-DENGINE_CACHE_DIR=" + Files.createTempDirectory("djl-cache"),
                "-jar", JAR.toString(), "--device", "cpu", "--method", "byol", "--batch", "8", "--width", "8",
                "--steps", "2", "--warmup", "1"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PYTORCH_LIBRARY_PATH", libtorch.toString());
        pb.environment().put("PYTORCH_VERSION", "2.7.1");
        pb.environment().put("PYTORCH_FLAVOR", "cpu");
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("libtorch 2.7.1").contains("samples/s").containsPattern(
                "native calls per step: \\d+ \\(input \\d+, forward\\+backward \\d+, optimizer \\d+");
    }

    /** The CPU libtorch the build unpacked into DJL's engine cache. */
    private static Path cpuLibtorch() throws IOException {
        Path root = Path.of(System.getProperty("djl.engine.cache"), "pytorch");
        try (var dirs = Files.list(root)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("2.7.1-")
                    && d.getFileName().toString().contains("cpu") && Files.exists(d.resolve("libtorch_cpu.so")))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no CPU libtorch 2.7.1 under " + root
                            + ": run the models tests once (they unpack it)"));
        }
    }
}
