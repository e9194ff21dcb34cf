package io.streamssl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamssl.cli.ReportCommandTest.Result;
import io.streamssl.cli.report.MetricsLog;
import io.streamssl.cli.report.RunCharts;
import io.streamssl.connectors.event.EvalEvent;
import io.streamssl.connectors.event.EventHeader;
import io.streamssl.connectors.event.MetricsEvent;
import io.streamssl.connectors.event.TrainerEventCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report} on a run whose eval records carry kNN@200 per class: one curve per CIFAR-10 class in a chart,
 * and each class's forgetting in the page's table and the printed summary, against numbers worked by hand.
 */
class ReportForgettingTest {

    private static final String RUN = "run-forgets";
    private static final Instant T0 = Instant.parse("2026-12-02T08:00:00Z");
    private static final double NAN = Double.NaN;

    /**
     * kNN@200 per class at steps 100, 200, 300, and by hand: best before the last evaluation (its step), last,
     * forgetting = best − last.
     * <pre>
     *   class        100   200   300    best(step)  last   forgetting
     *   0 airplane   0.50  0.70  0.40   0.70 (200)  0.40   0.30
     *   1 automobile 0.20  0.30  0.60   0.30 (200)  0.60  −0.30
     *   2 bird       0.40  0.40  0.10   0.40 (100)  0.10   0.30
     *   3 cat        NaN   0.60  0.50   0.60 (200)  0.50   0.10
     *   4 deer       0.10  0.10  0.10   0.10 (100)  0.10   0.00
     *   5 dog        0.80  0.20  0.25   0.80 (100)  0.25   0.55
     *   6 frog       0.30  0.35  0.30   0.35 (200)  0.30   0.05
     *   7 horse      0.60  0.50  0.70   0.60 (100)  0.70  −0.10
     *   8 ship       0.90  0.90  0.80   0.90 (100)  0.80   0.10
     *   9 truck      0.45  0.55  NaN    0.55 (200)  -      undefined
     * </pre>
     * Average over the 9 defined: (0.30 − 0.30 + 0.30 + 0.10 + 0 + 0.55 + 0.05 − 0.10 + 0.10) / 9 = 1.00 / 9
     * = 0.1111.
     */
    private static final double[][] PER_CLASS = {
            {0.50, 0.20, 0.40, NAN, 0.10, 0.80, 0.30, 0.60, 0.90, 0.45},
            {0.70, 0.30, 0.40, 0.60, 0.10, 0.20, 0.35, 0.50, 0.90, 0.55},
            {0.40, 0.60, 0.10, 0.50, 0.10, 0.25, 0.30, 0.70, 0.80, NAN}};
    private static final long[] STEPS = {100, 200, 300};

    @TempDir
    Path dir;

