package io.streamssl.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamssl.cli.bench.ContinualBenchmark.CaseResult;
import io.streamssl.cli.bench.ContinualBenchmark.Result;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code bench continual}'s outputs: the table, the share of the off → iid gap the best replay policy closes,
 * one JSON object, and markdown rows.
 */
public final class ContinualReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ContinualReport() {}

    /**
     * {@code (best − off) / (iid − off)}: the share of the gap between the replay-free learner on the
     * class-incremental stream and the iid learner that {@code best} closes; NaN when {@code iid <= off} (no gap)
     * or a figure is NaN. Below 0 when {@code best} is worse than off, above 1 when it beats iid.
     */
    public static double gapClosed(double off, double best, double iid) {
        if (Double.isNaN(off) || Double.isNaN(best) || Double.isNaN(iid) || !(iid > off)) {
            return Double.NaN;
        }
        return (best - off) / (iid - off);
    }

    /** The replay case with the highest final kNN@200 (a NaN figure never wins). */
    public static Optional<CaseResult> bestPolicy(Result r) {
        return r.cases().stream().filter(c -> c.c().replays() && !Double.isNaN(c.finalKnn200()))
                .max(Comparator.comparingDouble(CaseResult::finalKnn200));
    }

    private static Optional<CaseResult> caseOf(Result r, ContinualCase c) {
        return r.cases().stream().filter(x -> x.c() == c).findFirst();
    }

    /** The line under the table: how much of the off → iid gap the best policy closes, or why it is not known. */
    public static String gapLine(Result r) {
        Optional<CaseResult> off = caseOf(r, ContinualCase.OFF);
        Optional<CaseResult> iid = caseOf(r, ContinualCase.IID);
        Optional<CaseResult> best = bestPolicy(r);
        if (off.isEmpty() || iid.isEmpty() || best.isEmpty()) {
            return "gap: needs the off and iid cases and a replay case (fifo, reservoir, minred) with a final figure";
        }
        double o = off.get().finalKnn200();
        double i = iid.get().finalKnn200();
        double b = best.get().finalKnn200();
        double share = gapClosed(o, b, i);
        if (Double.isNaN(share)) {
            return String.format(Locale.ROOT, "gap: iid (%.4f) is not above off (%.4f), so there is no gap to close",
                    i, o);
        }
        return String.format(Locale.ROOT, "best policy (%s, %.4f) closes %.1f %% of the gap between off (%.4f) and"
                + " iid (%.4f)", best.get().c().cliName(), b, 100 * share, o, i);
    }

    /** One case's figures, printed when it ends. */
    public static String caseLine(CaseResult c) {
        return String.format(Locale.ROOT, "case %s: %d steps, %d samples, final kNN@200 %s, average forgetting %s,"
                + " kNN@200 per phase %s, %.0f s", c.c().cliName(), c.steps(), c.samples(), fmt(c.finalKnn200()),
                fmt(c.forgetting()), phases(c.phaseKnn200(), " "), c.seconds());
    }

    /** The table: the run, a row per case, the random encoder, then the gap line. */
    public static String table(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "bench continual: %s on CIFAR-10, %s %s width %d, batch %d; %d training"
                + " images (%d per class) streamed once in %d phases %s; updates-per-sample %s, replay ratio %s,"
                + " capacity %d; held-out kNN@200 on %d bank / %d query images%n", r.method(), r.encoder().arch(),
                r.encoder().stem().name().toLowerCase(Locale.ROOT), r.encoder().width(), r.batchSize(), r.images(),
                r.images() / ContinualBenchmark.CLASSES, r.phases(), r.classOrder(), num(r.updatesPerSample()),
                num(r.ratio()), r.capacity(), r.evalTrainN(), r.evalTestN()));
        String phaseHeader = "kNN@200 after phase 1.." + r.phases();
        int phaseWidth = Math.max(phaseHeader.length(), 7 * r.phases() - 1);
        String row = "%-12s %6s %8s %14s %15s  %-" + phaseWidth + "s %8s%n";
        sb.append(String.format(Locale.ROOT, row, "case", "steps", "samples", "final kNN@200", "avg forgetting",
                phaseHeader, "seconds"));
        for (CaseResult c : r.cases()) {
            sb.append(String.format(Locale.ROOT, row, c.c().cliName(), c.steps(), c.samples(), fmt(c.finalKnn200()),
                    fmt(c.forgetting()), phases(c.phaseKnn200(), " "), String.format(Locale.ROOT, "%.0f",
                            c.seconds())));
        }
        if (r.random() != null) {
            sb.append(String.format(Locale.ROOT, row, "random-init", 0, 0, fmt(r.random().knn200()), "-", "-",
                    String.format(Locale.ROOT, "%.0f", r.randomSeconds())));
        }
        sb.append(gapLine(r)).append(System.lineSeparator());
        return sb.toString();
    }

    /** One JSON object: the settings, each case's figures, the random encoder's and the gap closed. */
    public static String json(Result r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("benchmark", "continual");
        root.put("method", r.method());
        root.put("arch", r.encoder().arch());
        root.put("stem", r.encoder().stem().name().toLowerCase(Locale.ROOT));
        root.put("width", r.encoder().width());
        root.put("batch_size", r.batchSize());
        root.put("images", r.images());
        root.put("phases", r.phases());
        ArrayNode order = root.putArray("class_order");
        r.classOrder().forEach(phase -> phase.forEach(order.addArray()::add));
        root.put("updates_per_sample", r.updatesPerSample());
        root.put("replay_ratio", r.ratio());
        root.put("replay_capacity", r.capacity());
        root.put("eval_bank_n", r.evalTrainN());
        root.put("eval_query_n", r.evalTestN());
        ArrayNode cases = root.putArray("cases");
        for (CaseResult c : r.cases()) {
            ObjectNode o = cases.addObject();
            o.put("case", c.c().cliName());
            o.put("replay_policy", c.c().policy());
            o.put("order", c.c().iid() ? "iid" : "class-incremental");
            o.put("steps", c.steps());
            o.put("samples", c.samples());
            putNumber(o, "final_knn_200", c.finalKnn200());
            putNumber(o, "average_forgetting", c.forgetting());
            ArrayNode phases = o.putArray("phases");
            for (int p = 0; p < c.phaseSteps().length; p++) {
                ObjectNode ph = phases.addObject();
                ph.put("step", c.phaseSteps()[p]);
                putNumber(ph, "knn_200", c.phaseKnn200()[p]);
                ArrayNode perClass = ph.putArray("knn_200_per_class");
                for (double a : c.phasePerClass()[p]) {
                    if (Double.isNaN(a)) {
                        perClass.addNull();
                    } else {
                        perClass.add(a);
                    }
                }
            }
            o.put("seconds", c.seconds());
            o.put("snapshot_path", c.snapshot());
        }
        if (r.random() != null) {
            ObjectNode random = root.putObject("random_init");
            random.put("knn_20", r.random().knn20());
            random.put("knn_200", r.random().knn200());
            random.put("linear", r.random().linear());
            random.put("seconds", r.randomSeconds());
        }
        Optional<CaseResult> best = bestPolicy(r);
        best.ifPresent(b -> root.put("best_policy", b.c().cliName()));
        double off = caseOf(r, ContinualCase.OFF).map(CaseResult::finalKnn200).orElse(Double.NaN);
        double iid = caseOf(r, ContinualCase.IID).map(CaseResult::finalKnn200).orElse(Double.NaN);
        putNumber(root, "gap_closed", gapClosed(off, best.map(CaseResult::finalKnn200).orElse(Double.NaN), iid));
        return root.toString();
    }

    /** The markdown table's header and separator lines that {@link #markdownRows} go under. */
    public static String markdownHeader() {
        return "| case | images | U | steps | samples | final kNN@200 | avg forgetting | kNN@200 per phase | s |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---|---:|\n";
    }

    /** A row per case and one for the random encoder. */
    public static String markdownRows(Result r) {
        StringBuilder sb = new StringBuilder();
        for (CaseResult c : r.cases()) {
            sb.append(String.format(Locale.ROOT, "| %s | %,d | %s | %,d | %,d | %s | %s | %s | %.0f |%n",
                    c.c().cliName(), r.images(), num(r.updatesPerSample()), c.steps(), c.samples(),
                    fmt(c.finalKnn200()), fmt(c.forgetting()), phases(c.phaseKnn200(), " / "), c.seconds()));
        }
        if (r.random() != null) {
            sb.append(String.format(Locale.ROOT, "| random-init | | | 0 | 0 | %s | | | %.0f |%n",
                    fmt(r.random().knn200()), r.randomSeconds()));
        }
        return sb.toString();
    }

    /** Appends {@code r}'s rows to {@code file}, after the header when the file is new or empty. */
    public static void appendRows(Path file, Result r) throws IOException {
        MarkdownTableFile.append(file, markdownHeader(), markdownRows(r));
    }

    private static String phases(double[] knn, String separator) {
        return Arrays.stream(knn).mapToObj(ContinualReport::fmt).collect(Collectors.joining(separator));
    }

    /** Four decimals, or "n/a" for a figure the run did not produce. */
    static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static void putNumber(ObjectNode o, String field, double v) {
        if (Double.isNaN(v)) {
            o.putNull(field);
        } else {
            o.put(field, v);
        }
    }
}
