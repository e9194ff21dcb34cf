package io.streamssl.cli.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How doctor tells the route and flavour from what DJL's LibUtils loaded. */
class EngineFactsTest {

    @TempDir
    Path dir;

    @Test
    void theFlavourIsInTheEngineCacheDirectoryName() {
        assertThat(EngineFacts.cacheFlavour("2.7.1-20250812-cpu-linux-x86_64")).isEqualTo("cpu"); // from the jar
        assertThat(EngineFacts.cacheFlavour("2.7.1-cu128-linux-x86_64")).isEqualTo("cu128"); // downloaded
        assertThat(EngineFacts.cacheFlavour("2.7.1-cpu-precxx11-linux-aarch64")).isEqualTo("cpu-precxx11");
        assertThat(EngineFacts.cacheFlavour("torch-lib")).startsWith("unknown");
    }

    @Test
    void theOverrideDirectoryIsTheFirstEntryHoldingLibtorch() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path lib = Files.createDirectories(dir.resolve("torch/lib"));
        Path so = Files.createFile(lib.resolve(System.mapLibraryName("torch")));
        assertThat(EngineFacts.overrideDirectory(empty + File.pathSeparator + lib)).isEqualTo(lib);
        assertThat(EngineFacts.overrideDirectory(so.toString())).isEqualTo(lib);
        assertThat(EngineFacts.overrideDirectory(empty.toString())).isNull();
        assertThat(EngineFacts.overrideDirectory("")).isNull();
    }

    @Test
    void theRouteFollowsLibUtilsOrder() {
        Properties cpuJar = new Properties();
        cpuJar.setProperty("version", "2.7.1-20250812");
        cpuJar.setProperty("flavor", "cpu");
        cpuJar.setProperty("classifier", "linux-x86_64");
        Path override = dir.resolve("torch/lib");
        Path fromJar = dir.resolve("pytorch/2.7.1-20250812-cpu-linux-x86_64");
        Path downloaded = dir.resolve("pytorch/2.7.1-cu128-linux-x86_64");
        assertThat(EngineFacts.route(override, override, List.of(cpuJar))).isEqualTo(LibtorchRoute.OVERRIDE_PATH);
        assertThat(EngineFacts.route(fromJar, null, List.of(cpuJar))).isEqualTo(LibtorchRoute.CLASSPATH_JAR);
        assertThat(EngineFacts.route(fromJar, override, List.of(cpuJar))).isEqualTo(LibtorchRoute.CLASSPATH_JAR);
        assertThat(EngineFacts.route(downloaded, null, List.of())).isEqualTo(LibtorchRoute.DOWNLOAD_CACHE);
        assertThat(EngineFacts.route(downloaded, null, List.of(cpuJar))).isEqualTo(LibtorchRoute.DOWNLOAD_CACHE);
    }
}
