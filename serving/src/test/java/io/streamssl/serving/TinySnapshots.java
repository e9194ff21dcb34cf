package io.streamssl.serving;

import io.streamssl.connectors.event.EventHeader;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.ViewBatch;
import io.streamssl.models.snapshot.SnapshotEncoder;
import io.streamssl.models.snapshot.SnapshotWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Random;

/**
 * A tiny trainer (ResNet-18 at width 8, 32 px, BYOL, batches of 4) that trains one step at a time on seeded noise
 * and writes real snapshots with {@link SnapshotWriter#write}, and the announcements the training job would
 * make of them.
 */
final class TinySnapshots implements AutoCloseable {

    static final int SIZE = 32;

    private final SslTrainer trainer = new SslTrainer(TrainerSpec.byolCifar(8, 4, 100));
    private final Path root;
    private final Random pixels;

    TinySnapshots(Path root, long pixelSeed) {
        this.root = root;
        this.pixels = new Random(pixelSeed);
    }

    /** Trains one more step and writes its snapshot; its directory. */
    Path nextSnapshot() {
        byte[] px = new byte[4 * 2 * SIZE * SIZE * 3];
        pixels.nextBytes(px);
        trainer.step(new ViewBatch(4, 2, SIZE, SIZE, px, new int[] {-1, -1, -1, -1}));
        return SnapshotWriter.write(root, trainer, Map.of("trainer.width", "8"));
    }

    /** The announcement of the snapshot at {@code dir}, as the job writes it (weights sha256 of the file now). */
    static SnapshotEvent announcement(Path dir) {
        long step = Long.parseLong(dir.getFileName().toString().substring("step-".length()));
        return new SnapshotEvent(new EventHeader("run-1", "encoder", step, step * 4, 0, 0, Instant.now()),
                dir.toAbsolutePath().toString(), "byol", sha256(dir), step);
    }

    static String sha256(Path dir) {
        try {
            return SnapshotWriter.sha256(dir.resolve(SnapshotWriter.WEIGHTS_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flips one bit of the snapshot's weights file: what a later write over an announced snapshot does. */
    static void corruptWeights(Path dir) throws IOException {
        Path weights = dir.resolve(SnapshotWriter.WEIGHTS_FILE);
        byte[] w = Files.readAllBytes(weights);
        w[w.length - 1] ^= 1;
        Files.write(weights, w);
    }

    /** What {@link SnapshotEncoder} itself gives for {@code rgb} with the snapshot at {@code dir}. */
    static float[] expectedEmbedding(Path dir, byte[] rgb, int count) {
        try (SnapshotEncoder encoder = SnapshotEncoder.load(dir)) {
            return encoder.embed(rgb, count, SIZE, SIZE);
        }
    }

    /** {@code count} seeded random 32×32 RGB images. */
    static byte[] images(int count, long seed) {
        byte[] rgb = new byte[count * SIZE * SIZE * 3];
        new Random(seed).nextBytes(rgb);
        return rgb;
    }

    @Override
    public void close() {
        trainer.close();
    }
}
