package io.streamssl.cli.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamssl.models.eval.ForgettingCurves;
import io.streamssl.models.eval.ForgettingCurves.ClassForgetting;
import io.streamssl.models.eval.HeldOutEvaluation;
import io.streamssl.models.snapshot.SnapshotManifest;
import io.streamssl.models.snapshot.SnapshotWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The held-out figures of a run's snapshots evaluated in a row on the same images ({@code streamssl eval
 * --all-snapshots}): a row per snapshot, kNN@200 per class over the snapshots, and each class's
 * {@link ForgettingCurves forgetting}, as a table or one JSON object.
 *
 * @param root the snapshots root the snapshots were found under
 * @param data the held-out set's name
 * @param classes the class names by label
 * @param snapshots the evaluations, in step order
 */
public record SnapshotSeries(Path root, String data, List<String> classes, int trainCount, int testCount,
        List<Evaluated> snapshots) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STEP_DIRECTORY = Pattern.compile("step-\\d{9}");

    /** One snapshot and its evaluation at input size {@code size}. */
    public record Evaluated(Path dir, SnapshotManifest manifest, int size, HeldOutEvaluation.Result result) {}

    public SnapshotSeries {
        snapshots = List.copyOf(snapshots);
        classes = List.copyOf(classes);
    }

    /**
     * The snapshot directories of a snapshots root.
     *
     * @param committed the {@code step-NNNNNNNNN} directories with a manifest at or below {@code LATEST}'s step (all of
     *     them when the root has no {@code LATEST}), in step order
     * @param uncommitted those newer than {@code LATEST}: written by the job but not (yet) committed, which a failed
     *     attempt's replay may rewrite, so they are left out
     */
    public record StepDirectories(List<Path> committed, List<Path> uncommitted) {}

    /**
     * The snapshot directories under a snapshots root.
     *
     * @throws IllegalArgumentException when {@code root} is not a directory or holds no committed snapshot, saying
     *     what to give
     */
    public static StepDirectories stepDirectories(Path root) {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("snapshots root " + root + " does not exist: --all-snapshots wants"
                    + " --snapshot to be the directory holding the step-NNNNNNNNN snapshots (snapshots.dir of the"
                    + " job)");
        }
        List<Path> dirs;
        String latest;
        try (Stream<Path> entries = Files.list(root)) {
            dirs = entries.filter(d -> STEP_DIRECTORY.matcher(d.getFileName().toString()).matches())
                    .filter(d -> Files.isRegularFile(d.resolve(SnapshotWriter.MANIFEST_FILE))).sorted().toList();
            Path latestFile = root.resolve(SnapshotWriter.LATEST_FILE);
            latest = Files.isRegularFile(latestFile) ? Files.readString(latestFile).trim() : null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        // step-NNNNNNNNN is zero-padded: the names sort as the steps do
        List<Path> committed = dirs.stream().filter(d -> latest == null
                || d.getFileName().toString().compareTo(latest) <= 0).toList();
        List<Path> uncommitted = dirs.stream().filter(d -> !committed.contains(d)).toList();
        if (committed.isEmpty()) {
            throw new IllegalArgumentException("no committed step-NNNNNNNNN snapshot with a "
                    + SnapshotWriter.MANIFEST_FILE + " in " + root + (uncommitted.isEmpty() ? ""
                            : " (" + uncommitted.size() + " newer than LATEST, not committed)")
                    + ": --all-snapshots wants --snapshot to be the snapshots root (snapshots.dir of the job), not one"
                    + " step directory");
        }
        return new StepDirectories(committed, uncommitted);
    }

    /** kNN@200 per class of each snapshot, and the forgetting they show. */
    public ForgettingCurves forgetting() {
        long[] steps = snapshots.stream().mapToLong(s -> s.manifest().step()).toArray();
        double[][] perClass = snapshots.stream().map(s -> s.result().knn(200).perClassAccuracy())
                .toArray(double[][]::new);
        return ForgettingCurves.of(steps, perClass);
    }

    private String className(int c) {
        return c + " " + classes.get(c);
    }

    /** The table: a row per snapshot, kNN@200 per class (a column per class), then the forgetting per class. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        SnapshotManifest first = snapshots.get(0).manifest();
        sb.append(String.format(Locale.ROOT, "%s, %s %s width %d: %d snapshot(s) under %s; %s: %d training / %d test"
                + " images (%d classes)%n", first.method(), first.encoder().arch(), first.encoder().stem(),
                first.encoder().width(), snapshots.size(), root, data, trainCount, testCount, classes.size()));
        sb.append(String.format(Locale.ROOT, "%10s %8s %8s %8s %8s%n", "step", "kNN@20", "kNN@200", "linear",
                "seconds"));
        for (Evaluated s : snapshots) {
            HeldOutEvaluation.Result r = s.result();
            sb.append(String.format(Locale.ROOT, "%10d %8.4f %8.4f %8.4f %8.1f%n", s.manifest().step(),
                    r.knn(20).top1(), r.knn(200).top1(), r.linear().top1(), r.seconds()));
        }
        int k = snapshots.get(0).result().knn(200).k();
        sb.append("kNN@200 per class (columns: class index, named below")
                .append(k == 200 ? "" : "; k clamped to the " + k + "-image bank").append("):\n")
                .append(String.format(Locale.ROOT, "%10s", "step"));
        for (int c = 0; c < classes.size(); c++) {
            sb.append(String.format(Locale.ROOT, " %7d", c));
        }
        sb.append('\n');
        for (Evaluated s : snapshots) {
            sb.append(String.format(Locale.ROOT, "%10d", s.manifest().step()));
            for (double a : s.result().knn(200).perClassAccuracy()) {
                sb.append(String.format(Locale.ROOT, " %7s", PerClassEvaluation.figure(a)));
            }
            sb.append('\n');
        }
        ForgettingCurves f = forgetting();
        sb.append("forgetting of kNN@200 per class: ").append(PerClassEvaluation.averageSentence(f)).append('\n');
        PerClassEvaluation.classLines(f, this::className).forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }

    /** One JSON object: data, a record per snapshot (with kNN@200 per class), and the forgetting. */
    public String json() {
        ObjectNode root = JSON.createObjectNode();
        root.put("snapshots_root", this.root.toString());
        root.put("knn_200_k", snapshots.get(0).result().knn(200).k()); // less than 200 when clamped to the bank
        ObjectNode d = root.putObject("data");
        d.put("name", data);
        d.put("train_n", trainCount);
        d.put("test_n", testCount);
        ArrayNode names = d.putArray("classes");
        classes.forEach(names::add);
        ArrayNode list = root.putArray("snapshots");
        for (Evaluated s : snapshots) {
            HeldOutEvaluation.Result r = s.result();
            ObjectNode o = list.addObject();
            o.put("step", s.manifest().step());
            o.put("dir", s.dir().toString());
            o.put("method", s.manifest().method());
            o.put("weights_sha256", s.manifest().weightsSha256());
            o.put("knn_20", r.knn(20).top1());
            o.put("knn_200", r.knn(200).top1());
            o.put("linear", r.linear().top1());
            o.put("seconds", r.seconds());
            ArrayNode perClass = o.putArray("knn_200_per_class");
            for (double a : r.knn(200).perClassAccuracy()) {
                number(perClass, a);
            }
        }
        ForgettingCurves f = forgetting();
        ObjectNode fo = root.putObject("forgetting");
        fo.put("measure", "best kNN@200 of the class before the last snapshot minus its last (Chaudhry et al. 2018)");
        putNumber(fo, "average", f.averageForgetting());
        fo.put("classes_averaged", f.averagedClassCount());
        ArrayNode per = fo.putArray("per_class");
        for (ClassForgetting c : f.classes()) {
            ObjectNode o = per.addObject();
            o.put("class", c.classIndex());
            o.put("name", classes.get(c.classIndex()));
            putNumber(o, "best", c.best());
            if (c.bestStep() < 0) {
                o.putNull("best_step");
            } else {
                o.put("best_step", c.bestStep());
            }
            putNumber(o, "final", c.finalAccuracy());
            putNumber(o, "forgetting", c.forgetting());
        }
        return root.toString();
    }

    /** NaN (undefined) is null in JSON. */
    private static void putNumber(ObjectNode o, String name, double v) {
        if (Double.isNaN(v)) {
            o.putNull(name);
        } else {
            o.put(name, v);
        }
    }

    private static void number(ArrayNode a, double v) {
        if (Double.isNaN(v)) {
            a.addNull();
        } else {
            a.add(v);
        }
    }
}
