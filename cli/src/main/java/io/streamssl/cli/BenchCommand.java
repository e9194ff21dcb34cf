package io.streamssl.cli;

import io.streamssl.pipeline.program.JobOptions;
import io.streamssl.pipeline.program.JobRunner;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.MultiCropBatch;
import io.streamssl.models.StepResult;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.ViewBatch;
import io.streamssl.models.method.ViewPlan;
import io.streamssl.pipeline.augment.AugmentationPresets;
import io.streamssl.cli.bench.AugmentBenchmark;
import io.streamssl.connectors.dataset.Cifar10Binary;
import io.streamssl.cli.bench.BenchKeys;
import io.streamssl.cli.bench.CheckpointBenchmark;
import io.streamssl.cli.bench.CifarBenchOptions;
import io.streamssl.cli.bench.ContinualBenchmark;
import io.streamssl.cli.bench.ContinualCase;
import io.streamssl.cli.bench.ContinualReport;
import io.streamssl.cli.bench.QualityBenchmark;
import io.streamssl.cli.bench.SoakBenchmark;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code streamssl bench …}: throughput figures. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print throughput figures.",
        subcommands = {BenchCommand.Trainer.class, BenchCommand.Augment.class, BenchCommand.Checkpoint.class,
                BenchCommand.Quality.class, BenchCommand.Continual.class, BenchCommand.Soak.class,
                io.streamssl.cli.bench.EmbedBenchmark.class})
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
                        + " cifar-symmetric, jigsaw (PIRL's 3×3 tiles: --size a multiple of 3).")
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
                int n = spec.batchSize();
                ViewPlan plan = trainer.viewPlan();
                MultiCropBatch[] batches = new MultiCropBatch[4];
                SplittableRandom r = new SplittableRandom(7);
                for (int b = 0; b < batches.length; b++) {
                    batches[b] = randomBatch(plan, n, spec.probeClasses(), r);
                }
                System.out.printf(Locale.ROOT, "bench trainer: %s on %s, %s width %d, batch %d, %d px, device %s%n",
                        spec.method(), spec.encoder().arch(), spec.encoder().stem().name().toLowerCase(Locale.ROOT),
                        spec.encoder().width(), n, spec.imageSize(), trainer.device());
                System.out.printf(Locale.ROOT, "bench trainer: views %s%n", plan.describe());
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

    /**
     * {@code n} images of random pixels as the pipeline delivers them for {@code plan}: one group of same-sized
     * views per crop group (a multi-crop method's global and local crops differ in size), the first group with
     * un-augmented probe images at its size, so a step does the same work as in the pipeline.
     */
    static MultiCropBatch randomBatch(ViewPlan plan, int n, int probeClasses, SplittableRandom r) {
        List<byte[]> pixels = new ArrayList<>();
        for (ViewPlan.CropGroup g : plan.groups()) {
            pixels.add(randomBytes(n * g.views() * g.size() * g.size() * 3, r));
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(probeClasses);
        }
        int probeSize = plan.groups().get(0).size();
        byte[] probe = randomBytes(n * probeSize * probeSize * 3, r);
        List<ViewBatch> groups = new ArrayList<>();
        for (ViewPlan.CropGroup g : plan.groups()) {
            // a pretext target per view (view mod 4: a quarter turn, a jigsaw permutation index), which methods
            // that train on none ignore
            int[] targets = new int[n * g.views()];
            for (int k = 0; k < targets.length; k++) {
                targets[k] = (k % g.views()) % 4;
            }
            groups.add(new ViewBatch(n, g.views(), g.size(), g.size(), pixels.get(groups.size()), labels,
                    groups.isEmpty() ? probe : null, null, targets));
        }
        return new MultiCropBatch(groups);
    }

    private static byte[] randomBytes(int length, SplittableRandom r) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) r.nextInt(256);
        }
        return out;
    }

    /** Checkpoint size and duration, and throughput with checkpoints against without, on the real pipeline. */
    @Command(name = "checkpoint", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Run the real pipeline in this process (Kafka broker, generated images, Flink MiniCluster"
                    + " with RocksDB, the trainer) for each case twice: with checkpoints every --interval and with"
                    + " checkpointing off. Prints checkpoint size and duration (Flink's REST statistics), the"
                    + " trainer's images/s in both phases and their ratio (issue 5's goal: >= 0.95).",
                    "Defaults (3 cases, 2 phases of 75 s each after 2 warm-up steps) take about 10-15 minutes on a"
                    + " 2-core CPU, where a width-64 ResNet-18 step takes seconds and a ResNet-50 step two to three"
                    + " times longer. Timings on a shared machine are noisy: compare the in-step rates of the two"
                    + " phases printed with the table."})
    public static final class Checkpoint implements Callable<Integer> {

        @Option(names = "--case", split = ",", paramLabel = "CASE",
                description = "Cases to run (default: all): byol-r18 (BYOL, ResNet-18), mocov2-r18-q65536 (MoCo v2,"
                        + " ResNet-18, queue 65,536 x 128), byol-r50 (BYOL, ResNet-50).")
        List<String> cases;

        @Option(names = "--width", defaultValue = "64", description = "trainer.width: channels of the first ResNet"
                + " stage (default: ${DEFAULT-VALUE}, the published networks).")
        int width;

        @Option(names = "--batch-size", defaultValue = "32", description = "trainer.batch-size (default: ${DEFAULT-VALUE}).")
        int batchSize;

        @Option(names = "--size", defaultValue = "32", description = "augment.size: view side in px (default:"
                + " ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--seconds", defaultValue = "75", description = "Measured wall-clock seconds per phase"
                + " (default: ${DEFAULT-VALUE}); the window ends at the first step after it.")
        double seconds;

        @Option(names = "--warmup-steps", defaultValue = "2", description = "Steps before the measured window starts"
                + " (default: ${DEFAULT-VALUE}): the first steps are slower and checkpoint 1 is the full one.")
        int warmupSteps;

        @Option(names = "--interval", defaultValue = "10 s", description = "Checkpoint interval of the 'with"
                + " checkpoints' phase (default: ${DEFAULT-VALUE}; e.g. 10s, 500ms, 1min).")
        String interval;

        @Option(names = "--segment", paramLabel = "DURATION", description = "One job per case instead of two phases:"
                + " segments of this length alternate without and with checkpoints (triggered every --interval),"
                + " --seconds of each in all; both rates then see the same machine load (e.g. 30s).")
        String segment;

        @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE", description = "A streamssl config key for every"
                + " case, e.g. --set augment.parallelism=2 or --set method.projector-hidden=1024 (repeatable).")
        Map<String, String> jobSettings = new LinkedHashMap<>();

        @Option(names = "--flink", paramLabel = "KEY=VALUE", description = "A Flink configuration key for every phase,"
                + " e.g. --flink execution.checkpointing.unaligned.enabled=true (repeatable).")
        Map<String, String> flinkSettings = new LinkedHashMap<>();

        @Option(names = "--work-dir", paramLabel = "DIR", description = "Work directory instead of a temporary one"
                + " (e.g. on the disk checkpoints should go to); each phase's checkpoints and RocksDB files are deleted"
                + " when the phase ends.")
        Path workDir;

        @Override
        public Integer call() throws Exception {
            Duration every;
            try {
                every = TimeUtils.parseDuration(interval);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--interval: not a duration: '" + interval + "' (e.g. 10s, 500ms)");
            }
            if (!(seconds > 0)) {
                throw new IllegalArgumentException("--seconds must be positive, got " + seconds);
            }
            Duration segmentLength = null;
            if (segment != null) {
                try {
                    segmentLength = TimeUtils.parseDuration(segment);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--segment: not a duration: '" + segment + "' (e.g. 30s)");
                }
            }
            CheckpointBenchmark.Settings settings = new CheckpointBenchmark.Settings(width, batchSize, size,
                    Duration.ofMillis(Math.round(seconds * 1000)), warmupSteps, every, jobSettings, flinkSettings,
                    workDir, segmentLength);
            List<CheckpointBenchmark.Case> selected = cases == null || cases.isEmpty() ? CheckpointBenchmark.CASES
                    : cases.stream().map(String::trim).map(CheckpointBenchmark::namedCase).toList();
            List<CheckpointBenchmark.CaseResult> results = CheckpointBenchmark.run(selected, settings, System.out);
            System.out.println();
            System.out.print(CheckpointBenchmark.table(results, settings));
            return 0;
        }
    }

    /** What the real job learns from N CIFAR-10 images, against a random encoder of the same network. */
    @Command(name = "quality", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Train the real job on N CIFAR-10 images and measure the features it learned: an"
                    + " in-process Kafka broker, CIFAR-10's training set produced into it (passes as needed), a local"
                    + " Flink cluster and the trainer at the demo's network (ResNet-18 width 16, batch 64, 1024-wide"
                    + " heads; --set overrides), stopped with a savepoint after ceil(N / batch-size) steps. Then `eval`"
                    + " scores the final snapshot and a randomly initialised encoder of the same architecture on"
                    + " CIFAR-10: weighted kNN (k = 20, 200) and a linear probe, features of --train-n training images"
                    + " against --test-n test images.",
                    "Prints the job's step lines, then a table: images seen, steps, kNN@20, kNN@200 and linear for"
                    + " the snapshot and for the random encoder, training and evaluation wall time; --json prints one"
                    + " JSON object instead. Always writes result.json into --work-dir; --table FILE appends a"
                    + " markdown row.",
                    "Example: ./streamssl bench quality --method byol --images 100000",
                    "(On a busy 2-core CPU the job trains 60-90 images/s, so 100,000 images take 20-30 minutes; the"
                    + " default evaluation, 10,000 training and all 10,000 test images for two encoders, about 3"
                    + " minutes more.)"})
    public static final class Quality implements Callable<Integer> {

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--method", required = true, paramLabel = "METHOD",
                description = "trainer.method: one of `streamssl methods`.")
        String method;

        @Option(names = "--images", required = true, paramLabel = "N",
                description = "Images to train on: trainer.max-steps = ceil(N / batch-size).")
        long images;

        @Mixin
        CifarBenchOptions output;

        @Option(names = "--train-n", defaultValue = "10000", paramLabel = "N",
                description = "eval: training images, the kNN bank and the probe's training set (default:"
                        + " ${DEFAULT-VALUE}).")
        int trainN;

        @Option(names = "--test-n", defaultValue = "10000", paramLabel = "M",
                description = "eval: test images scored (default: ${DEFAULT-VALUE}, the whole test set).")
        int testN;

        @Option(names = "--work-dir", paramLabel = "DIR", description = "Broker logs, checkpoints, snapshots and"
                + " result.json (default: streamssl-out/bench-quality/<method>); a previous run's are deleted first.")
        Path workDir;

        @Mixin
        JobOptions job;

        @Override
        public Integer call() throws Exception {
            Path cifar = output.cifar10();
            Path work = workDir != null ? workDir : Path.of("streamssl-out", "bench-quality", method);
            QualityBenchmark.Settings settings = new QualityBenchmark.Settings(config(work.toAbsolutePath()), images,
                    cifar, trainN, testN, work);
            QualityBenchmark.checkCifar10(cifar); // options first, then the data: nothing starts without both
            QualityBenchmark.Result r = new QualityBenchmark(settings, output.progress()).run();
            output.report(spec.commandLine().getOut(), QualityBenchmark.json(r), QualityBenchmark.table(r),
                    work.toAbsolutePath().resolve("result.json"), file -> QualityBenchmark.appendRow(file, r));
            return 0;
        }

        /**
         * The demo's defaults with the method, under the user's config; then max-steps for the batch size that
         * results, and the work directory's snapshots and checkpoints. A config that sets one of those differently
         * fails, naming the option that sets it here.
         */
        JobConfig config(Path work) {
            if (images < 1) {
                throw new IllegalArgumentException("--images must be at least 1, got " + images);
            }
            Map<String, String> base;
            try {
                base = DemoCommand.demoDefaults(job, Map.of(StreamsslOptions.METHOD.key(), method));
            } catch (IllegalArgumentException e) {
                if (!DemoTeacher.isMissingTeacher(e)) {
                    throw e;
                }
                // SEED without a teacher: a stand-in trained on CIFAR-10 first, kept beside the work directory
                // (which the run clears); --set method.teacher=DIR measures a real one
                QualityBenchmark.checkCifar10(output.cifar10());
                Path teacher = DemoTeacher.prepare(work.resolveSibling(work.getFileName() + "-teacher"),
                        Cifar10Binary.train(output.cifar10()), output.progress());
                base = DemoCommand.demoDefaults(job, Map.of(StreamsslOptions.METHOD.key(), method,
                        DemoTeacher.KEY, teacher.toString()));
            }
            int batch = job.load(base).get(StreamsslOptions.BATCH_SIZE);
            Map<String, String> fixed = new LinkedHashMap<>();
            fixed.put(StreamsslOptions.METHOD.key(), method);
            fixed.put(StreamsslOptions.MAX_STEPS.key(),
                    Long.toString(QualityBenchmark.Settings.steps(images, batch)));
            fixed.put(StreamsslOptions.SNAPSHOT_DIR.key(), work.resolve("snapshots").toString());
            fixed.put(StreamsslOptions.CHECKPOINT_DIR.key(), work.resolve("checkpoints").toString());
            return BenchKeys.load(job, base, fixed, Map.of(StreamsslOptions.METHOD.key(), "--method",
                    StreamsslOptions.MAX_STEPS.key(), "--images (ceil(N / batch-size))",
                    StreamsslOptions.SNAPSHOT_DIR.key(), "--work-dir", StreamsslOptions.CHECKPOINT_DIR.key(),
                    "--work-dir"), "bench quality");
        }
    }

    /** Continual pretraining on a class-incremental CIFAR-10 stream: replay off, fifo, reservoir, minred, iid. */
    @Command(name = "continual", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Continual pretraining on a non-stationary stream (README \"Continual pretraining\"): the"
                    + " real job, as `bench quality` runs it (in-process broker, local Flink, the demo's network;"
                    + " --set overrides), once per case on the same class-balanced subset of --images CIFAR-10"
                    + " training images (N/10 per class), each sent once: class-incremental in --phases phases of"
                    + " 10/phases classes that never come back. Cases: off (replay.policy=none), fifo, reservoir,"
                    + " minred (replay.policy=<case>, --ratio, --capacity), and iid (replay.policy=none on the same"
                    + " images shuffled: the upper reference). Every case has the same compute budget: each record"
                    + " pays for --updates-per-sample training samples, so each trains floor(N x U / batch) steps.",
                    "The job's held-out evaluator scores a snapshot at the end of each phase (--train-n bank and"
                    + " --test-n query images of CIFAR-10's training and test sets); from its per-class kNN@200 the"
                    + " average forgetting (Chaudhry et al. 2018: max over earlier phase ends minus the final figure,"
                    + " per class, averaged). A randomly initialised encoder is scored once as the floor.",
                    "Prints progress, then a table (case, steps, samples, final kNN@200, average forgetting, kNN@200"
                    + " after each phase, seconds) and how much of the gap between off and iid the best policy"
                    + " closes; --json prints one JSON object instead. Always writes result.json into --work-dir;"
                    + " --table FILE appends markdown rows.",
                    "Example: ./streamssl bench continual            (16,000 images: 17 minutes on 2 CPU cores)",
                    "         ./streamssl bench continual --images 50000 --capacity 10000   (the full training set)"})
    public static final class Continual implements Callable<Integer> {

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--images", defaultValue = "16000", paramLabel = "N", description = "Training images in the"
                + " stream, N/10 per class, each sent once (default: ${DEFAULT-VALUE}; at most 50000).")
        int images;

        @Option(names = "--phases", defaultValue = "5", paramLabel = "P",
                description = "Class-incremental phases of 10/P classes (default: ${DEFAULT-VALUE}; 2, 5 or 10).")
        int phases;

        @Option(names = "--cases", split = ",", paramLabel = "CASE", description = "Cases to run, in this order"
                + " (default: all): off, fifo, reservoir, minred, iid.")
        List<String> cases;

        @Option(names = "--updates-per-sample", defaultValue = "2", paramLabel = "U", description = "replay"
                + ".updates-per-sample for every case: training samples each record pays for (default:"
                + " ${DEFAULT-VALUE}).")
        double updatesPerSample;

        @Option(names = "--ratio", defaultValue = "0.5", paramLabel = "R", description = "replay.ratio of the replay"
                + " cases: the replayed share of the samples (default: ${DEFAULT-VALUE}).")
        double ratio;

        @Option(names = "--capacity", paramLabel = "SAMPLES", description = "replay.capacity of the replay cases"
                + " (default: N/5, at least a batch).")
        Integer capacity;

        @Option(names = "--method", paramLabel = "METHOD", description = "trainer.method (default: the demo's).")
        String method;

        @Option(names = "--train-n", defaultValue = "1000", paramLabel = "N", description = "eval.bank-size: the"
                + " first N CIFAR-10 training images, the kNN bank (default: ${DEFAULT-VALUE}; at least 200).")
        int trainN;

        @Option(names = "--test-n", defaultValue = "1000", paramLabel = "M", description = "eval.query-size: the"
                + " first M CIFAR-10 test images scored (default: ${DEFAULT-VALUE}).")
        int testN;

        @Mixin
        CifarBenchOptions output;

        @Option(names = "--work-dir", paramLabel = "DIR", description = "A directory per case (broker, checkpoints,"
                + " snapshots, metrics.jsonl) and result.json (default: streamssl-out/bench-continual); a previous"
                + " run's are deleted first.")
        Path workDir;

        @Mixin
        JobOptions job;

        @Override
        public Integer call() throws Exception {
            Path cifar = output.cifar10();
            Path work = (workDir != null ? workDir : Path.of("streamssl-out", "bench-continual")).toAbsolutePath();
            List<ContinualCase> selected = ContinualCase.parse(cases == null || cases.isEmpty()
                    ? List.of(ContinualCase.names().split(",")) : cases);
            ContinualBenchmark.Settings settings = new ContinualBenchmark.Settings(config(work, cifar), images,
                    phases, selected, cifar, work);
            QualityBenchmark.checkCifar10(cifar); // options first, then the data: nothing starts without both
            ContinualBenchmark.Result r = new ContinualBenchmark(settings, output.progress()).run();
            output.report(spec.commandLine().getOut(), ContinualReport.json(r), ContinualReport.table(r),
                    work.resolve("result.json"), file -> ContinualReport.appendRows(file, r));
            return 0;
        }

        /**
         * The demo's defaults (with --method), under the user's config; then the keys this benchmark sets: the
         * budget, the replay mix, a snapshot per phase and the held-out evaluator of every snapshot. A config
         * that sets one of those fails, naming the option. The replay policy and the directories are the case's.
         */
        JobConfig config(Path work, Path cifar) {
            Map<String, String> base = DemoCommand.demoDefaults(job,
                    method == null ? Map.of() : Map.of(StreamsslOptions.METHOD.key(), method));
            int batch = job.load(base).get(StreamsslOptions.BATCH_SIZE);
            ContinualBenchmark.Settings.check(images, phases, batch, updatesPerSample);
            long steps = ContinualBenchmark.Settings.steps(images, updatesPerSample, batch);
            int cap = capacity != null ? capacity : Math.max(images / 5, batch);
            ContinualBenchmark.Settings.checkReplay(ratio, cap, batch);
            Map<String, String> fixed = new LinkedHashMap<>();
            Map<String, String> setBy = new LinkedHashMap<>();
            if (method != null) {
                fixed.put(StreamsslOptions.METHOD.key(), method);
                setBy.put(StreamsslOptions.METHOD.key(), "--method");
            }
            fixed.put(StreamsslOptions.MAX_STEPS.key(), Long.toString(steps));
            setBy.put(StreamsslOptions.MAX_STEPS.key(), "--images and --updates-per-sample (floor(N x U / batch))");
            fixed.put(StreamsslOptions.SNAPSHOT_EVERY.key(),
                    Long.toString(ContinualBenchmark.Settings.stepsPerPhase(steps, phases)));
            setBy.put(StreamsslOptions.SNAPSHOT_EVERY.key(), "--phases (a snapshot at each phase's end)");
            fixed.put(StreamsslOptions.SNAPSHOT_RETAIN_NEWEST.key(), Integer.toString(phases + 2));
            setBy.put(StreamsslOptions.SNAPSHOT_RETAIN_NEWEST.key(), "--phases (every phase's snapshot kept)");
            fixed.put(StreamsslOptions.REPLAY_POLICY.key(), "none");
            setBy.put(StreamsslOptions.REPLAY_POLICY.key(), "--cases");
            fixed.put(StreamsslOptions.REPLAY_UPDATES_PER_SAMPLE.key(), Double.toString(updatesPerSample));
            setBy.put(StreamsslOptions.REPLAY_UPDATES_PER_SAMPLE.key(), "--updates-per-sample");
            fixed.put(StreamsslOptions.REPLAY_RATIO.key(), Double.toString(ratio));
            setBy.put(StreamsslOptions.REPLAY_RATIO.key(), "--ratio");
            fixed.put(StreamsslOptions.REPLAY_CAPACITY.key(), Integer.toString(cap));
            setBy.put(StreamsslOptions.REPLAY_CAPACITY.key(), "--capacity");
            fixed.put(StreamsslOptions.EVAL_CIFAR10.key(), cifar.toAbsolutePath().toString());
            setBy.put(StreamsslOptions.EVAL_CIFAR10.key(), "--cifar10");
            fixed.put(StreamsslOptions.EVAL_BANK_SIZE.key(), Integer.toString(trainN));
            setBy.put(StreamsslOptions.EVAL_BANK_SIZE.key(), "--train-n");
            fixed.put(StreamsslOptions.EVAL_QUERY_SIZE.key(), Integer.toString(testN));
            setBy.put(StreamsslOptions.EVAL_QUERY_SIZE.key(), "--test-n");
            fixed.put(StreamsslOptions.EVAL_INTERVAL.key(), "0 ms");
            setBy.put(StreamsslOptions.EVAL_INTERVAL.key(), "--phases (every phase's snapshot evaluated)");
            fixed.put(StreamsslOptions.SNAPSHOT_DIR.key(), work.resolve("snapshots").toString());
            setBy.put(StreamsslOptions.SNAPSHOT_DIR.key(), "--work-dir");
            fixed.put(StreamsslOptions.CHECKPOINT_DIR.key(), work.resolve("checkpoints").toString());
            setBy.put(StreamsslOptions.CHECKPOINT_DIR.key(), "--work-dir");
            JobConfig config = BenchKeys.load(job, base, fixed, setBy, "bench continual");
            if (trainN < 200) {
                throw new IllegalArgumentException("--train-n must be at least 200 (the kNN@200 bank), got " + trainN);
            }
            if (testN < ContinualBenchmark.CLASSES) {
                throw new IllegalArgumentException("--test-n must be at least " + ContinualBenchmark.CLASSES
                        + " (queries of every class), got " + testN);
            }
            config.with(Map.of(StreamsslOptions.REPLAY_POLICY.key(), "fifo")).replay(); // the job's own checks
            return config;
        }
    }

    /** The job for a long time under a producer faster than the trainer: memory, lag, record accounting. */
    @Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Run the real job in this process (Kafka broker, Flink MiniCluster with RocksDB, the"
                    + " trainer at the demo's network; --set overrides) for --minutes with checkpoints every"
                    + " --interval. A producer of generated images (one in --corrupt-every not an image) keeps the"
                    + " trainer fed for --calibration, measures its images/s, then produces at --rate-factor times"
                    + " the trainer's rate, re-measured every minute, to the end.",
                    "Prints one line a minute, after a forced full GC (System.gc()): the heap in use after it, the heap"
                    + " committed, native memory (RSS − committed heap − committed non-heap: libtorch, RocksDB,"
                    + " direct buffers, thread stacks), direct buffers, RSS, RocksDB working files, checkpoint"
                    + " directory, consumer lag, records inside the job (now and the most since the last line), the"
                    + " trainer's and the producer's rates, and"
                    + " the accounting in = trained + dead + pending at the consumer group's committed offsets (pending ="
                    + " the trainer's partial batch + the records not yet consumed). Then the verdict: memory flat"
                    + " (least-squares slopes of the heap after the forced GC and of native memory over the second half"
                    + " at most --max-heap-slope and --max-native-slope MiB/min; RSS's slope is printed, not judged:"
                    + " it includes heap G1 commits as it grows), lag bounded by backpressure (records inside the job never above the"
                    + " bound the network buffers and the batch give, so the lag is backlog in Kafka), no record lost"
                    + " (the accounting exact at the end, the dead letters exactly the corrupt records). Exit code 1"
                    + " when a verdict fails.",
                    "Example: ./streamssl bench soak --minutes 30"})
    public static final class Soak implements Callable<Integer> {

        @Option(names = "--minutes", defaultValue = "30", description = "How long the job runs (default:"
                + " ${DEFAULT-VALUE}); one line per minute.")
        double minutes;

        @Option(names = "--interval", defaultValue = "10 s", description = "Checkpoint interval (default:"
                + " ${DEFAULT-VALUE}).")
        String interval;

        @Option(names = "--rate-factor", defaultValue = "2", description = "Producer rate / the trainer's measured"
                + " rate (default: ${DEFAULT-VALUE}).")
        double rateFactor;

        @Option(names = "--calibration", defaultValue = "60 s", description = "How long the trainer's rate is"
                + " measured, after its first two batches (default: ${DEFAULT-VALUE}).")
        String calibration;

        @Option(names = "--corrupt-every", defaultValue = "500", description = "One record in N is no image, to be"
                + " dead-lettered (default: ${DEFAULT-VALUE}; 0: none).")
        long corruptEvery;

        @Option(names = "--max-heap-slope", defaultValue = "2", description = "Memory verdict: the most the heap"
                + " after a forced full GC may grow over the second half, MiB/min (default: ${DEFAULT-VALUE}).")
        double maxHeapSlope;

        @Option(names = "--max-native-slope", defaultValue = "4", description = "Memory verdict: the most native"
                + " memory (RSS − committed heap − committed non-heap) may grow over the second half, MiB/min"
                + " (default: ${DEFAULT-VALUE}).")
        double maxNativeSlope;

        @Option(names = "--work-dir", paramLabel = "DIR", description = "Broker logs, checkpoints and RocksDB files"
                + " (default: a temporary directory, deleted at the end; a given one is kept).")
        Path workDir;

        @Mixin
        JobOptions job;

        @Override
        public Integer call() throws Exception {
            if (!(minutes > 0)) {
                throw new IllegalArgumentException("--minutes must be positive, got " + minutes);
            }
            JobConfig config = job.load(DemoCommand.demoDefaults(job));
            if (config.get(StreamsslOptions.MAX_STEPS) != 0) {
                throw new IllegalArgumentException("bench soak runs for --minutes, but the config or --set/--max-steps"
                        + " gives " + StreamsslOptions.MAX_STEPS.key() + "=" + config.get(StreamsslOptions.MAX_STEPS)
                        + ": leave it out and use --minutes");
            }
            SoakBenchmark.Settings settings = new SoakBenchmark.Settings(Duration.ofMillis(Math.round(minutes * 60_000)),
                    Duration.ofMinutes(1), duration("--interval", interval), rateFactor,
                    duration("--calibration", calibration), corruptEvery, maxHeapSlope, maxNativeSlope, config.asMap(),
                    workDir);
            SoakBenchmark.Result r = SoakBenchmark.run(settings, System.out);
            System.out.println();
            System.out.print(r.verdict().describe());
            return r.verdict().passed() ? 0 : 1;
        }

        private static Duration duration(String option, String value) {
            try {
                return TimeUtils.parseDuration(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + ": not a duration: '" + value + "' (e.g. 10s, 500ms, 1min)");
            }
        }
    }
}
