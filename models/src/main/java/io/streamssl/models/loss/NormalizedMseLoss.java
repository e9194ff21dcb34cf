package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;
import io.streamssl.models.tensor.NativeScalar;

/**
 * BYOL's regression loss (Grill et al. 2020, eq. 2): the mean squared error between L2-normalised prediction
 * and target, {@code ‖p/‖p‖ − z/‖z‖‖² = 2 − 2·cos(p, z)}, averaged over the batch.
 *
 * <p>Shapes: {@code prediction} (N, d), {@code target} (N, d); returns a scalar. The target is detached here:
 * gradients flow only into the prediction (the teacher side receives none).
 */
public final class NormalizedMseLoss {

    private static final float EPS = 1e-12f;

    private NormalizedMseLoss() {}

    public static NDArray compute(NDArray prediction, NDArray target) {
        if (!prediction.getShape().equals(target.getShape()) || prediction.getShape().dimension() != 2) {
            throw new IllegalArgumentException("prediction and target must both be (N, d), got "
                    + prediction.getShape() + " and " + target.getShape());
        }
        NDArray p = l2Normalize(prediction);
        NDArray z = l2Normalize(target.stopGradient());
        NDArray cos = p.mul(z).sum(new int[] {1});
        return NativeScalar.add(NativeScalar.mul(cos, -2), 2).mean();
    }

    /** Rows divided by their L2 norm (clamped away from zero, as torch.nn.functional.normalize does). */
    public static NDArray l2Normalize(NDArray x) {
        NDArray norm = NativeScalar.maximum(x.square().sum(new int[] {1}, true).sqrt(), EPS);
        return x.div(norm);
    }
}
