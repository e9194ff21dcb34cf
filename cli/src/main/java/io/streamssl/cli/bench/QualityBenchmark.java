package io.streamssl.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamssl.connectors.dataset.Cifar10Binary;
import io.streamssl.models.encoder.EncoderSpec;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import io.streamssl.pipeline.program.JobRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How good the features are that the real training job learns from a stream of N CIFAR-10 images: the job of
 * {@code demo} (in-process Kafka broker, CIFAR-10 training set produced into it, a local Flink cluster, the
 * trainer stopped with a savepoint at {@code trainer.max-steps = ceil(N / batch-size)}), then {@code eval} on
 * the final snapshot beside a randomly initialised encoder of the same architecture.
 *
 * <pre>{@code
 * QualityBenchmark.Result r = new QualityBenchmark(settings, System.out).run();
 * System.out.print(QualityBenchmark.table(r));
 * }</pre>
 *
 * <p>The producer sends exactly the {@code max-steps × batch-size} images the job trains on (whole passes over
 * the 50,000 training images, then the start of the next), as fast as the broker takes them: a bounded producer
 * costs the same CPU at any rate, and unthrottled it never holds the trainer back.
 */
public final class QualityBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The run's metrics topic, saved in the work directory. */
    static final String METRICS_LOG = InProcessJob.METRICS_LOG;

    /**
     * One run: {@code config} is the job's complete configuration except the broker's address (method, max-steps,
     * snapshot and checkpoint directories set); {@code images} the budget it was derived from.
     */
    public record Settings(JobConfig config, long images, Path cifar10, int trainN, int testN, Path workDir) {
        public Settings {
            if (images < 1) {
                throw new IllegalArgumentException("--images must be at least 1, got " + images);
            }
            if (trainN < 200) {
                throw new IllegalArgumentException("--train-n must be at least 200 (the kNN@200 bank), got " + trainN);
            }
            if (testN < 1) {
                throw new IllegalArgumentException("--test-n must be at least 1, got " + testN);
            }
        }

        /** {@code ceil(images / batch)}: the steps that train on at least {@code images} images. */
        public static long steps(long images, int batchSize) {
            return (images + batchSize - 1) / batchSize;
        }
    }

    /** What a run measured; {@code eval} is {@code eval --json}'s whole object. */
    public record Result(String method, EncoderSpec encoder, int batchSize, long imagesRequested, long imagesSeen,
            long steps, double loss, String snapshot, int trainN, int testN, SnapshotEvaluation.Scores trained,
            SnapshotEvaluation.Scores random, double trainSeconds, double evalSeconds, JsonNode eval) {}

    private final Settings settings;
    private final PrintStream out;

    /** {@code out} receives progress: the job's step lines and the evaluation's. */
    public QualityBenchmark(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    /**
     * Fails with what to do when {@code dir} does not hold CIFAR-10's binary version (training and test files).
     */
    public static void checkCifar10(Path dir) {
        List<String> files = new ArrayList<>(Cifar10Binary.TRAIN_FILES);
        files.add(Cifar10Binary.TEST_FILE);
        List<String> missing = files.stream().filter(f -> !Files.isRegularFile(dir.resolve(f))).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("CIFAR-10 not found at " + dir.toAbsolutePath() + (Files.isDirectory(dir)
                    ? " (missing " + String.join(", ", missing) + ")" : " (no such directory)")
                    + ": bench quality trains on CIFAR-10's training set and evaluates on its test set, and the data"
                    + " set is not in the repository. Download the binary version"
                    + " (https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz), unpack it and give --cifar10 the"
                    + " directory that holds " + String.join(", ", files) + ".");
        }
    }

    /** Trains, evaluates, writes {@code result.json} into the work directory and returns the figures. */
    public Result run() throws Exception {
        checkCifar10(settings.cifar10());
        Path work = InProcessJob.prepare(settings.workDir());
        JobConfig config = settings.config();
        long steps = config.get(StreamsslOptions.MAX_STEPS);
        int batch = config.get(StreamsslOptions.BATCH_SIZE);
        EncoderSpec encoder = config.encoderSpec();
        String method = config.get(StreamsslOptions.METHOD);
        out.printf(Locale.ROOT, "bench quality: %s, %s %s width %d, batch %d: %d CIFAR-10 images = %d steps (%.2f"
                + " passes over the training set); work directory %s%n", method, encoder.arch(),
                encoder.stem().name().toLowerCase(Locale.ROOT), encoder.width(), batch, steps * batch, steps,
                steps * batch / (double) Cifar10Binary.train(settings.cifar10()).size(), work);

        InProcessJob.Outcome job = InProcessJob.run(config, work, producer -> producer
                .setDataset(Cifar10Binary.train(settings.cifar10()))
                .optRepeat(0)
                .optMaxRecords(steps * batch), out);
        JobRunner.Summary summary = job.summary();
        if (summary.snapshot() == null) {
            throw new IllegalStateException("the job reached step " + summary.steps() + " without writing a snapshot");
        }

        long t1 = System.nanoTime();
        JsonNode eval = SnapshotEvaluation.evaluate(Path.of(summary.snapshot()), settings.cifar10(), settings.trainN(),
                settings.testN(), out);
        double evalSeconds = (System.nanoTime() - t1) / 1e9;
        Result result = new Result(method, encoder, batch, settings.images(), summary.images(), summary.steps(),
                summary.loss(), summary.snapshot(), settings.trainN(), settings.testN(),
                SnapshotEvaluation.scores(eval, "snapshot"), SnapshotEvaluation.scores(eval, "random-init"),
                job.trainSeconds(), evalSeconds, eval);
        long evaluatedStep = eval.at("/snapshot/step").asLong();
        if (evaluatedStep != summary.steps()) {
            out.printf(Locale.ROOT, "warning: the evaluated snapshot is of step %d, the job stopped at step %d%n",
                    evaluatedStep, summary.steps());
        }
        Files.writeString(work.resolve("result.json"), json(result) + System.lineSeparator());
        return result;
    }

    /** The final table: the run, then both encoders' figures. */
    public static String table(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "bench quality: %s on CIFAR-10, %s %s width %d, batch %d; evaluated on"
                + " %d training / %d test images%n", r.method(), r.encoder().arch(),
                r.encoder().stem().name().toLowerCase(Locale.ROOT), r.encoder().width(), r.batchSize(), r.trainN(),
                r.testN()));
        sb.append(String.format(Locale.ROOT, "%-12s %12s %8s %12s %10s%n", "method", "images seen", "steps",
                "training s", "eval s"));
        sb.append(String.format(Locale.ROOT, "%-12s %12d %8d %12.1f %10.1f%n", r.method(), r.imagesSeen(),
                r.steps(), r.trainSeconds(), r.evalSeconds()));
        sb.append(String.format(Locale.ROOT, "%-12s %8s %8s %8s%n", "encoder", "kNN@20", "kNN@200", "linear"));
        for (SnapshotEvaluation.Scores s : List.of(r.trained(), r.random())) {
            sb.append(String.format(Locale.ROOT, "%-12s %8.4f %8.4f %8.4f%n", s.encoder(), s.knn20(), s.knn200(),
                    s.linear()));
        }
        return sb.toString();
    }

    /** One JSON object: the run's figures, with {@code eval --json}'s object under {@code eval}. */
    public static String json(Result r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("benchmark", "quality");
        root.put("method", r.method());
        root.put("arch", r.encoder().arch());
        root.put("stem", r.encoder().stem().name().toLowerCase(Locale.ROOT));
        root.put("width", r.encoder().width());
        root.put("batch_size", r.batchSize());
        root.put("images", r.imagesRequested());
        root.put("images_seen", r.imagesSeen());
        root.put("steps", r.steps());
        root.put("loss", r.loss());
        root.put("train_seconds", r.trainSeconds());
        root.put("eval_seconds", r.evalSeconds());
        root.put("train_n", r.trainN());
        root.put("test_n", r.testN());
        root.put("snapshot_path", r.snapshot());
        for (SnapshotEvaluation.Scores s : List.of(r.trained(), r.random())) {
            ObjectNode o = root.putObject(s.encoder().equals("snapshot") ? "snapshot" : "random_init");
            o.put("knn_20", s.knn20());
            o.put("knn_200", s.knn200());
            o.put("linear", s.linear());
            o.put("seconds", s.seconds());
        }
        root.set("eval", r.eval());
        return root.toString();
    }

    /** The markdown table's header and separator lines that {@link #markdownRow} rows go under. */
    public static String markdownHeader() {
        return "| method | images seen | steps | kNN@20 | kNN@200 | linear | random kNN@20 | random kNN@200"
                + " | random linear | eval train/test | training s | eval s |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    }

    /** One run as a markdown table row. */
    public static String markdownRow(Result r) {
        return String.format(Locale.ROOT, "| %s | %,d | %,d | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %d/%d | %.0f |"
                + " %.0f |%n", r.method(), r.imagesSeen(), r.steps(), r.trained().knn20(), r.trained().knn200(),
                r.trained().linear(), r.random().knn20(), r.random().knn200(), r.random().linear(), r.trainN(),
                r.testN(), r.trainSeconds(), r.evalSeconds());
    }

    /** Appends {@code r}'s row to {@code file}, after the header when the file is new or empty. */
    public static void appendRow(Path file, Result r) throws IOException {
        MarkdownTableFile.append(file, markdownHeader(), markdownRow(r));
    }
}
