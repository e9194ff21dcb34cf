package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * SeLA's pseudo-labels (Asano et al. 2020, §3): the rows of a Sinkhorn-Knopp transport plan that spreads the
 * samples equally over the K clusters, made hard by an argmax. The plan runs over a memory's scores (Q, K)
 * stacked on the batch's (B, K), so that the batch is labelled jointly with the last Q samples: the memory
 * supplies the equipartition's context (a batch of 64 against 64 clusters alone would be forced into one
 * sample per cluster), and the batch rows are in the plan, so no scaling has to be carried over to samples
 * outside it.
 *
 * <p>Shapes: memory scores (Q, K), Q ≥ 0 rows (null: the batch alone), batch scores (B, K); returns the batch's
 * labels (B), int64, detached.
 */
public final class SinkhornLabels {

    private final SinkhornKnopp sinkhorn;

    public SinkhornLabels(SinkhornKnopp sinkhorn) {
        this.sinkhorn = sinkhorn;
    }

    public NDArray labels(NDArray memoryScores, NDArray scores) {
        LossInputs.requireMatrix("sinkhorn labels", "scores", scores, 1);
        NDArray s = scores.stopGradient();
        if (memoryScores == null || memoryScores.getShape().get(0) == 0) {
            return sinkhorn.plan(s).argMax(1);
        }
        LossInputs.requireMatrix("sinkhorn labels", "memory scores", memoryScores, 1);
        long q = memoryScores.getShape().get(0);
        NDArray plan = sinkhorn.plan(memoryScores.stopGradient().concat(s, 0));
        return plan.get(new NDIndex(q + ":")).argMax(1);
    }
}
