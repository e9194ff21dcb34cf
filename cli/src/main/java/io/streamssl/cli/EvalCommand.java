package io.streamssl.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamssl.cli.report.SnapshotSeries;
import io.streamssl.models.encoder.EncoderSpec;
import io.streamssl.models.eval.FeatureExtractor;
import io.streamssl.models.eval.HeldOutEvaluation;
import io.streamssl.models.eval.LogisticRegressionProbe.ProbeResult;
import io.streamssl.models.eval.WeightedKnn;
import io.streamssl.models.eval.WeightedKnn.KnnResult;
import io.streamssl.models.snapshot.SnapshotEncoder;
import io.streamssl.models.snapshot.SnapshotManifest;
import io.streamssl.models.snapshot.SnapshotWriter;
import io.streamssl.pipeline.eval.HeldOutImages;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code streamssl eval}: how good a snapshot's features are, by the two standard protocols on frozen features
 * (weighted kNN at k = 20 and 200, and a linear probe), optionally beside a randomly initialised encoder of the
 * same architecture.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a snapshot's frozen features on labelled images: weighted kNN (cosine, k = 20 and"
                + " 200, votes exp(sim/0.1)) and a linear probe (logistic regression on standardised features,"
                + " full-batch L-BFGS to convergence). Features of the first --train-n training images form the kNN"
                + " bank and the probe's training set; --test-n test images are scored.",
                "With --all-snapshots: every snapshot of the --snapshot root in step order, kNN@200 per class over"
                        + " them and each class's forgetting.",
                "Example: ./streamssl eval --snapshot streamssl-out/demo/snapshots --cifar10 DIR --baseline random"})
