package io.streamssl.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamssl.connectors.dataset.Cifar10Binary;
import io.streamssl.connectors.dataset.StreamOrder;
import io.streamssl.connectors.dataset.StreamSchedule;
import io.streamssl.connectors.event.EvalEvent;
import io.streamssl.connectors.event.TrainerEventCodec;
import io.streamssl.models.encoder.EncoderSpec;
import io.streamssl.models.snapshot.SnapshotWriter;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Continual pretraining on a class-incremental CIFAR-10 stream (issue 14): the real job, as {@code demo} runs
 * it, once per {@link ContinualCase} on the same class-balanced subset of N training images sent once (a single
 * pass), at the same compute budget ({@code replay.updates-per-sample} U: every case trains
 * {@code floor(N·U / batch)} steps). The job's own held-out evaluator scores a snapshot at the end of each phase
 * ({@code snapshots.every-steps = floor(steps / phases)}, and the last step); its per-class kNN@200 give the
 * average forgetting. A randomly initialised encoder of the same network is scored once as the floor.
 *
 * <pre>{@code
 * ContinualBenchmark.Result r = new ContinualBenchmark(settings, System.out).run();
 * System.out.print(ContinualReport.table(r));
 * }</pre>
 */
public final class ContinualBenchmark {

    /** The class order's and the iid shuffle's seed. */
    static final long ORDER_SEED = StreamOrder.DEFAULT_SEED;
    /** CIFAR-10's classes. */
    public static final int CLASSES = 10;

