package io.streamssl.cli.report;

import io.streamssl.connectors.event.CheckpointEvent;
import io.streamssl.connectors.event.MetricsEvent;
import io.streamssl.connectors.event.RestoredEvent;
import io.streamssl.models.eval.ForgettingCurves;
import io.streamssl.models.eval.ForgettingCurves.ClassForgetting;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The charts of one run, each a curve over optimiser steps: loss; learning rate and τ; the method's other values;
 * online probe accuracy; throughput; checkpoint copy time and state size; held-out evaluation ({@code eval}
 * records, whatever numeric fields they carry) and its kNN@200 per class ({@link PerClassEvaluation}). A chart
 * whose values the run lacks is left out. Restarts are vertical markers at the step each attempt resumed from.
 *
 * <p>A step logged twice (an attempt replaying steps after a restore, in a log read as written) keeps its last
 * value, so a curve never folds back on itself.
 */
public final class RunCharts {

    /** The kind of the held-out evaluation records (the job's evaluator; typed or, from older builds, not). */
    public static final String EVAL_KIND = "eval";
    /** The title of the chart of the per-class held-out curves. */
    public static final String PER_CLASS_TITLE = "Held-out kNN@200 per class";
    static final int WIDTH = 960;
    static final int HEIGHT = 380;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0x17becf), new Color(0xe377c2),
            new Color(0x7f7f7f), new Color(0xbcbd22)}; // ten, so CIFAR-10's classes each get their own

    /**
     * One chart of the report.
     *
     * @param caption one sentence under the chart: what the curves are
     */
    public record Chart(String title, String caption, JFreeChart chart) {

        /** The chart as a PNG image. */
        public byte[] png() {
            try {
                return ChartUtils.encodeAsPNG(chart.createBufferedImage(WIDTH, HEIGHT));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot encode chart '" + title + "' as PNG", e);
            }
        }
    }

    private RunCharts() {}

    /** The charts of one run's records (in log order), in the order the report shows them. */
    public static List<Chart> of(List<LoggedEvent> run) {
        List<MetricsEvent> metrics = typed(run, MetricsEvent.class);
        List<CheckpointEvent> checkpoints = typed(run, CheckpointEvent.class);
        Map<Long, String> restarts = restarts(run);
        List<Chart> charts = new ArrayList<>();
        if (!metrics.isEmpty()) {
            charts.add(chart("Loss", "Mean training loss of the steps since the previous metrics record.",
                    "loss", restarts, series("loss", metrics, MetricsEvent::loss)));
            charts.add(learningRateAndTau(metrics, restarts));
            for (String name : scalarNames(metrics)) {
                if (!name.equals("tau")) {
                    charts.add(chart("Method value: " + name, "The method's own value '" + name
                            + "' at the last step of each metrics record.", name, restarts, series(name, metrics,
                                    m -> m.scalars().getOrDefault(name, Double.NaN))));
                }
            }
            if (metrics.stream().anyMatch(m -> m.probeAccuracy() != null)) {
                charts.add(chart("Online probe accuracy", "Linear probe on the frozen features: each labelled image"
                        + " is scored before the probe trains on it (probe_acc).", "accuracy (%)", restarts,
                        series("probe_acc", metrics, m -> m.probeAccuracy() == null ? Double.NaN
                                : 100 * m.probeAccuracy())));
            }
            charts.add(fromZero(chart("Throughput", "images_per_s: the pipeline's images per wall-clock second;"
                    + " train_images_per_s: images per second inside training steps only.", "images/s", restarts,
                    series("images_per_s", metrics, MetricsEvent::imagesPerSecond),
                    series("train_images_per_s", metrics, MetricsEvent::trainImagesPerSecond))));
        }
        if (!checkpoints.isEmpty()) {
            charts.add(checkpoints(checkpoints, restarts));
        }
        charts.addAll(evaluation(run, restarts));
        return charts;
    }

    private static Chart learningRateAndTau(List<MetricsEvent> metrics, Map<Long, String> restarts) {
        boolean tau = metrics.stream().anyMatch(m -> m.scalars().containsKey("tau"));
        if (!tau) {
            return chart("Learning rate", "Learning rate of the last step of each metrics record.", "learning rate",
                    restarts, series("learning_rate", metrics, MetricsEvent::learningRate));
        }
        Chart c = chart("Learning rate and τ", "Learning rate (left axis) and the teacher's momentum τ (right"
                + " axis) at the last step of each metrics record.", "learning rate", restarts,
                series("learning_rate", metrics, MetricsEvent::learningRate));
        secondAxis(c.chart().getXYPlot(), "τ (teacher momentum)", 1, series("tau", metrics,
                m -> m.scalars().getOrDefault("tau", Double.NaN)));
        return c;
    }

    private static Chart checkpoints(List<CheckpointEvent> checkpoints, Map<Long, String> restarts) {
        Chart c = chart("Checkpoints: copy time and state size", "Per checkpoint, at the step it holds: the"
                + " trainer's time copying its state (copy_ms, left axis) and the bytes of all state tensors"
                + " (state_bytes, right axis).", "copy time (ms)", restarts,
                series("copy_ms", checkpoints, CheckpointEvent::copyMillis));
        secondAxis(c.chart().getXYPlot(), "state (MB)", 1, series("state MB", checkpoints,
                ck -> ck.stateBytes() / 1e6));
        XYPlot plot = c.chart().getXYPlot();
        for (int i = 0; i < plot.getRendererCount(); i++) {
            ((XYLineAndShapeRenderer) plot.getRenderer(i)).setDefaultShapesVisible(true);
        }
        return fromZero(c);
    }

    /**
     * The {@code eval} records' numeric fields: those that are all fractions (accuracies such as {@code knn_20},
     * {@code linear}) share one chart, every other field gets its own.
     */
    private static List<Chart> evaluation(List<LoggedEvent> run, Map<Long, String> restarts) {
        List<LoggedEvent> evals = run.stream().filter(e -> e.kind().equals(EVAL_KIND)).toList();
        Map<String, XYSeries> fields = new LinkedHashMap<>();
        for (LoggedEvent e : evals) {
            e.numbers().forEach((name, v) -> fields.computeIfAbsent(name, k -> new XYSeries(k, true, false))
                    .addOrUpdate((double) e.step(), (double) v));
        }
        List<XYSeries> fractions = new ArrayList<>();
        List<Chart> charts = new ArrayList<>();
        for (XYSeries s : fields.values()) {
            if (s.getMinY() >= 0 && s.getMaxY() <= 1) {
                fractions.add(s);
            }
        }
        if (!fractions.isEmpty()) {
            charts.add(chart("Held-out evaluation", "Fields of the eval records over the step of the snapshot they"
                    + " evaluated: " + String.join(", ", fractions.stream().map(s -> (String) s.getKey()).toList())
                    + ".", "value", restarts, fractions.toArray(XYSeries[]::new)));
        }
        PerClassEvaluation.of(run).ifPresent(p -> charts.add(perClass(p, restarts)));
        for (XYSeries s : fields.values()) {
            if (!fractions.contains(s)) {
                charts.add(chart("Held-out evaluation: " + s.getKey(), "The eval records' field '" + s.getKey()
                        + "'.", (String) s.getKey(), restarts, s));
            }
        }
        return charts;
    }

    /** One curve per class: its kNN@200 accuracy at each evaluation (a class without queries has no point there). */
    private static Chart perClass(PerClassEvaluation p, Map<Long, String> restarts) {
        ForgettingCurves f = p.curves();
        long[] steps = f.steps();
        List<XYSeries> series = new ArrayList<>();
        for (ClassForgetting c : f.classes()) {
            XYSeries s = new XYSeries(p.className(c.classIndex()), true, false);
            double[] a = c.accuracy();
            for (int t = 0; t < steps.length; t++) {
                if (!Double.isNaN(a[t])) {
                    s.add((double) steps[t], a[t]);
                }
            }
            series.add(s);
        }
        Chart c = chart(PER_CLASS_TITLE, "Held-out kNN@200 accuracy of each class (" + p.data() + ") over the step"
                + " of the snapshot evaluated. A class's forgetting is its best accuracy before the last evaluation"
                + " minus its last accuracy. " + p.averageSentence(), "kNN@200 accuracy", restarts,
                series.toArray(XYSeries[]::new));
        ((XYLineAndShapeRenderer) c.chart().getXYPlot().getRenderer()).setDefaultShapesVisible(true);
        return c;
    }

    /** Step → label of each restart: where attempt N's first record (its restore, if logged) stands. */
    static Map<Long, String> restarts(List<LoggedEvent> run) {
        Map<Integer, Long> firstStep = new TreeMap<>();
        for (LoggedEvent e : run) {
            if (e.attempt() > 0) {
                firstStep.merge(e.attempt(), e.step(), Math::min);
            }
        }
        for (LoggedEvent e : run) { // a restore record, when there is one, says exactly where the attempt began
            if (e.typed() instanceof RestoredEvent) {
                firstStep.put(e.attempt(), e.step());
            }
        }
        Map<Long, String> markers = new TreeMap<>();
        firstStep.forEach((attempt, step) -> markers.merge(step, "restart: attempt " + attempt, (a, b) -> a + ", "
                + b.substring("restart: ".length())));
        return markers;
    }

    private static <T> List<T> typed(List<LoggedEvent> run, Class<T> type) {
        return run.stream().map(LoggedEvent::typed).filter(type::isInstance).map(type::cast).toList();
    }

    private static Set<String> scalarNames(List<MetricsEvent> metrics) {
        Set<String> names = new LinkedHashSet<>();
        metrics.forEach(m -> names.addAll(m.scalars().keySet()));
        return names;
    }

    private static <T extends io.streamssl.connectors.event.TrainerRecord> XYSeries series(String name,
            List<T> records, ToDoubleFunction<T> value) {
        XYSeries s = new XYSeries(name, true, false);
        for (T r : records) {
            double v = value.applyAsDouble(r);
            if (!Double.isNaN(v)) {
                s.addOrUpdate((double) r.step(), v);
            }
        }
        return s;
    }

    private static Chart chart(String title, String caption, String yLabel, Map<Long, String> restarts,
            XYSeries... series) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (XYSeries s : series) {
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "step", yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, series.length > 0
                && series[0].getItemCount() == 1); // a single point is invisible without its shape
        for (int i = 0; i < series.length; i++) {
            renderer.setSeriesPaint(i, COLORS[i % COLORS.length]);
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        restarts.forEach((step, label) -> {
            ValueMarker m = new ValueMarker(step, new Color(0x888888), new BasicStroke(1f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
            m.setLabel(label);
            m.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            plot.addDomainMarker(m);
        });
        return new Chart(title, caption, chart);
    }

    /** Durations and rates read truer against zero: a 2 % wobble should not fill the chart's height. */
    private static Chart fromZero(Chart c) {
        XYPlot plot = c.chart().getXYPlot();
        for (int i = 0; i < plot.getRangeAxisCount(); i++) {
            ((NumberAxis) plot.getRangeAxis(i)).setAutoRangeIncludesZero(true);
        }
        return c;
    }

    private static void secondAxis(XYPlot plot, String label, int index, XYSeries series) {
        NumberAxis axis = new NumberAxis(label);
        axis.setAutoRangeIncludesZero(false);
        axis.setLabelFont(plot.getRangeAxis().getLabelFont());
        axis.setTickLabelFont(plot.getRangeAxis().getTickLabelFont());
        plot.setRangeAxis(index, axis);
        plot.setDataset(index, new XYSeriesCollection(series));
        plot.mapDatasetToRangeAxis(index, index);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, series.getItemCount() == 1);
        r.setSeriesPaint(0, COLORS[(index + 2) % COLORS.length]);
        r.setSeriesStroke(0, new BasicStroke(2f));
        plot.setRenderer(index, r);
    }
}