public final class EvalCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--snapshot", required = true, paramLabel = "DIR",
            description = "A snapshot step directory (step-NNNNNNNNN) or a snapshots root with a LATEST file.")
    Path snapshot;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--cifar10", paramLabel = "DIR",
                description = "CIFAR-10 binary directory (data_batch_*.bin for training, test_batch.bin for test).")
        Path cifar10;

        @Option(names = "--folder", paramLabel = "DIR", description = "Image folder DIR/<class>/<image>.png|jpg, or"
                + " DIR/train/<class>/… and DIR/test/<class>/… (else split at random with --seed).")
        Path folder;
    }

    @Option(names = "--train-n", defaultValue = "10000", paramLabel = "N",
            description = "Training images: the kNN bank and the probe's training set (default: ${DEFAULT-VALUE}).")
    int trainN;

    @Option(names = "--test-n", defaultValue = "2000", paramLabel = "M",
            description = "Test images scored (default: ${DEFAULT-VALUE}).")
    int testN;

    @Option(names = "--baseline", paramLabel = "random",
            description = "'random': also evaluate a randomly initialised encoder of the snapshot's architecture"
                    + " (seeded with --seed), the floor beside every figure.")
    String baseline;

    @Option(names = "--seed", defaultValue = "42",
            description = "Seed of the random baseline's weights and of a folder's split (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", defaultValue = "256",
            description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Option(names = "--all-snapshots", description = "Evaluate every step-NNNNNNNNN snapshot under the --snapshot"
            + " root, in step order, on the same images: each one's figures, kNN@200 per class over the snapshots,"
            + " and each class's forgetting (its best kNN@200 before the last snapshot minus the last).")
    boolean allSnapshots;

    /** One evaluated encoder. */
    record Row(String encoder, List<KnnResult> knn, ProbeResult linear, double seconds) {}

    @Override
    public Integer call() {
        if (baseline != null && !baseline.equals("random")) {
            throw new IllegalArgumentException("--baseline must be 'random', got '" + baseline + "'");
        }
        if (trainN < 1 || testN < 1) {
            throw new IllegalArgumentException("--train-n and --test-n must be at least 1, got " + trainN + " and "
                    + testN);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        }
        if (allSnapshots && baseline != null) {
            throw new IllegalArgumentException("--baseline goes with one snapshot, not with --all-snapshots: evaluate"
                    + " the baseline once with --snapshot DIR --baseline random");
        }
        SnapshotSeries.StepDirectories stepDirectories = null;
        if (allSnapshots) {
            stepDirectories = SnapshotSeries.stepDirectories(snapshot); // checked before the images are read
            if (!stepDirectories.uncommitted().isEmpty()) {
                status("left out " + stepDirectories.uncommitted().size() + " snapshot(s) newer than "
                        + SnapshotWriter.LATEST_FILE + " (not committed): " + stepDirectories.uncommitted().stream()
                                .map(d -> d.getFileName().toString()).toList());
            }
        } else {
            checkSnapshot(snapshot);
        }
        HeldOutImages images = source.cifar10 != null ? HeldOutImages.cifar10(source.cifar10, trainN, testN)
                : HeldOutImages.folder(source.folder, trainN, testN, seed);
        if (images.classes().size() < 2) {
            throw new IllegalArgumentException(images.name() + " has " + images.classes().size()
                    + " class(es): evaluation needs at least 2");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (allSnapshots) {
            SnapshotSeries result = evaluateAll(stepDirectories, images);
            out.print(json ? result.json() + "\n" : result.table());
            out.flush();
            return 0;
        }
        List<Row> rows = new ArrayList<>();
        SnapshotManifest manifest;
        EncoderSpec architecture;
        int size;
        try (SnapshotEncoder encoder = SnapshotEncoder.load(snapshot)) {
            manifest = encoder.manifest();
            architecture = encoder.encoderSpec();
            size = manifest.check() == null ? 32 : manifest.check().size();
            rows.add(evaluate("snapshot", encoder, images, size));
        }
        if (baseline != null) {
            try (SnapshotEncoder random = SnapshotEncoder.randomlyInitialized(architecture, manifest.mean(),
                    manifest.std(), size, seed)) {
                rows.add(evaluate(SnapshotEncoder.RANDOM_METHOD, random, images, size));
            }
        }
        if (json) {
            out.println(json(manifest, images, size, rows));
        } else {
            out.print(table(manifest, images, size, rows));
        }
        out.flush();
        return 0;
    }

    /** Each snapshot on the same images, one at a time (one encoder in memory). */
    private SnapshotSeries evaluateAll(SnapshotSeries.StepDirectories stepDirectories, HeldOutImages images) {
        List<SnapshotSeries.Evaluated> series = new ArrayList<>();
        for (Path dir : stepDirectories.committed()) {
            if (!Files.isDirectory(dir)) { // the job's retention deleted it since the listing
                status("skipped " + dir + ": deleted since it was listed (the job's snapshots.retain-*)");
                continue;
            }
            try (SnapshotEncoder encoder = SnapshotEncoder.load(dir)) {
                SnapshotManifest m = encoder.manifest();
                int size = m.check() == null ? 32 : m.check().size();
                series.add(new SnapshotSeries.Evaluated(dir, m, size,
                        evaluation("step " + m.step(), encoder, images, size)));
            }
        }
        if (series.isEmpty()) {
            throw new IllegalArgumentException("every snapshot listed under " + snapshot + " was deleted before its"
                    + " turn: evaluate the snapshots of a stopped job, or raise snapshots.retain-newest");
        }
        return new SnapshotSeries(snapshot, images.name(), images.classes(), images.trainCount(),
                images.testCount(), series);
    }

    private static void checkSnapshot(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("snapshot directory " + dir + " does not exist: give --snapshot a"
                    + " step-NNNNNNNNN directory or a snapshots root with a LATEST file (snapshots.dir of the job)");
        }
        if (!Files.isRegularFile(dir.resolve(SnapshotWriter.LATEST_FILE))
                && !Files.isRegularFile(dir.resolve(SnapshotWriter.MANIFEST_FILE))) {
            throw new IllegalArgumentException("no snapshot in " + dir + ": it has neither "
                    + SnapshotWriter.MANIFEST_FILE + " (a step directory) nor " + SnapshotWriter.LATEST_FILE
                    + " (a snapshots root whose snapshot has been published)");
        }
    }

    private Row evaluate(String name, SnapshotEncoder encoder, HeldOutImages images, int size) {
        HeldOutEvaluation.Result r = evaluation(name, encoder, images, size);
        return new Row(name, r.knn(), r.linear(), r.seconds());
    }

    private HeldOutEvaluation.Result evaluation(String name, SnapshotEncoder encoder, HeldOutImages images, int size) {
        HeldOutEvaluation.Result r = new HeldOutEvaluation(batchSize).evaluate(encoder, images.train(size),
                images.trainCount(), images.test(size), images.testCount(), images.classes().size(), progress(name));
        ProbeResult linear = r.linear();
        status(String.format(Locale.ROOT, "%s: done in %.1f s (probe %s after %d iterations, gradient norm %.2e)",
                name, r.seconds(), linear.converged() ? "converged" : "NOT converged", linear.iterations(),
                linear.gradientNorm()));
        return r;
    }

    private HeldOutEvaluation.Progress progress(String name) {
        return new HeldOutEvaluation.Progress() {
            private final FeatureExtractor.Progress bank = featureProgress(name + " features train");
            private final FeatureExtractor.Progress queries = featureProgress(name + " features test");

            @Override
            public void features(String set, int done, int total) {
                (set.equals("bank") ? bank : queries).done(done, total);
            }

            @Override
            public void stage(String what) {
                status(name + " " + what + " …");
            }
        };
    }

    /** Progress on stderr (stdout stays the table or the JSON): a line per tenth, or one updated line on a console. */
    private FeatureExtractor.Progress featureProgress(String what) {
        boolean console = System.console() != null;
        int[] lastTenth = {-1};
        return (done, total) -> {
            int tenth = (int) (10L * done / Math.max(1, total));
            if (console) {
                spec.commandLine().getErr().printf(Locale.ROOT, "\r%s %d/%d%s", what, done, total,
                        done == total ? "\n" : "");
                spec.commandLine().getErr().flush();
            } else if (tenth != lastTenth[0] || done == total) {
                lastTenth[0] = tenth;
                status(what + " " + done + "/" + total);
            }
        };
    }

    private void status(String line) {
        spec.commandLine().getErr().println(line);
        spec.commandLine().getErr().flush();
    }

    static String table(SnapshotManifest m, HeldOutImages images, int size, List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s step %d, %s %s width %d; %s: %d training / %d test images at %d px"
                + " (%d classes)%n", m.method(), m.step(), m.encoder().arch(), m.encoder().stem(), m.encoder().width(),
                images.name(), images.trainCount(), images.testCount(), size, images.classes().size()));
        sb.append(String.format(Locale.ROOT, "%-12s %8s %8s %8s %12s %8s%n", "encoder", "kNN@20", "kNN@200",
                "linear", "n train/test", "seconds"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-12s %8.4f %8.4f %8.4f %12s %8.1f%n", r.encoder(),
                    r.knn().get(0).top1(), r.knn().get(1).top1(), r.linear().top1(),
                    r.linear().trainCount() + "/" + r.linear().testCount(), r.seconds()));
        }
        for (Row r : rows) {
            ProbeResult p = r.linear();
            sb.append(String.format(Locale.ROOT, "%s linear probe: L-BFGS %s in %d iterations, loss %.4f, gradient"
                    + " norm %.2e, last loss change %.2e, l2 %.0e%n", r.encoder(),
                    p.converged() ? "converged" : "did NOT converge", p.iterations(), p.loss(), p.gradientNorm(),
                    p.lastLossChange(), p.l2()));
        }
        sb.append(String.format(Locale.ROOT, "kNN: cosine, votes exp(sim/%.1f); k clamped to the bank (k=%d, %d)%n",
                WeightedKnn.DEFAULT_TEMPERATURE, rows.get(0).knn().get(0).k(), rows.get(0).knn().get(1).k()));
        return sb.toString();
    }

    static String json(SnapshotManifest m, HeldOutImages images, int size, List<Row> rows) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode snap = root.putObject("snapshot");
        snap.put("method", m.method());
        snap.put("step", m.step());
        snap.put("arch", m.encoder().arch());
        snap.put("stem", m.encoder().stem());
        snap.put("width", m.encoder().width());
        snap.put("feature_dim", m.encoder().featureDim());
        snap.put("weights_sha256", m.weightsSha256());
        ObjectNode data = root.putObject("data");
        data.put("name", images.name());
        data.put("train_n", images.trainCount());
        data.put("test_n", images.testCount());
        data.put("image_size", size);
        ArrayNode classes = data.putArray("classes");
        images.classes().forEach(classes::add);
        root.put("knn_temperature", WeightedKnn.DEFAULT_TEMPERATURE);
        ArrayNode results = root.putArray("results");
        for (Row r : rows) {
            ObjectNode o = results.addObject();
            o.put("encoder", r.encoder());
            for (KnnResult k : r.knn()) {
                o.put("knn_" + k.k(), k.top1());
            }
            o.put("linear", r.linear().top1());
            o.put("train_n", r.linear().trainCount());
            o.put("test_n", r.linear().testCount());
            o.put("seconds", r.seconds());
            for (KnnResult k : r.knn()) {
                ArrayNode perClass = o.putArray("knn_" + k.k() + "_per_class");
                for (double a : k.perClassAccuracy()) {
                    if (Double.isNaN(a)) {
                        perClass.addNull();
                    } else {
                        perClass.add(a);
                    }
                }
            }
            ObjectNode probe = o.putObject("probe");
            probe.put("method", "lbfgs");
            probe.put("converged", r.linear().converged());
            probe.put("iterations", r.linear().iterations());
            probe.put("loss", r.linear().loss());
            probe.put("gradient_norm", r.linear().gradientNorm());
            if (Double.isNaN(r.linear().lastLossChange())) {
                probe.putNull("last_loss_change");
            } else {
                probe.put("last_loss_change", r.linear().lastLossChange());
            }
            probe.put("l2", r.linear().l2());
        }
        return root.toString();
    }
}
