package io.streamssl.models.method;

import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.snapshot.SnapshotWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The tests' SEED teachers: small SimCLR snapshots (ResNet-18 width 8, projector 32 → {@value #OUT_DIM}) trained for
 * a few steps on the test images, written once per JVM into a temporary directory. Two of them, trained for
 * different numbers of steps, let a test swap the teacher file under a resumed run.
 */
final class SeedTeacher {

    static final int OUT_DIM = 16;
    private static final Map<Integer, Path> SNAPSHOTS = new HashMap<>();

    private SeedTeacher() {}

    /** The teacher trained for 30 steps. */
    static Path snapshot() {
        return snapshot(30);
    }

    /** A teacher trained for {@code steps} steps (seconds each time it is first asked for). */
    static synchronized Path snapshot(int steps) {
        return SNAPSHOTS.computeIfAbsent(steps, SeedTeacher::train);
    }

    /** {@code options} with the 30-step teacher. */
    static Map<String, String> options(Map<String, String> options) {
        return MethodSmokeTest.with(options, Seed.TEACHER, snapshot().toString());
    }

    private static Path train(int steps) {
        try {
            Path root = Files.createTempDirectory("seed-teacher-" + steps + "-");
            TrainerSpec spec = TrainerSpec.byolCifar(8, 16, 1000).withMethod("simclr",
                    Map.of("projector-hidden", "32", "projector-out", Integer.toString(OUT_DIM)));
            TrainingImages images = TrainingImages.load(256, 5);
            try (SslTrainer trainer = new SslTrainer(spec)) {
                for (int i = 0; i < steps; i++) {
                    trainer.step(images.batch(16, trainer.viewPlan()));
                }
                return SnapshotWriter.write(root, trainer, Map.of("trainer.method", "simclr"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
