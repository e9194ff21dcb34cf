package io.streamssl.cli.report;

import io.streamssl.connectors.event.EvalEvent;
import io.streamssl.models.eval.ForgettingCurves;
import io.streamssl.models.eval.ForgettingCurves.ClassForgetting;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * The held-out kNN@200 accuracy per class of a run's {@code eval} records, as {@link ForgettingCurves}: one
 * evaluation per step (a step evaluated twice, after a restore, keeps its last record, as the charts do), in step
 * order. Records of another held-out set or class count than the run's last one are left out and counted, so a
 * curve never mixes two sets.
 *
 * @param data the held-out set of the records ({@code cifar10}, a folder's name, {@code kafka:TOPIC})
 * @param curves the per-class curves and their forgetting
 * @param leftOut eval records left out: of another set or class count, or without per-class figures
 */
public record PerClassEvaluation(String data, ForgettingCurves curves, int leftOut) {

    /** The CIFAR-10 class names by label, as in the data set's batches.meta.txt. */
    static final List<String> CIFAR10_CLASSES = io.streamssl.connectors.dataset.Cifar10Binary.DEFAULT_CLASSES;

    /** The per-class curves of a run's records, or empty when no eval record of the run has per-class figures. */
    public static Optional<PerClassEvaluation> of(List<LoggedEvent> run) {
        List<EvalEvent> evals = run.stream().map(LoggedEvent::typed).filter(EvalEvent.class::isInstance)
                .map(EvalEvent.class::cast).toList();
        EvalEvent last = null;
        for (EvalEvent e : evals) {
            if (e.knn200PerClass().length > 0) {
                last = e;
            }
        }
        if (last == null) {
            return Optional.empty();
        }
        Map<Long, double[]> byStep = new TreeMap<>();
        int leftOut = 0;
        for (EvalEvent e : evals) {
            double[] perClass = e.knn200PerClass();
            if (e.data().equals(last.data()) && perClass.length == last.knn200PerClass().length) {
                byStep.put(e.step(), perClass);
            } else {
                leftOut++;
            }
        }
        long[] steps = byStep.keySet().stream().mapToLong(Long::longValue).toArray();
        double[][] accuracies = byStep.values().toArray(double[][]::new);
        return Optional.of(new PerClassEvaluation(last.data(), ForgettingCurves.of(steps, accuracies), leftOut));
    }

    /** Class {@code c} as a legend and table show it: its CIFAR-10 name for {@code cifar10}, else its index. */
    public String className(int c) {
        return data.equals("cifar10") && curves.classCount() == CIFAR10_CLASSES.size()
                ? c + " " + CIFAR10_CLASSES.get(c) : "class " + c;
    }

    /** One sentence on the average: its value and what it covers, or why there is none. */
    public String averageSentence() {
        return averageSentence(curves);
    }

    /** The text summary: the average, then a line per class (best before the last evaluation, final, forgetting). */
    public List<String> summaryLines() {
        List<String> lines = new ArrayList<>();
        lines.add("forgetting of held-out kNN@200 per class (" + data + "): " + averageSentence());
        lines.addAll(classLines(curves, this::className));
        return lines;
    }

    /** {@link #averageSentence()} of any curves ({@code streamssl eval --all-snapshots} prints it too). */
    public static String averageSentence(ForgettingCurves f) {
        if (f.evaluationCount() < 2) {
            return "Forgetting needs at least two evaluations; this run has one (step " + f.steps()[0] + ").";
        }
        if (f.averagedClassCount() == 0) {
            return "Forgetting is undefined for every class (none had queries both in the last evaluation and in an"
                    + " earlier one).";
        }
        return String.format(Locale.ROOT, "Average forgetting %.4f over %d of %d classes (%d evaluations, steps %d"
                + " to %d)%s.", f.averageForgetting(), f.averagedClassCount(), f.classCount(), f.evaluationCount(),
                f.steps()[0], f.steps()[f.evaluationCount() - 1], f.averagedClassCount() < f.classCount()
                        ? "; classes without queries in the last or every earlier evaluation are skipped" : "");
    }

    /** A header and a line per class: best before the last evaluation, its step, the last, the forgetting. */
    public static List<String> classLines(ForgettingCurves f, IntFunction<String> className) {
        int width = 14;
        for (int c = 0; c < f.classCount(); c++) {
            width = Math.max(width, className.apply(c).length());
        }
        String format = "  %-" + width + "s %8s %10s %8s %10s";
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, format, "class", "best", "best step", "final", "forgetting"));
        for (ClassForgetting c : f.classes()) {
            lines.add(String.format(Locale.ROOT, format, className.apply(c.classIndex()),
                    figure(c.best()), c.bestStep() < 0 ? "-" : Long.toString(c.bestStep()), figure(c.finalAccuracy()),
                    figure(c.forgetting())));
        }
        return lines;
    }

    /** An accuracy or a forgetting to four places; "-" where it is undefined. */
    public static String figure(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
