package io.streamssl.models.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per-class accuracy over a run's evaluations and how much of it the run has forgotten by its last evaluation.
 *
 * <pre>{@code
 * ForgettingCurves f = ForgettingCurves.of(new long[] {100, 200, 300}, perClass); // perClass[t][c]
 * double avg = f.averageForgetting();          // over the classes whose forgetting is defined
 * ForgettingCurves.ClassForgetting cat = f.ofClass(3);
 * }</pre>
 *
 * <p><b>Definition.</b> The forgetting measure of Chaudhry et al., 2018, "Riemannian Walk for Incremental Learning:
 * Understanding Forgetting and Intransigence" (ECCV), its forgetting measure: after training up to task k,
 * task j &lt; k has forgotten {@code f_j^k = max_{l ∈ 1..k-1} a_{l,j} − a_{k,j}}, and the average forgetting
 * {@code F_k} is the mean of {@code f_j^k} over the tasks j &lt; k. A stream has no task boundaries, so here a
 * "task" is a class c of the held-out set, every class is averaged (not only those before the last "task"), and
 * the instants l are the run's evaluations t = 1..T (snapshots, in step order): with {@code a_c(t)} the accuracy
 * on the queries of class c at evaluation t,
 *
 * <pre>
 *   f_c = max_{t &lt; T} a_c(t) − a_c(T)            (T = the last evaluation)
 *   F   = (1 / |C|) Σ_{c ∈ C} f_c                  (C = the classes whose f_c is defined)
 * </pre>
 *
 * As in the paper the maximum is over the evaluations <em>before</em> the last one and nothing is clamped: f_c is
 * negative when class c is better at the end than it ever was before (backward transfer), and those negative
 * values enter the average as they are.
 *
 * <p><b>Missing values.</b> {@code NaN} in the input means the class had no queries at that evaluation. Such
 * evaluations are left out of the class's maximum. {@code f_c} is undefined ({@code NaN}) when {@code a_c(T)} is
 * NaN or when no earlier evaluation of the class has a value (in particular when there is only one evaluation);
 * classes with an undefined {@code f_c} are skipped in the average, whose {@link #averagedClassCount() count of
 * classes} says how many it covers. With no class defined the average is NaN.
 */
public final class ForgettingCurves {

    private final long[] steps;
    private final List<ClassForgetting> classes;
    private final double averageForgetting;
    private final int averagedClassCount;

    /**
     * One class's curve and figures.
     *
     * @param classIndex the class (column of the input)
     * @param accuracy {@code a_c(t)} for each evaluation t, in step order; NaN where the class had no queries
     * @param best {@code max_{t<T} a_c(t)} over the earlier evaluations with a value, NaN when there is none
     * @param bestStep the step of the first evaluation reaching {@code best}, -1 when {@code best} is NaN
     * @param finalAccuracy {@code a_c(T)}, NaN when the class had no queries in the last evaluation
     * @param forgetting {@code best − finalAccuracy}, NaN when either is NaN
     */
    public record ClassForgetting(int classIndex, double[] accuracy, double best, long bestStep,
            double finalAccuracy, double forgetting) {

        public ClassForgetting {
            accuracy = accuracy.clone();
        }

        @Override
        public double[] accuracy() {
            return accuracy.clone();
        }

        /** True when {@link #forgetting()} has a value and so counts in the average. */
        public boolean defined() {
            return !Double.isNaN(forgetting);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ClassForgetting c && classIndex == c.classIndex && Arrays.equals(accuracy, c.accuracy)
                    && Double.compare(best, c.best) == 0 && bestStep == c.bestStep
                    && Double.compare(finalAccuracy, c.finalAccuracy) == 0
                    && Double.compare(forgetting, c.forgetting) == 0;
        }

        @Override
        public int hashCode() {
            return 31 * Integer.hashCode(classIndex) + Arrays.hashCode(accuracy);
        }

        @Override
        public String toString() {
            return "ClassForgetting[class=" + classIndex + ", accuracy=" + Arrays.toString(accuracy) + ", best="
                    + best + " at step " + bestStep + ", final=" + finalAccuracy + ", forgetting=" + forgetting + "]";
        }
    }

