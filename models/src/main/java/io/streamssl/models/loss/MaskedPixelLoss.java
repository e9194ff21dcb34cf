package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;
import io.streamssl.models.tensor.NativeScalar;

/**
 * MAE's reconstruction loss (He et al. 2022, "norm_pix_loss"): each patch's pixels, normalised by that patch's own
 * mean and variance ({@code (x − μ) / √(σ² + 1e-6)}, σ² the unbiased variance as {@code torch.var}), are the
 * target; the loss is the mean squared error per patch, averaged over the masked patches only.
 *
 * <p>Shapes: {@code prediction} (N, T, p·p·3); {@code image} (N, 3, H, W) with H = W = p·√T; {@code masked} (N, T),
 * 1 for a masked patch, 0 for a visible one. Patches are in row-major order, each flattened as (p, p, 3), the
 * layout of MAE's {@code patchify}. Returns a scalar.
 */
public final class MaskedPixelLoss {

    private static final double EPS = 1e-6;

    private MaskedPixelLoss() {}

    public static NDArray compute(NDArray prediction, NDArray image, NDArray masked, int patch) {
        NDArray target = normalizedPatches(image.stopGradient(), patch);
        if (!prediction.getShape().equals(target.getShape())) {
            throw new IllegalArgumentException("prediction must be (N, T, p·p·3) = " + target.getShape() + ", got "
                    + prediction.getShape());
        }
        NDArray perPatch = prediction.sub(target).square().mean(new int[] {2}); // (N, T)
        return perPatch.mul(masked).sum().div(masked.sum());
    }

    /** The image's patches as rows, (N, T, p·p·3), each normalised by its own mean and unbiased variance. */
    public static NDArray normalizedPatches(NDArray image, int patch) {
        NDArray x = patchify(image, patch);
        long values = x.getShape().get(2);
        NDArray mean = x.mean(new int[] {2}, true);
        NDArray centred = x.sub(mean);
        NDArray variance = NativeScalar.div(centred.square().sum(new int[] {2}, true), values - 1);
        return centred.div(NativeScalar.add(variance, EPS).sqrt());
    }

    /** (N, 3, H, W) → (N, T, p·p·3): row-major patches, each flattened as (p, p, channels). */
    public static NDArray patchify(NDArray image, int patch) {
        long n = image.getShape().get(0);
        long c = image.getShape().get(1);
        long h = image.getShape().get(2) / patch;
        long w = image.getShape().get(3) / patch;
        return image.reshape(n, c, h, patch, w, patch).transpose(0, 2, 4, 3, 5, 1).reshape(n, h * w, patch * patch * c);
    }
}