    @Test
    void perClassCurvesAndForgettingInTheChartThePageAndTheSummary() throws IOException {
        Path log = dir.resolve("run.jsonl");
        Files.write(log, logLines(), StandardCharsets.UTF_8);
        Path page = dir.resolve("report.html");

        Result r = ReportCommandTest.run("report", "--jsonl", log.toString(), "-o", page.toString());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("report: forgetting of held-out kNN@200 per class (cifar10): Average forgetting"
                + " 0.1111 over 9 of 10 classes (3 evaluations, steps 100 to 300)");
        List<String> classLines = r.out().lines().filter(l -> l.startsWith("report:   "))
                .map(l -> l.substring("report:".length()).strip()).toList();
        assertThat(classLines).contains(
                "0 airplane       0.7000        200   0.4000     0.3000",
                "1 automobile     0.3000        200   0.6000    -0.3000",
                "5 dog            0.8000        100   0.2500     0.5500",
                "9 truck          0.5500        200        -          -");

        String html = Files.readString(page);
        assertThat(html).contains("<img alt=\"" + RunCharts.PER_CLASS_TITLE + "\"",
                "<h2>Forgetting (held-out kNN@200 per class)</h2>",
                "Average forgetting 0.1111 over 9 of 10 classes",
                "<tr><td>3 cat</td><td>0.6000</td><td>200</td><td>0.5000</td><td>0.1000</td></tr>",
                "<tr><td>7 horse</td><td>0.6000</td><td>100</td><td>0.7000</td><td>-0.1000</td></tr>",
                "<tr><td>9 truck</td><td>0.5500</td><td>200</td><td>-</td><td>-</td></tr>",
                "<tr><th>average</th><td></td><td></td><td></td><th>0.1111</th></tr>",
                "1 eval record(s) of another held-out set");
        // loss, learning rate, throughput, held-out, per class, eval_s
        assertThat(ReportCommandTest.inlinedImages(html)).hasSize(6);

        RunCharts.Chart chart = RunCharts.of(MetricsLog.readJsonl(log).eventsOf(RUN)).stream()
                .filter(c -> c.title().equals(RunCharts.PER_CLASS_TITLE)).findFirst().orElseThrow();
        XYSeriesCollection data = (XYSeriesCollection) chart.chart().getXYPlot().getDataset();
        assertThat(data.getSeriesCount()).isEqualTo(10);
        for (int c = 0; c < 10; c++) {
            XYSeries s = data.getSeries(c);
            List<double[]> expected = new ArrayList<>();
            for (int t = 0; t < STEPS.length; t++) {
                if (!Double.isNaN(PER_CLASS[t][c])) {
                    expected.add(new double[] {STEPS[t], PER_CLASS[t][c]});
                }
            }
            assertThat(s.getItemCount()).as("points of %s", s.getKey()).isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertThat(s.getX(i).doubleValue()).isEqualTo(expected.get(i)[0]);
                assertThat(s.getY(i).doubleValue()).as("%s at step %s", s.getKey(), s.getX(i))
                        .isCloseTo(expected.get(i)[1], within(1e-12));
            }
        }
        assertThat(data.getSeriesKey(3)).isEqualTo("3 cat");
        assertThat(data.getSeriesKey(9)).isEqualTo("9 truck");
        assertThat(chart.caption()).contains("Average forgetting 0.1111");
    }

    @Test
    void aRunWithoutEvalRecordsSaysSo() throws IOException {
        Path log = dir.resolve("plain.jsonl");
        Files.write(log, List.of(TrainerEventCodec.encode(metrics(10)), TrainerEventCodec.encode(metrics(20))),
                StandardCharsets.UTF_8);
        Path page = dir.resolve("plain.html");

        Result r = ReportCommandTest.run("report", "--jsonl", log.toString(), "-o", page.toString());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("no per-class held-out figures in this run");
        String html = Files.readString(page);
        assertThat(html).contains("No eval records in this run, so there are no per-class curves or forgetting")
                .doesNotContain("alt=\"" + RunCharts.PER_CLASS_TITLE);
    }

    /** One evaluation has nothing earlier to have forgotten: the page shows the figures and says why none. */
    @Test
    void oneEvaluationHasNoForgetting() throws IOException {
        Path log = dir.resolve("one.jsonl");
        Files.write(log, List.of(TrainerEventCodec.encode(metrics(100)), eval(100, "cifar10", PER_CLASS[0])),
                StandardCharsets.UTF_8);
        Path page = dir.resolve("one.html");

        Result r = ReportCommandTest.run("report", "--jsonl", log.toString(), "-o", page.toString());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(page)).contains("Forgetting needs at least two evaluations; this run has one"
                + " (step 100).", "<tr><td>5 dog</td><td>-</td><td>-</td><td>0.8000</td><td>-</td></tr>");
    }

    /**
     * Metrics at 100, 200, 300; an eval of another set first (left out); step 200 evaluated twice, the first time
     * with other figures (a restore re-evaluates it: the last record counts), then the table's figures.
     */
    private static List<String> logLines() {
        List<String> lines = new ArrayList<>();
        lines.add(eval(50, "kafka:images.heldout", new double[] {0.5, 0.5}));
        for (int t = 0; t < STEPS.length; t++) {
            lines.add(TrainerEventCodec.encode(metrics(STEPS[t])));
            if (STEPS[t] == 200) {
                double[] stale = new double[10];
                Arrays.fill(stale, 0.99);
                lines.add(eval(200, "cifar10", stale));
            }
            lines.add(eval(STEPS[t], "cifar10", PER_CLASS[t]));
        }
        return lines;
    }

    private static String eval(long step, String data, double[] perClass) {
        double mean = Arrays.stream(perClass).filter(a -> !Double.isNaN(a)).average().orElse(0);
        return TrainerEventCodec.encode(new EvalEvent(header(step), "/snapshots/step-" + step, "ab12", step / 100,
                data, 5000, 1000, mean, mean, mean, perClass, 10.0));
    }

    private static MetricsEvent metrics(long step) {
        return new MetricsEvent(header(step), 3.0 - step / 100.0, 0.05f, Map.of(), 60, 70, null, 0, null, false);
    }

    private static EventHeader header(long step) {
        return new EventHeader(RUN, "encoder", step, step * 64, 0, 0, T0.plusSeconds(step));
    }
}