    private ForgettingCurves(long[] steps, List<ClassForgetting> classes) {
        this.steps = steps;
        this.classes = List.copyOf(classes);
        double sum = 0;
        int n = 0;
        for (ClassForgetting c : classes) {
            if (c.defined()) {
                sum += c.forgetting();
                n++;
            }
        }
        this.averageForgetting = n == 0 ? Double.NaN : sum / n;
        this.averagedClassCount = n;
    }

    /**
     * The curves of a run's evaluations.
     *
     * @param steps the step of each evaluation, strictly increasing (at least one)
     * @param accuracies {@code accuracies[t][c]}: the accuracy of class c at evaluation t, in [0, 1] or NaN for a
     *     class without queries; every row as long as the first (at least one class)
     * @throws IllegalArgumentException naming the evaluation and class of a value out of range, a row of another
     *     length, or steps out of order
     */
    public static ForgettingCurves of(long[] steps, double[][] accuracies) {
        if (steps.length == 0) {
            throw new IllegalArgumentException("forgetting needs at least one evaluation, got none");
        }
        if (accuracies.length != steps.length) {
            throw new IllegalArgumentException("one row of per-class accuracies per evaluation: " + steps.length
                    + " steps but " + accuracies.length + " rows");
        }
        int classCount = accuracies[0].length;
        if (classCount == 0) {
            throw new IllegalArgumentException("forgetting needs at least one class, evaluation at step " + steps[0]
                    + " has none");
        }
        for (int t = 0; t < steps.length; t++) {
            if (t > 0 && steps[t] <= steps[t - 1]) {
                throw new IllegalArgumentException("evaluation steps must increase strictly: step " + steps[t]
                        + " (evaluation " + t + ") follows step " + steps[t - 1] + "; keep one evaluation per step");
            }
            if (accuracies[t].length != classCount) {
                throw new IllegalArgumentException("evaluation at step " + steps[t] + " has " + accuracies[t].length
                        + " classes, the first has " + classCount + ": every evaluation must score the same classes");
            }
            for (int c = 0; c < classCount; c++) {
                double a = accuracies[t][c];
                if (!Double.isNaN(a) && !(a >= 0 && a <= 1)) {
                    throw new IllegalArgumentException("accuracy of class " + c + " at step " + steps[t] + " is " + a
                            + ": an accuracy is in [0, 1], or NaN for a class without queries");
                }
            }
        }
        int last = steps.length - 1;
        List<ClassForgetting> classes = new ArrayList<>(classCount);
        for (int c = 0; c < classCount; c++) {
            double[] curve = new double[steps.length];
            double best = Double.NaN;
            long bestStep = -1;
            for (int t = 0; t < steps.length; t++) {
                curve[t] = accuracies[t][c];
                if (t < last && !Double.isNaN(curve[t]) && (Double.isNaN(best) || curve[t] > best)) {
                    best = curve[t];
                    bestStep = steps[t];
                }
            }
            double fin = curve[last];
            classes.add(new ClassForgetting(c, curve, best, bestStep, fin, best - fin)); // NaN if either is
        }
        return new ForgettingCurves(steps.clone(), classes);
    }

    /** The step of each evaluation, increasing. */
    public long[] steps() {
        return steps.clone();
    }

    /** T: how many evaluations the curves have. */
    public int evaluationCount() {
        return steps.length;
    }

    public int classCount() {
        return classes.size();
    }

    /** Class {@code c}'s curve and figures. */
    public ClassForgetting ofClass(int c) {
        if (c < 0 || c >= classes.size()) {
            throw new IndexOutOfBoundsException("class " + c + " of " + classes.size());
        }
        return classes.get(c);
    }

    /** Every class, by index. */
    public List<ClassForgetting> classes() {
        return classes;
    }

    /** F: the mean of {@code f_c} over the classes where it is defined; NaN when it is defined for none. */
    public double averageForgetting() {
        return averageForgetting;
    }

    /** |C|: how many classes {@link #averageForgetting()} averages (those with a defined {@code f_c}). */
    public int averagedClassCount() {
        return averagedClassCount;
    }
}
