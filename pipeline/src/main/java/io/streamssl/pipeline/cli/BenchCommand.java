package io.streamssl.pipeline.cli;

import io.streamssl.models.SslTrainer;
import io.streamssl.models.StepResult;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.ViewBatch;
import io.streamssl.pipeline.augment.AugmentationPresets;
import io.streamssl.pipeline.bench.AugmentBenchmark;
import io.streamssl.pipeline.config.JobConfig;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code streamssl bench …}: throughput figures. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print throughput figures.",
        subcommands = {BenchCommand.Trainer.class, BenchCommand.Augment.class})
public final class BenchCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Decode + augmentation throughput of a preset on real images. */
    @Command(name = "augment", mixinStandardHelpOptions = true,
            description = "Decode + augment real images (CIFAR-10 from ../shared at 32 px, else generated; 256x256"
                    + " JPEG/PNG sources at 224 px) and print views/s per core with a per-stage profile.")
    public static final class Augment implements Callable<Integer> {

        @Option(names = "--preset", defaultValue = "cifar-asymmetric",
                description = "Preset (default: ${DEFAULT-VALUE}); one of simclr, mocov2, byol, dino, cifar-asymmetric,"
                        + " cifar-symmetric.")
        String preset;

        @Option(names = "--size", description = "View size in px (default: the preset's natural size).")
        Integer size;

        @Option(names = "--threads", defaultValue = "1", description = "Worker threads (default: ${DEFAULT-VALUE}).")
        int threads;

        @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds (default: ${DEFAULT-VALUE}).")
        double seconds;

        @Override
        public Integer call() {
            int s = size != null ? size : AugmentationPresets.create(preset, 0, Map.of()).viewSizes()[0];
            AugmentBenchmark.run(preset, s, threads, seconds, System.out);
            return 0;
        }
    }

    /** The bare trainer on pre-made tensors: no Flink, no Kafka, no augmentation. */
    @Command(name = "trainer", mixinStandardHelpOptions = true,
            description = "Train steps on pre-made uint8 views in this process (no Flink, no Kafka) and print images/s."
                    + " Takes the same config as `run`/`demo`, so the figure compares with the pipeline's.")
    public static final class Trainer implements Callable<Integer> {

        @Mixin
        JobOptions job;

        @Option(names = "--steps", defaultValue = "20", description = "Timed steps (default: ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--demo-defaults", description = "Use the demo's defaults (as `demo` does) under the config.")
        boolean demoDefaults;

        @Override
        public Integer call() {
            JobConfig config = job.load(demoDefaults ? DemoCommand.demoDefaults(job) : Map.of());
            TrainerSpec spec = config.trainerSpec();
            try (SslTrainer trainer = new SslTrainer(spec)) {
                int views = trainer.method().viewsPerImage();
                int n = spec.batchSize();
                int s = spec.imageSize();
                ViewBatch[] batches = new ViewBatch[4];
                SplittableRandom r = new SplittableRandom(7);
                for (int b = 0; b < batches.length; b++) {
                    byte[] px = new byte[n * views * s * s * 3];
                    for (int i = 0; i < px.length; i++) {
                        px[i] = (byte) r.nextInt(256);
                    }
                    int[] labels = new int[n];
                    for (int i = 0; i < n; i++) {
                        labels[i] = r.nextInt(spec.probeClasses());
                    }
                    // the pipeline's batches carry un-augmented probe images: the same work per step here
                    byte[] probe = new byte[n * s * s * 3];
                    for (int i = 0; i < probe.length; i++) {
                        probe[i] = (byte) r.nextInt(256);
                    }
                    batches[b] = new ViewBatch(n, views, s, s, px, labels, probe);
                }
                System.out.printf(Locale.ROOT, "bench trainer: %s on %s, %s width %d, batch %d, %d px, device %s%n",
                        spec.method(), spec.encoder().arch(), spec.encoder().stem().name().toLowerCase(Locale.ROOT),
                        spec.encoder().width(), n, s, trainer.device());
                for (int i = 0; i < warmup; i++) {
                    trainer.step(batches[i % batches.length]);
                }
                long t0 = System.nanoTime();
                double loss = 0;
                for (int i = 0; i < steps; i++) {
                    StepResult res = trainer.step(batches[i % batches.length]);
                    loss = res.loss();
                    if (System.console() != null) {
                        System.out.printf(Locale.ROOT, "\rstep %d/%d", i + 1, steps);
                    }
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "%sbench trainer: %d steps x %d images in %.2f s = %.1f images/s"
                        + " (%.1f ms/step, last loss %.4f)%n", System.console() != null ? "\n" : "", steps, n, secs,
                        steps * n / secs, 1000 * secs / steps, loss);
            }
            return 0;
        }
    }
}
