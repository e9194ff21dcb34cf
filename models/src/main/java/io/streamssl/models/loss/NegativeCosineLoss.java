package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;

/**
 * SimSiam's loss (Chen &amp; He 2021, "Exploring Simple Siamese Representation Learning", eq. 1): the negative
 * cosine similarity between a prediction and a target whose gradient is stopped, {@code D(p, z) = −cos(p,
 * stopgrad(z))}, averaged over the batch. The stop-gradient is what prevents collapse in SimSiam.
 *
 * <p>Shapes: prediction and target (N, d); returns a scalar in [−1, 1].
 */
public final class NegativeCosineLoss {

    private static final String NAME = "negative cosine loss";

    private NegativeCosineLoss() {}

    public static NDArray compute(NDArray prediction, NDArray target) {
        LossInputs.requireMatrix(NAME, "prediction", prediction, 1);
        LossInputs.requireSameShape(NAME, prediction, target);
        NDArray p = NormalizedMseLoss.l2Normalize(prediction);
        NDArray z = NormalizedMseLoss.l2Normalize(target.stopGradient());
        return p.mul(z).sum(new int[] {1}).mean().neg();
    }
}
