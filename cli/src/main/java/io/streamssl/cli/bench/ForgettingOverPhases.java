package io.streamssl.cli.bench;

import io.streamssl.models.eval.ForgettingCurves;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A case's held-out evaluations at its phase ends and the average forgetting over them
 * ({@link ForgettingCurves}: {@code f_c = max_{t<T} a_c(t) − a_c(T)} per class, averaged over the classes). A
 * phase whose evaluation is missing is left out of the curves; with fewer than two evaluations, or none at the
 * last phase's end (the T forgetting is measured at), the forgetting is NaN.
 *
 * @param knn200 kNN@200 over all classes at each phase's end, NaN where missing
 * @param perClass kNN@200 per class at each phase's end, a row of NaN where missing
 * @param averageForgetting the average forgetting, NaN when undefined
 */
record ForgettingOverPhases(double[] knn200, double[][] perClass, double averageForgetting) {

    /**
     * @param steps the phase ends' steps, increasing
     * @param knn200 kNN@200 at each, NaN where missing
     * @param perClass per-class kNN@200 at each, null where missing; the present rows all as long
     */
    static ForgettingOverPhases of(long[] steps, double[] knn200, double[][] perClass) {
        if (steps.length != knn200.length || steps.length != perClass.length) {
            throw new IllegalArgumentException("one figure per phase: " + steps.length + " steps, " + knn200.length
                    + " kNN figures, " + perClass.length + " per-class rows");
        }
        int classes = Arrays.stream(perClass).filter(r -> r != null).mapToInt(r -> r.length).findFirst().orElse(0);
        List<Long> present = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        double[][] filled = new double[steps.length][];
        for (int p = 0; p < steps.length; p++) {
            if (perClass[p] == null) {
                filled[p] = new double[classes];
                Arrays.fill(filled[p], Double.NaN);
            } else {
                filled[p] = perClass[p].clone();
                present.add(steps[p]);
                rows.add(filled[p]);
            }
        }
        double forgetting = rows.size() < 2 || perClass[steps.length - 1] == null ? Double.NaN : ForgettingCurves.of(
                present.stream().mapToLong(Long::longValue).toArray(), rows.toArray(double[][]::new))
                .averageForgetting();
        return new ForgettingOverPhases(knn200.clone(), filled, forgetting);
    }
}
