package io.streamssl.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job image's entrypoint, deploy/flink/libtorch-route.sh, run with bash in a directory laid out as in the
 * image: the Flink entrypoint it hands over to is a script beside it that records its environment and
 * arguments, FLINK_HOME a directory with lib/. Checks each GPU switch sets what DJL reads, and nothing for a
 * CPU user.
 */
class LibtorchRouteTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("..")
            .normalize();
    private static final List<String> DJL_SETTINGS = List.of("PYTORCH_LIBRARY_PATH", "PYTORCH_VERSION",
            "PYTORCH_FLAVOR", "DJL_OFFLINE");

    @TempDir
    Path dir;
    private Path flinkHome;

    @BeforeEach
    void layOut() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("streamssl"));
        Files.copy(ROOT.resolve("deploy/flink/libtorch-route.sh"), bin.resolve("libtorch-route.sh"));
        Files.writeString(bin.resolve("flink-docker-entrypoint.sh"),
                "#!/usr/bin/env bash\necho \"args=$*\"\nfor v in " + String.join(" ", DJL_SETTINGS)
                        + "; do [ -n \"${!v+x}\" ] && echo \"$v=${!v}\"; done\nexit 0\n");
        bin.resolve("flink-docker-entrypoint.sh").toFile().setExecutable(true);
        flinkHome = Files.createDirectories(dir.resolve("flink"));
        Files.createDirectories(flinkHome.resolve("lib"));
        Files.writeString(flinkHome.resolve("lib/pytorch-native-cpu-2.7.1-linux-x86_64.jar"), "");
        Files.writeString(flinkHome.resolve("lib/pytorch-engine-0.35.0.jar"), "");
    }

    @Test
    void withNeitherSwitchNothingChangesForACpuUser() throws Exception {
        Result r = run(Map.of());
        assertThat(r.exit).isZero();
        assertThat(r.env).doesNotContainKeys(DJL_SETTINGS.toArray(String[]::new));
        assertThat(r.env).containsEntry("args", "taskmanager -Dx=y");
        assertThat(flinkHome.resolve("lib/pytorch-native-cpu-2.7.1-linux-x86_64.jar")).exists();
    }

    @Test
    void anInstalledLibtorchIsWhatDjlLoadsOffline() throws Exception {
        Path torch = Files.createDirectories(dir.resolve("torch/lib"));
        Files.writeString(torch.resolve("libtorch.so"), "");
        Result r = run(Map.of("STREAMSSL_LIBTORCH", torch.toString()));
        assertThat(r.exit).isZero();
        assertThat(r.env).containsEntry("PYTORCH_LIBRARY_PATH", torch.toString())
                .containsEntry("PYTORCH_VERSION", "2.7.1").containsEntry("PYTORCH_FLAVOR", "cu128")
                .doesNotContainKey("DJL_OFFLINE");
        // PYTORCH_LIBRARY_PATH outranks the CPU jar: it stays for a later start without the switch
        assertThat(flinkHome.resolve("lib/pytorch-native-cpu-2.7.1-linux-x86_64.jar")).exists();
        assertThat(run(Map.of("STREAMSSL_LIBTORCH", torch.toString(), "STREAMSSL_LIBTORCH_FLAVOR", "cpu")).env)
                .containsEntry("PYTORCH_FLAVOR", "cpu");
    }

    @Test
    void theDownloadRouteGoesOnlineAndTakesTheCpuNativesOffTheClasspath() throws Exception {
        Result r = run(Map.of("STREAMSSL_GPU_DOWNLOAD", "1"));
        assertThat(r.exit).isZero();
        assertThat(r.env).containsEntry("DJL_OFFLINE", "false").containsEntry("PYTORCH_VERSION", "2.7.1")
                .containsEntry("PYTORCH_FLAVOR", "cu128").doesNotContainKey("PYTORCH_LIBRARY_PATH");
        assertThat(flinkHome.resolve("lib/pytorch-native-cpu-2.7.1-linux-x86_64.jar")).doesNotExist();
        assertThat(flinkHome.resolve("lib-cpu-natives/pytorch-native-cpu-2.7.1-linux-x86_64.jar")).exists();
        assertThat(flinkHome.resolve("lib/pytorch-engine-0.35.0.jar")).exists();
        assertThat(run(Map.of("STREAMSSL_GPU_DOWNLOAD", "0")).env).doesNotContainKey("DJL_OFFLINE");
    }

    @Test
    void wrongSwitchesStopTheContainerSayingWhatToFix() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Result missing = run(Map.of("STREAMSSL_LIBTORCH", empty.toString()));
        assertThat(missing.exit).isEqualTo(64);
        assertThat(missing.stderr).contains("STREAMSSL_LIBTORCH=" + empty).contains("no libtorch.so");
        assertThat(missing.env).doesNotContainKey("args");

        Result both = run(Map.of("STREAMSSL_LIBTORCH", empty.toString(), "STREAMSSL_GPU_DOWNLOAD", "1"));
        assertThat(both.exit).isEqualTo(64);
        assertThat(both.stderr).contains("both set");

        Result yes = run(Map.of("STREAMSSL_GPU_DOWNLOAD", "yes"));
        assertThat(yes.exit).isEqualTo(64);
        assertThat(yes.stderr).contains("STREAMSSL_GPU_DOWNLOAD=yes").contains("1 lets DJL download");
    }

    private record Result(int exit, Map<String, String> env, String stderr) {}

    private Result run(Map<String, String> switches) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", dir.resolve("streamssl/libtorch-route.sh").toString(),
                "taskmanager", "-Dx=y");
        pb.environment().keySet().removeIf(k -> k.startsWith("STREAMSSL_") || DJL_SETTINGS.contains(k));
        pb.environment().put("FLINK_HOME", flinkHome.toString());
        pb.environment().putAll(switches);
        Process p = pb.start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("libtorch-route.sh ends").isTrue();
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            String[] kv = line.split("=", 2);
            if (kv.length == 2) {
                env.put(kv[0], kv[1]);
            }
        }
        return new Result(p.exitValue(), env, new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
