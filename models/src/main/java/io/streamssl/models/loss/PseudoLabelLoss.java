package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Cross-entropy against hard pseudo-labels, swapped between two views: DeepCluster-v2 (Caron et al. 2020, SwAV
 * paper §B) and SeLA (Asano et al. 2020, eq. 1). Each view's prototype scores S_v (N, K), cosines, give
 * {@code softmax(S_v / T)}; its target is the label of the <em>other</em> view
 * (DeepCluster-v2: its nearest prototype, {@link #labels}; SeLA: its row of a Sinkhorn-Knopp plan,
 * {@link SinkhornLabels}). The loss is
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

    /** Hard labels (N) int64 of {@code scores} (N, K): the cluster of highest score (detached). */
    public static NDArray labels(NDArray scores) {
        return scores.stopGradient().argMax(1);
    }

    /**
     * The loss of two views' scores (N, K) each, given each view's labels (N) int64: view 1 is trained to predict
     * {@code labels0} (those of view 0) and view 0 to predict {@code labels1}.
     */
    public NDArray compute(NDArray scores0, NDArray scores1, NDArray labels0, NDArray labels1) {
        LossInputs.requireMatrix(NAME, "scores", scores0, 1);
        LossInputs.requireSameShape(NAME, scores0, scores1);
        int k = (int) scores0.getShape().get(1);
        // SwavLoss pairs the code of view a with the scores of every other view: the swap is built in
        List<NDArray> codes = new ArrayList<>(2);
        codes.add(labels0.stopGradient().oneHot(k));
        codes.add(labels1.stopGradient().oneHot(k));
        return crossEntropy.compute(List.of(scores0, scores1), codes);
    }
}
