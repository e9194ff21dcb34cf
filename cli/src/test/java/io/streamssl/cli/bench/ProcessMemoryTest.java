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
    void nativeIsWhatTheResidentSetHoldsBeyondTheCommittedPools() {
        // 1000 MiB resident, 300 heap + 50 non-heap committed → 650 native
        ProcessMemory m = new ProcessMemory(120L << 20, 300L << 20, 50L << 20, 8L << 20, 1000L << 20);
        assertThat(m.nativeBytes()).isEqualTo(650L << 20);
        assertThat(new ProcessMemory(1, 2, 3, -1, -1).nativeBytes()).as("no procfs: unknown").isEqualTo(-1);
    }

    @Test
    void aForcedFullGcFreesGarbageAndTheSplitAddsUpToTheResidentSet() {
        ProcessMemory.afterFullGc();
        long live = ProcessMemory.now().heapAfterGcBytes();
        byte[][] garbage = new byte[64][];
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] = new byte[1 << 20];
        }
        long withGarbage = ProcessMemory.now().heapAfterGcBytes();
        assertThat(withGarbage).as("64 MiB allocated and reachable").isGreaterThan(live + (60L << 20));
        garbage = null;
        ProcessMemory m = ProcessMemory.afterFullGc();
        // the 64 MiB are gone; 32 MiB margin for what the test framework allocates meanwhile
        assertThat(m.heapAfterGcBytes()).isPositive().isLessThan(live + (32L << 20))
                .isLessThanOrEqualTo(m.heapCommittedBytes());
        assertThat(m.nonHeapCommittedBytes()).isPositive();
        assertThat(m.directBytes()).isGreaterThanOrEqualTo(0);
        if (Files.exists(Path.of("/proc/self/status"))) {
            assertThat(m.nativeBytes()).isEqualTo(m.rssBytes() - m.heapCommittedBytes() - m.nonHeapCommittedBytes());
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
