package io.streamssl.models.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full disk while writing a snapshot: the write fails, nothing of it stays, LATEST and older snapshots stand. */
class SnapshotWriteFailureTest {

    @TempDir
    Path root;

    /** A file that takes {@code capacity} bytes, then fails as a full disk does. */
    private static SnapshotWriter.FileOpener diskFullAfter(long capacity) {
        long[] used = {0};
        return file -> new FilterOutputStream(Files.newOutputStream(file)) {
            @Override
            public void write(int b) throws IOException {
                if (++used[0] > capacity) {
                    throw new IOException("No space left on device");
                }
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                for (int i = 0; i < len; i++) {
                    write(b[off + i]);
                }
            }
        };
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void anInjectedFullDiskLeavesNothingHalfWritten() throws Exception {
        try (SslTrainer trainer = new SslTrainer(TrainerSpec.byolCifar(8, 4, 100))) {
            Path before = SnapshotWriter.write(root, trainer, Map.of());
            SnapshotWriter.markLatest(root, before);
            String weightsBefore = SnapshotWriter.sha256(before.resolve(SnapshotWriter.WEIGHTS_FILE));

            // fails in the weights (100 kB of ~700 kB), and in encoder.safetensors after whole weights
            long weightsBytes = Files.size(before.resolve(SnapshotWriter.WEIGHTS_FILE));
            for (long capacity : new long[] {100_000, weightsBytes + 10}) {
                assertThatThrownBy(() -> SnapshotWriter.write(root, trainer, Map.of(), diskFullAfter(capacity)))
                        .isInstanceOf(UncheckedIOException.class).hasMessageContaining("No space left on device")
                        .hasMessageContaining("step 0");
                assertThat(names(root)).as("no temporary left").containsExactly("LATEST", "step-000000000");
                assertThat(Files.readString(root.resolve("LATEST")).trim()).isEqualTo("step-000000000");
                assertThat(SnapshotWriter.sha256(before.resolve(SnapshotWriter.WEIGHTS_FILE)))
                        .as("the committed snapshot of the same step is untouched").isEqualTo(weightsBefore);
            }
        }
    }

    /**
     * A real full filesystem: a 64 kB tmpfs (mounting needs root and CAP_SYS_ADMIN; skipped otherwise). The
     * encoder's weights (~700 kB) do not fit.
     */
    @Test
    void aRealFullFilesystemFailsTheWriteCleanly() throws Exception {
        Path mount = Files.createDirectories(root.resolve("small-disk"));
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mount.toString()) == 0,
                "skipped: cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)");
        try (SslTrainer trainer = new SslTrainer(TrainerSpec.byolCifar(8, 4, 100))) {
            Files.writeString(mount.resolve("LATEST"), "step-000000000\n");
            assertThatThrownBy(() -> SnapshotWriter.write(mount, trainer, Map.of()))
                    .isInstanceOf(UncheckedIOException.class).hasMessageContaining("No space left on device");
            assertThat(names(mount)).as("the failed write left nothing").containsExactly("LATEST");
            assertThat(Files.readString(mount.resolve("LATEST"))).isEqualTo("step-000000000\n");
            assertThat(mount.getFileSystem().provider().getFileStore(mount).getUsableSpace())
                    .as("its space is free again").isGreaterThan(56 * 1024);
        } finally {
            run("umount", mount.toString());
        }
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().transferTo(OutputStream.nullOutputStream());
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