    /**
     * One benchmark: {@code config} is the job's configuration for every case but the broker, the replay policy
     * and the case's directories (method, batch, max-steps, snapshot interval, replay mix and {@code eval.*} set).
     */
    public record Settings(JobConfig config, int images, int phases, List<ContinualCase> cases, Path cifar10,
            Path workDir) {
        public Settings {
            cases = List.copyOf(cases);
            check(images, phases, config.get(StreamsslOptions.BATCH_SIZE),
                    config.get(StreamsslOptions.REPLAY_UPDATES_PER_SAMPLE));
        }

        /** {@code floor(N·U / batch)}: the steps the N records' N·U training samples fill. */
        public static long steps(int images, double updatesPerSample, int batch) {
            return (long) Math.floor(images * updatesPerSample / batch + 1e-9);
        }

        /** {@code floor(steps / phases)}: the snapshot interval that puts a snapshot at each phase's end. */
        public static long stepsPerPhase(long steps, int phases) {
            return steps / phases;
        }

        /** Fails naming the option when the replay cases cannot run: a ratio outside [0, 1], a buffer below a batch. */
        public static void checkReplay(double ratio, int capacity, int batch) {
            if (!(ratio >= 0 && ratio <= 1)) {
                throw new IllegalArgumentException("--ratio (replay.ratio) must be in [0, 1], got " + ratio);
            }
            if (capacity < batch) {
                throw new IllegalArgumentException("--capacity (replay.capacity) must be at least the batch size ("
                        + batch + "), got " + capacity);
            }
        }

        /**
         * Fails naming the option when the images, phases and budget do not make a benchmark: a balanced subset
         * needs a multiple of the classes, a phase whole classes, and every phase at least one step.
         */
        public static void check(int images, int phases, int batch, double updatesPerSample) {
            if (phases < 2 || CLASSES % phases != 0) {
                throw new IllegalArgumentException("--phases must divide CIFAR-10's " + CLASSES + " classes into at"
                        + " least 2 phases (2, 5 or 10), got " + phases);
            }
            if (images < CLASSES || images % CLASSES != 0) {
                throw new IllegalArgumentException("--images must be a positive multiple of " + CLASSES + " (a"
                        + " class-balanced subset: N/" + CLASSES + " images per class), got " + images);
            }
            if (images / CLASSES > 5000) {
                throw new IllegalArgumentException("--images: CIFAR-10 has 5,000 training images per class, so at"
                        + " most 50000, got " + images);
            }
            if (!(updatesPerSample > 0)) {
                throw new IllegalArgumentException("--updates-per-sample must be > 0, got " + updatesPerSample);
            }
            long steps = steps(images, updatesPerSample, batch);
            if (stepsPerPhase(steps, phases) < 1) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "--images %d × --updates-per-sample %s"
                        + " fill %d steps of batch %d, fewer than one per phase (%d phases): give more images",
                        images, updatesPerSample, steps, batch, phases));
            }
        }
    }

    /**
     * One case's run.
     *
     * @param phaseSteps the step evaluated at each phase's end
     * @param phaseKnn200 kNN@200 over all classes at each phase's end, NaN where the job has no evaluation
     * @param phasePerClass kNN@200 per class at each phase's end (a row of NaN where missing)
     * @param forgetting the average forgetting over the phase-end evaluations ({@link ForgettingOverPhases})
     */
    public record CaseResult(ContinualCase c, long steps, long samples, double finalKnn200, double forgetting,
            long[] phaseSteps, double[] phaseKnn200, double[][] phasePerClass, double seconds, String snapshot) {}

    /** What the benchmark measured; {@code random} is the random encoder's scores, null when no case ran. */
    public record Result(String method, EncoderSpec encoder, int batchSize, int images, int phases,
            double updatesPerSample, double ratio, int capacity, int evalTrainN, int evalTestN,
            List<List<Integer>> classOrder, List<CaseResult> cases, SnapshotEvaluation.Scores random,
            double randomSeconds) {}

    private final Settings settings;
    private final PrintStream out;

    /** {@code out} receives progress: each case's start, the job's step and eval lines, each case's figures. */
    public ContinualBenchmark(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    /** Runs every case, then the random encoder; writes {@code result.json} into the work directory. */
    public Result run() throws Exception {
        QualityBenchmark.checkCifar10(settings.cifar10());
        JobConfig config = settings.config();
        int batch = config.get(StreamsslOptions.BATCH_SIZE);
        double u = config.get(StreamsslOptions.REPLAY_UPDATES_PER_SAMPLE);
        long steps = config.get(StreamsslOptions.MAX_STEPS);
        long perPhase = Settings.stepsPerPhase(steps, settings.phases());
        BalancedSubset data = new BalancedSubset(Cifar10Binary.train(settings.cifar10()),
                settings.images() / CLASSES);
        StreamOrder incremental = StreamOrder.classIncremental(CLASSES / settings.phases(), ORDER_SEED);
        List<List<Integer>> classOrder = incremental.schedule(data.labels()).phases().stream()
                .map(StreamSchedule.Phase::classes).toList();
        EncoderSpec encoder = config.encoderSpec();
        out.printf(Locale.ROOT, "bench continual: %s, %s %s width %d, batch %d; %d CIFAR-10 images (%d per class)"
                + " once, %d phases %s; U = %s: %d steps each (%d per phase); eval %d bank / %d query images%n",
                config.get(StreamsslOptions.METHOD), encoder.arch(), encoder.stem().name().toLowerCase(Locale.ROOT),
                encoder.width(), batch, settings.images(), settings.images() / CLASSES, settings.phases(), classOrder,
                u, steps, perPhase, config.get(StreamsslOptions.EVAL_BANK_SIZE),
                config.get(StreamsslOptions.EVAL_QUERY_SIZE));

        List<CaseResult> results = new ArrayList<>();
        for (ContinualCase c : settings.cases()) {
            out.printf(Locale.ROOT, "%n== case %d/%d: %s (replay.policy=%s, %s stream) ==%n", results.size() + 1,
                    settings.cases().size(), c.cliName(), c.policy(), c.iid() ? "iid" : "class-incremental");
            Path work = InProcessJob.prepare(settings.workDir().resolve(c.cliName()));
            JobConfig job = config.with(Map.of(StreamsslOptions.REPLAY_POLICY.key(), c.policy(),
                    StreamsslOptions.SNAPSHOT_DIR.key(), work.resolve("snapshots").toString(),
                    StreamsslOptions.CHECKPOINT_DIR.key(), work.resolve("checkpoints").toString()));
            StreamOrder order = c.iid() ? StreamOrder.iid(ORDER_SEED) : incremental;
            InProcessJob.Outcome o = InProcessJob.run(job, work, p -> p.setDataset(data).optOrder(order).optRepeat(1),
                    out);
            CaseResult r = caseResult(c, job, o, perPhase, settings.phases());
            results.add(r);
            out.println(ContinualReport.caseLine(r));
        }

        SnapshotEvaluation.Scores random = null;
        double randomSeconds = Double.NaN;
        if (!results.isEmpty() && results.get(0).snapshot() != null) {
            CaseResult first = results.get(0);
            long t0 = System.nanoTime();
            JsonNode eval = SnapshotEvaluation.evaluate(Path.of(first.snapshot()), settings.cifar10(),
                    config.get(StreamsslOptions.EVAL_BANK_SIZE), config.get(StreamsslOptions.EVAL_QUERY_SIZE), out);
            randomSeconds = (System.nanoTime() - t0) / 1e9;
            random = SnapshotEvaluation.scores(eval, "random-init");
            double again = SnapshotEvaluation.scores(eval, "snapshot").knn200();
            if (Double.compare(again, first.finalKnn200()) != 0) {
                out.printf(Locale.ROOT, "warning: eval gives kNN@200 %.4f for %s's final snapshot, the job's evaluator"
                        + " gave %.4f%n", again, first.c().cliName(), first.finalKnn200());
            }
        }
        Result result = new Result(config.get(StreamsslOptions.METHOD), encoder, batch, settings.images(),
                settings.phases(), u, config.get(StreamsslOptions.REPLAY_RATIO),
                config.get(StreamsslOptions.REPLAY_CAPACITY), config.get(StreamsslOptions.EVAL_BANK_SIZE),
                config.get(StreamsslOptions.EVAL_QUERY_SIZE), classOrder, results, random, randomSeconds);
        Files.writeString(settings.workDir().resolve("result.json"), ContinualReport.json(result)
                + System.lineSeparator());
        return result;
    }

    /**
     * The case's figures from its run's {@code eval} records: one per phase end, the last at the final step. The
     * job's evaluator skips a snapshot when a newer one is committed before it is free; such a phase end is
     * evaluated here, after the run, by {@code eval} on the same images (the same figures: one code path).
     */
    private CaseResult caseResult(ContinualCase c, JobConfig job, InProcessJob.Outcome o, long perPhase, int phases)
            throws IOException {
        TreeMap<Long, EvalEvent> evals = new TreeMap<>();
        for (String json : o.metrics()) {
            if (TrainerEventCodec.decode(json) instanceof EvalEvent e) {
                evals.put(e.header().step(), e); // a step evaluated again after a restore: the same figures
            }
        }
        long finalStep = o.summary().steps();
        long[] phaseSteps = new long[phases];
        double[] knn200 = new double[phases];
        double[][] perClass = new double[phases][];
        for (int p = 0; p < phases; p++) {
            phaseSteps[p] = p == phases - 1 ? finalStep : (p + 1) * perPhase;
            EvalEvent e = evals.get(phaseSteps[p]);
            if (e != null) {
                knn200[p] = e.knn200();
                perClass[p] = e.knn200PerClass();
                continue;
            }
            Path snapshot = Path.of(job.get(StreamsslOptions.SNAPSHOT_DIR),
                    SnapshotWriter.directoryName(phaseSteps[p]));
            if (!Files.isDirectory(snapshot)) {
                out.printf(Locale.ROOT, "warning: %s has no snapshot of step %d (end of phase %d) to evaluate%n",
                        c.cliName(), phaseSteps[p], p + 1);
                knn200[p] = Double.NaN;
                continue;
            }
            out.printf(Locale.ROOT, "%s: the job's evaluator skipped step %d (end of phase %d); evaluating it now%n",
                    c.cliName(), phaseSteps[p], p + 1);
            JsonNode eval = SnapshotEvaluation.evaluate(snapshot, settings.cifar10(),
                    settings.config().get(StreamsslOptions.EVAL_BANK_SIZE),
                    settings.config().get(StreamsslOptions.EVAL_QUERY_SIZE), false, out);
            knn200[p] = SnapshotEvaluation.scores(eval, "snapshot").knn200();
            perClass[p] = perClass(eval.at("/results/0/knn_200_per_class"));
        }
        ForgettingOverPhases f = ForgettingOverPhases.of(phaseSteps, knn200, perClass);
        return new CaseResult(c, finalStep, o.summary().images(), knn200[phases - 1], f.averageForgetting(),
                phaseSteps, knn200, f.perClass(), o.trainSeconds(), o.summary().snapshot());
    }

    /** eval's {@code knn_200_per_class}: null (a class without queries) is NaN. */
    private static double[] perClass(JsonNode array) {
        if (!array.isArray() || array.isEmpty()) {
            throw new IllegalStateException("eval's output has no knn_200_per_class: " + array);
        }
        double[] a = new double[array.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = array.get(i).isNumber() ? array.get(i).asDouble() : Double.NaN;
        }
        return a;
    }
}
