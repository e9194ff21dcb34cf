package io.streamssl.cli;

import io.streamssl.connectors.dataset.ImageDataset;
import io.streamssl.connectors.dataset.LabeledImage;
import io.streamssl.connectors.decode.DecodeLimits;
import io.streamssl.connectors.decode.ImageDecoder;
import io.streamssl.connectors.decode.RgbImage;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.StepResult;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.ViewBatch;
import io.streamssl.models.method.RequiredOptionMissing;
import io.streamssl.models.method.Seed;
import io.streamssl.models.snapshot.SnapshotWriter;
import io.streamssl.pipeline.augment.AugmentationPresets;
import io.streamssl.pipeline.augment.MultiViewAugmenter;
import io.streamssl.pipeline.config.JobConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The teacher that {@code demo} and {@code bench quality} distil with SEED when the user gives none
 * ({@code method.teacher}): a stand-in, not a real pre-trained model. SimCLR on a ResNet-18 (CIFAR stem) twice as
 * wide as the demo's student (width 32), {@value #STEPS} steps of {@value #BATCH} images from the command's own data
 * set, trained in this process by models' {@link SslTrainer} with the pipeline's augmentation, written as a
 * snapshot under the given directory. A directory that already holds one (an earlier run's) is reused, so a demo
 * started again distils from the same teacher. A plain {@code run} never does this: it fails naming
 * {@code method.teacher}.
 */
final class DemoTeacher {

    static final String METHOD = "simclr";
    static final int WIDTH = 32;
    static final int STEPS = 40;
    static final int BATCH = 64;
    private static final long SEED = 17;

    private DemoTeacher() {}

    /** The config key users set the teacher with. */
    static final String KEY = JobConfig.METHOD_PREFIX + Seed.TEACHER;

    /** Whether {@code e} (a config error) is only SEED's missing teacher, which this class can supply. */
    static boolean isMissingTeacher(Throwable e) {
        RequiredOptionMissing missing = RequiredOptionMissing.in(e);
        return missing != null && missing.option().equals(Seed.TEACHER);
    }

    /** A teacher snapshot under {@code dir}: the one there, or one trained now on {@code data}. */
    static Path prepare(Path dir, ImageDataset data, PrintStream out) {
        if (Files.isRegularFile(dir.resolve(SnapshotWriter.LATEST_FILE))) {
            out.println("seed: no " + KEY + " given; reusing the stand-in teacher an earlier run trained at " + dir);
            return dir;
        }
        out.printf(Locale.ROOT, "seed: no %s given; training a stand-in teacher first: %s, ResNet-18 width %d,"
                + " %d steps of %d images from %s (set %s=DIR to distil a real one)%n", KEY, METHOD, WIDTH, STEPS,
                BATCH, data.name(), KEY);
        long t0 = System.nanoTime();
        TrainerSpec spec = TrainerSpec.byolCifar(WIDTH, BATCH, STEPS).withMethod(METHOD,
                Map.of("projector-hidden", "1024")).withMethodOptimizerDefaults();
        ImageDecoder decoder = new ImageDecoder(DecodeLimits.DEFAULT);
        try (SslTrainer trainer = new SslTrainer(spec)) {
            MultiViewAugmenter augmenter = AugmentationPresets.forViewPlan(trainer.viewPlan(), SEED);
            int views = augmenter.views();
            int side = spec.imageSize();
            int viewBytes = side * side * 3;
            long next = 0;
            StepResult last = null;
            for (int step = 0; step < STEPS; step++) {
                byte[] pixels = new byte[BATCH * views * viewBytes];
                int[] labels = new int[BATCH];
                java.util.Arrays.fill(labels, -1); // the teacher's probe is of no use
                for (int i = 0; i < BATCH; i++) {
                    LabeledImage image = data.image(next++ % data.size());
                    RgbImage[] made = augmenter.apply(decoder.decode(image.data(), image.contentType(),
                            image.width(), image.height()), image.id(), 0);
                    for (int v = 0; v < views; v++) {
                        System.arraycopy(made[v].pixels(), 0, pixels, (i * views + v) * viewBytes, viewBytes);
                    }
                }
                last = trainer.step(new ViewBatch(BATCH, views, side, side, pixels, labels));
            }
            Path snapshot = SnapshotWriter.write(dir, trainer, Map.of("trainer.method", METHOD,
                    "purpose", "stand-in SEED teacher of streamssl demo / bench quality"));
            SnapshotWriter.markLatest(dir, snapshot);
            out.printf(Locale.ROOT, "seed: teacher trained in %.0f s (loss %.3f at step %d), snapshot %s; distilling"
                    + " from it (%s=%s)%n", (System.nanoTime() - t0) / 1e9, last.loss(), last.step(), snapshot, KEY,
                    dir);
            return dir;
        }
    }
}
