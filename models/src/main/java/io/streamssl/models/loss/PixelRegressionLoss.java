package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;

/**
 * Squared error between a predicted and a target image, averaged over the pixels a mask selects and their
 * channels: {@code Σ m·(p − t)² / (C · Σ m)}. Colorization's ab regression (Zhang et al. 2016's L2 baseline, every
 * pixel) and the context encoder's reconstruction loss (Pathak et al. 2016, the masked region only).
 *
 * <p>Shapes: {@code prediction} and {@code target} (N, C, H, W); {@code mask} (N, 1, H, W), 1 where a pixel counts and
 * 0 where it does not, or {@code null} for every pixel. The target takes no gradient. Returns a scalar; an
 * all-zero mask is a degenerate input and throws.
 */
public final class PixelRegressionLoss {

    private PixelRegressionLoss() {}

    public static NDArray compute(NDArray prediction, NDArray target, NDArray mask) {
        if (!prediction.getShape().equals(target.getShape()) || prediction.getShape().dimension() != 4) {
            throw new IllegalArgumentException("prediction and target must both be (N, C, H, W), got "
                    + prediction.getShape() + " and " + target.getShape());
        }
        NDArray squared = prediction.sub(target.stopGradient()).square();
        if (mask == null) {
            return squared.mean();
        }
        long n = prediction.getShape().get(0);
        if (!mask.getShape().equals(new ai.djl.ndarray.types.Shape(n, 1, prediction.getShape().get(2),
                prediction.getShape().get(3)))) {
            throw new IllegalArgumentException("mask must be (N, 1, H, W) for a prediction " + prediction.getShape()
                    + ", got " + mask.getShape());
        }
        NDArray counted = mask.sum();
        if (counted.getFloat() <= 0) {
            throw new IllegalArgumentException("the mask selects no pixel: nothing to reconstruct");
        }
        return squared.mul(mask).sum().div(counted.mul(prediction.getShape().get(1)));
    }
}
