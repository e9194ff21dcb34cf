package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Cross-entropy against hard pseudo-labels, swapped between two views: DeepCluster-v2 (Caron et al. 2020, SwAV
 * paper §B) and SeLA (Asano et al. 2020, eq. 1). Each view's prototype scores S_v (N, K), cosines, give
 * {@code softmax(S_v / T)}; its label is the cluster the <em>other</em> view falls in,
 * {@code argmax_k (S_other + offset)_k}, with an optional per-cluster {@code offset} (K) (SeLA: ε · log of the
 * Sinkhorn-Knopp column scaling, so that the labels keep the equipartition of the last assignment). The loss is
 * {@code −log softmax(S_v / T)[label]} averaged over the batch and the two views; labels are targets, detached.
 * It is {@link SwavLoss} with one-hot codes.
 *
 * <p>Valid values: temperature T &gt; 0 (DeepCluster-v2: 0.1).
 */
public final class PseudoLabelLoss {

    private static final String NAME = "pseudo-label loss";

    private final SwavLoss crossEntropy;

    public PseudoLabelLoss(double temperature) {
        LossInputs.requireTemperature(NAME, "temperature", temperature);
        this.crossEntropy = new SwavLoss(temperature);
    }

    /** Hard labels (N) int64 of {@code scores} (N, K): the cluster of highest score plus {@code offset} (may be null). */
    public static NDArray labels(NDArray scores, NDArray offset) {
        NDArray s = scores.stopGradient();
        return (offset == null ? s : s.add(offset)).argMax(1);
    }

    /** The loss of two views' scores (N, K) each; {@code offset} (K) or null. */
    public NDArray compute(NDArray scores0, NDArray scores1, NDArray offset) {
        LossInputs.requireMatrix(NAME, "scores", scores0, 1);
        LossInputs.requireSameShape(NAME, scores0, scores1);
        int k = (int) scores0.getShape().get(1);
        // SwavLoss pairs the code of view a with the scores of every other view: the swap is built in
        List<NDArray> codes = new ArrayList<>(2);
        codes.add(labels(scores0, offset).oneHot(k));
        codes.add(labels(scores1, offset).oneHot(k));
        return crossEntropy.compute(List.of(scores0, scores1), codes);
    }
}
