package io.streamssl.models.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.ViewBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotWriterTest {

    @TempDir
    Path root;

    @Test
    void aWrittenSnapshotLoadsVerifiesAndEmbedsLikeTheTrainer() throws Exception {
        try (SslTrainer trainer = new SslTrainer(TrainerSpec.byolCifar(8, 4, 100))) {
            byte[] px = new byte[4 * 2 * 32 * 32 * 3];
            new Random(3).nextBytes(px);
            trainer.step(new ViewBatch(4, 2, 32, 32, px, new int[] {-1, -1, -1, -1}));
            Path dir = SnapshotWriter.write(root, trainer, Map.of("trainer.width", "8"));

            assertThat(dir.getFileName().toString()).isEqualTo("step-000000001");
            assertThat(root.resolve(SnapshotWriter.LATEST_FILE)).as("written, not yet published").doesNotExist();
            SnapshotWriter.markLatest(root, dir);
            assertThat(Files.readString(root.resolve(SnapshotWriter.LATEST_FILE)).trim()).isEqualTo("step-000000001");
            try (Stream<Path> leftovers = Files.list(root)) {
                assertThat(leftovers.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                        "step-000000001", "LATEST");
            }

            byte[] image = new byte[20 * 24 * 3];
            new Random(4).nextBytes(image);
            float[] expected = trainer.embed(image, 20, 24);
            try (SnapshotEncoder loaded = SnapshotEncoder.load(root)) {
                SnapshotManifest m = loaded.manifest();
                assertThat(m.step()).isEqualTo(1);
                assertThat(m.method()).isEqualTo("byol");
                assertThat(m.encoder().featureDim()).isEqualTo(64);
                assertThat(m.weightsSha256()).isEqualTo(SnapshotWriter.sha256(dir.resolve("encoder.params")));
                assertThat(m.config()).containsEntry("trainer.width", "8");
                assertThat(loaded.embed(image, 20, 24)).containsExactly(expected);
                assertThat(loaded.maxCheckDifference()).isEqualTo(0.0);
            }
        }
    }

    @Test
    void tamperedWeightsAreRefused() throws Exception {
        try (SslTrainer trainer = new SslTrainer(TrainerSpec.byolCifar(8, 4, 100))) {
            Path dir = SnapshotWriter.write(root, trainer, Map.of());
            byte[] w = Files.readAllBytes(dir.resolve("encoder.params"));
            w[w.length - 1] ^= 1;
            Files.write(dir.resolve("encoder.params"), w);
            assertThatThrownBy(() -> SnapshotEncoder.load(dir)).hasMessageContaining("sha256")
                    .hasMessageContaining("corrupt");
        }
    }

    @Test
    void aDirectoryWithoutManifestIsNamed() {
        assertThatThrownBy(() -> SnapshotEncoder.load(root)).hasMessageContaining("manifest.json is missing");
    }
}
