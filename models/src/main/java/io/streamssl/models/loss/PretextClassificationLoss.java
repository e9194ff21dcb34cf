package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;

/**
 * Cross-entropy of a classifier's logits against the pretext labels the augmentation gave the views (Rotation:
 * the quarter turns, 0..3, Gidaris et al. 2018, eq. 1-2; a jigsaw's permutation index): the mean over the M rows
 * of {@code −log softmax(logits)[label]}. The labels are data, not a function of the network.
 */
public final class PretextClassificationLoss {

    private static final String NAME = "pretext classification loss";

    /**
     * @param logits (M, K) scores, one row per view
     * @param labels (M) int32 or int64, each in 0..K−1
     */
    public NDArray compute(NDArray logits, NDArray labels) {
        LossInputs.requireMatrix(NAME, "logits", logits, 1);
        long m = logits.getShape().get(0);
        if (labels.getShape().dimension() != 1 || labels.getShape().get(0) != m) {
            throw new IllegalArgumentException(NAME + ": need one label per row of the (" + m + ", K) logits, got "
                    + labels.getShape());
        }
        int k = Math.toIntExact(logits.getShape().get(1));
        NDArray oneHot = labels.stopGradient().oneHot(k).toType(logits.getDataType(), false);
        // mean(), not div(m): a Number operand lives in a buffer the GC may free before backward reads it
        return logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg().mean();
    }
}
