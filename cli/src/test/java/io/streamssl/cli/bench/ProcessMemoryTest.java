package io.streamssl.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessMemoryTest {

    @Test
    void vmRssIsReadInBytes() {
        assertThat(ProcessMemory.parseVmRss("Name:\tjava\nVmPeak:\t  999 kB\nVmRSS:\t  123456 kB\nThreads: 4\n"))
                .isEqualTo(123456L * 1024);
        assertThat(ProcessMemory.parseVmRss("Name:\tjava\n")).isEqualTo(-1);
    }

    @Test
    void thisProcessHasAHeapAndOnLinuxAResidentSet() {
        ProcessMemory m = ProcessMemory.now();
        assertThat(m.heapUsedBytes()).isPositive();
        if (Files.exists(Path.of("/proc/self/status"))) {
            assertThat(m.rssBytes()).isGreaterThan(m.heapAfterGcBytes());
        }
    }

    @Test
    void directorySizeSumsRegularFilesAndAMissingDirectoryIsEmpty(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("a"), new byte[1000]);
        Files.createDirectories(dir.resolve("sub/deeper"));
        Files.write(dir.resolve("sub/deeper/b"), new byte[24]);
        assertThat(DirectorySize.of(dir)).isEqualTo(1024);
        assertThat(DirectorySize.of(dir.resolve("absent"))).isZero();
    }
}
