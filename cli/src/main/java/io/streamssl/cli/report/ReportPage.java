package io.streamssl.cli.report;

import io.streamssl.cli.report.MetricsLog.RunSummary;
import io.streamssl.cli.report.RunCharts.Chart;
import io.streamssl.connectors.event.CheckpointEvent;
import io.streamssl.connectors.event.FinalStateEvent;
import io.streamssl.connectors.event.MetricsEvent;
import io.streamssl.connectors.event.RestoredEvent;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.connectors.event.TrainerRecord;
import io.streamssl.models.eval.ForgettingCurves.ClassForgetting;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The report of one run as a single HTML page: a header (run, model, method, steps, images, restarts, snapshots),
 * the {@link RunCharts} as PNG images inlined base64, the held-out kNN@200 per class with each class's forgetting
 * ({@link PerClassEvaluation}), and tables of the checkpoints and restores. Nothing is loaded from elsewhere — no
 * scripts, styles or images by URL — so the page opens offline and can be mailed or archived.
 */
public final class ReportPage {

    private ReportPage() {}

    /**
     * The page.
     *
     * @param log the whole log, for the other runs it holds and the lines it skipped
     * @param run the run reported
     * @param charts {@link RunCharts#of} of the run's records
     */
    public static String html(MetricsLog log, RunSummary run, List<Chart> charts) {
        List<LoggedEvent> events = log.eventsOf(run.runId());
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>streamssl report: ")
                .append(esc(run.runId())).append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:2em auto;max-width:1000px;color:#222}\n")
                .append("table{border-collapse:collapse;margin:0.5em 0 1.5em}\n")
                .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:14px}\n")
                .append("th{background:#f3f3f3}\nfigure{margin:1.5em 0}\nimg{max-width:100%;border:1px solid #eee}\n")
                .append("figcaption{font-size:13px;color:#555}\ncode{font-size:13px}\n")
                .append("</style>\n</head>\n<body>\n");
        h.append("<h1>streamssl report: run <code>").append(esc(run.runId())).append("</code></h1>\n");
        header(h, log, run, events);
        for (Chart c : charts) {
            h.append("<figure>\n<img alt=\"").append(esc(c.title())).append("\" width=\"").append(RunCharts.WIDTH)
                    .append("\" height=\"").append(RunCharts.HEIGHT).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(c.png())).append("\">\n<figcaption>")
                    .append(esc(c.caption())).append("</figcaption>\n</figure>\n");
        }
        if (charts.isEmpty()) {
            h.append("<p>No records of this run carry values to chart (no metrics, checkpoint or eval records).</p>\n");
        }
        forgetting(h, events);
        checkpointTable(h, typed(events, CheckpointEvent.class));
        restoreTable(h, typed(events, RestoredEvent.class), typed(events, CheckpointEvent.class));
        h.append("<p style=\"font-size:12px;color:#888\">Read from ").append(esc(log.source()))
                .append(" by <code>streamssl report</code>.</p>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void header(StringBuilder h, MetricsLog log, RunSummary run, List<LoggedEvent> events) {
        List<MetricsEvent> metrics = typed(events, MetricsEvent.class);
        List<TrainerRecord> typed = events.stream().map(LoggedEvent::typed).filter(Objects::nonNull).toList();
        Set<String> methods = events.stream().map(LoggedEvent::method).filter(Objects::nonNull)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        long images = typed.stream().mapToLong(r -> r.header().images()).max().orElse(0);
        long epoch = typed.stream().mapToLong(r -> r.header().epoch()).max().orElse(0);
        int attempts = events.stream().mapToInt(LoggedEvent::attempt).max().orElse(0);
        h.append("<table>\n");
        row(h, "run id", "<code>" + esc(run.runId()) + "</code>");
        row(h, "model", esc(run.model()));
        row(h, "method", methods.isEmpty() ? "not in these records (the snapshots topic's announcements name it)"
                : esc(String.join(", ", methods)));
        MetricsEvent last = metrics.stream().max(Comparator.comparingLong(MetricsEvent::step)).orElse(null);
        row(h, "steps", run.maxStep() + (last != null && last.finished() ? " (finished: max-steps reached)" : ""));
        row(h, "images", images + (epoch > 0 ? " (highest epoch " + epoch + ")" : ""));
        if (last != null) {
            row(h, "last metrics", String.format(Locale.ROOT, "step %d: loss %.4f, %.1f images/s%s", last.step(),
                    last.loss(), last.imagesPerSecond(), last.probeAccuracy() == null ? ""
                            : String.format(Locale.ROOT, ", probe %.1f%%", 100 * last.probeAccuracy())));
        }
        String restarts = RunCharts.restarts(events).entrySet().stream()
                .map(e -> e.getValue().substring("restart: ".length()) + " from step " + e.getKey())
                .collect(Collectors.joining("; "));
        row(h, "restarts", attempts == 0 ? "0" : attempts + " (" + esc(restarts) + ")");
        Instant first = events.stream().map(LoggedEvent::ts).filter(Objects::nonNull).min(Comparator.naturalOrder())
                .orElse(null);
        if (first != null && run.newest() != null) {
            Duration d = Duration.between(first, run.newest());
            row(h, "time", esc(first + " → " + run.newest()) + String.format(Locale.ROOT, " (%d:%02d:%02d)",
                    d.toHours(), d.toMinutesPart(), d.toSecondsPart()));
        }
        Set<String> snapshots = new LinkedHashSet<>();
        for (LoggedEvent e : events) {
            if (e.typed() instanceof MetricsEvent m && m.snapshot() != null) {
                snapshots.add(m.snapshot());
            } else if (e.typed() instanceof SnapshotEvent s) {
                snapshots.add(s.path());
            }
        }
        row(h, "snapshots", snapshots.isEmpty() ? "none recorded" : snapshots.stream()
                .map(s -> "<code>" + esc(s) + "</code>").collect(Collectors.joining("<br>")));
        typed(events, FinalStateEvent.class).stream().reduce((a, b) -> b).ifPresent(f -> row(h, "final state",
                String.format(Locale.ROOT, "%d tensor(s), %.1f MB at step %d", f.tensors(), f.stateBytes() / 1e6,
                        f.step())));
        Map<String, Long> kinds = new TreeMap<>(events.stream()
                .collect(Collectors.groupingBy(LoggedEvent::kind, Collectors.counting())));
        row(h, "records", events.size() + " (" + esc(kinds.entrySet().stream().map(e -> e.getValue() + " "
                + e.getKey()).collect(Collectors.joining(", "))) + ")");
        Set<String> unknown = events.stream().filter(e -> !e.isTyped() && !e.kind().equals(RunCharts.EVAL_KIND))
                .map(LoggedEvent::kind).collect(Collectors.toCollection(LinkedHashSet::new));
        if (!unknown.isEmpty()) {
            row(h, "not charted", "records of kind " + esc(String.join(", ", unknown))
                    + ": kinds this build does not know");
        }
        List<RunSummary> others = log.runs().stream().filter(r -> !r.runId().equals(run.runId())).toList();
        if (!others.isEmpty()) {
            row(h, "other runs in the log", others.stream().map(r -> "<code>" + esc(r.runId()) + "</code> ("
                    + r.records() + " records, steps up to " + r.maxStep() + ")").collect(Collectors.joining("<br>")));
        }
        if (!log.skipped().isEmpty()) {
            row(h, "skipped lines", esc(String.join("; ", log.skipped())));
        }
        h.append("</table>\n");
    }

    /** The per-class held-out figures and their forgetting, or a sentence saying why the run has none. */
    private static void forgetting(StringBuilder h, List<LoggedEvent> events) {
        h.append("<h2>Forgetting (held-out kNN@200 per class)</h2>\n");
        Optional<PerClassEvaluation> found = PerClassEvaluation.of(events);
        if (found.isEmpty()) {
            boolean evals = events.stream().anyMatch(e -> e.kind().equals(RunCharts.EVAL_KIND));
            h.append("<p>").append(evals ? "The eval records of this run carry no per-class accuracies"
                    + " (knn_200_per_class; a build before them wrote these records), so there are no per-class"
                    + " curves or forgetting."
                    : "No eval records in this run, so there are no per-class curves or forgetting: the job evaluates"
                    + " its committed snapshots when one of eval.cifar10, eval.folder or eval.topic is set.")
                    .append("</p>\n");
            return;
        }
        PerClassEvaluation p = found.get();
        h.append("<p>").append(esc(p.averageSentence())).append(" A class's forgetting is its best accuracy before"
                + " the last evaluation minus its accuracy in the last one (Chaudhry et al., 2018): positive when it"
                + " was better earlier, negative when it is now better than ever before.");
        if (p.leftOut() > 0) {
            h.append(" ").append(p.leftOut()).append(" eval record(s) of another held-out set, or without per-class"
                    + " figures, are left out.");
        }
        h.append("</p>\n<table>\n<tr><th>class</th><th>best before last</th><th>at step</th><th>last</th>"
                + "<th>forgetting</th></tr>\n");
        for (ClassForgetting c : p.curves().classes()) {
            h.append("<tr><td>").append(esc(p.className(c.classIndex()))).append("</td><td>")
                    .append(PerClassEvaluation.figure(c.best())).append("</td><td>")
                    .append(c.bestStep() < 0 ? "-" : Long.toString(c.bestStep())).append("</td><td>")
                    .append(PerClassEvaluation.figure(c.finalAccuracy())).append("</td><td>")
                    .append(PerClassEvaluation.figure(c.forgetting())).append("</td></tr>\n");
        }
        h.append(String.format(Locale.ROOT, "<tr><th>average</th><td></td><td></td><td></td><th>%s</th></tr>%n",
                PerClassEvaluation.figure(p.curves().averageForgetting())));
        h.append("</table>\n");
    }

    private static void checkpointTable(StringBuilder h, List<CheckpointEvent> checkpoints) {
        if (checkpoints.isEmpty()) {
            return;
        }
        h.append("<h2>Checkpoints</h2>\n<table>\n<tr><th>checkpoint</th><th>step</th><th>attempt</th>"
                + "<th>copy ms</th><th>state MB</th><th>pending samples</th><th>teacher sha256</th></tr>\n");
        for (CheckpointEvent c : checkpoints) {
            h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%.2f</td>"
                    + "<td>%d</td><td><code>%s</code></td></tr>%n", c.checkpointId(), c.step(), c.header().attempt(),
                    c.copyMillis(), c.stateBytes() / 1e6, c.pending(), esc(shortSha(c.teacherSha256()))));
        }
        h.append("</table>\n");
    }

    /** Each restore, and the checkpoint whose teacher it loaded (a digest match), if that checkpoint is logged. */
    private static void restoreTable(StringBuilder h, List<RestoredEvent> restores, List<CheckpointEvent> checkpoints) {
        if (restores.isEmpty()) {
            return;
        }
        h.append("<h2>Restores</h2>\n<table>\n<tr><th>attempt</th><th>step</th><th>pending samples</th>"
                + "<th>teacher sha256</th><th>matches</th></tr>\n");
        for (RestoredEvent r : restores) {
            String match = checkpoints.stream().filter(c -> c.step() == r.step()
                    && c.teacherSha256().equals(r.teacherSha256())).map(c -> "checkpoint " + c.checkpointId())
                    .findFirst().orElse("no logged checkpoint (a savepoint, or one of another run)");
            h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%d</td><td>%d</td><td><code>%s</code></td>"
                    + "<td>%s</td></tr>%n", r.header().attempt(), r.step(), r.pending(),
                    esc(shortSha(r.teacherSha256())), esc(match)));
        }
        h.append("</table>\n");
    }

    private static <T> List<T> typed(List<LoggedEvent> events, Class<T> type) {
        return events.stream().map(LoggedEvent::typed).filter(type::isInstance).map(type::cast).toList();
    }

    private static void row(StringBuilder h, String name, String html) {
        h.append("<tr><th>").append(esc(name)).append("</th><td>").append(html).append("</td></tr>\n");
    }

    private static String shortSha(String sha) {
        return sha.length() > 16 ? sha.substring(0, 16) + "…" : sha;
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
