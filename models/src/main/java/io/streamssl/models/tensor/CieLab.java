package io.streamssl.models.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/**
 * sRGB → CIE L*a*b* (D65 white), the conversion of skimage's {@code rgb2lab} that Zhang et al. 2016 train on:
 * <ol>
 *   <li>linearise each channel: {@code c ≤ 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055)^2.4};</li>
 *   <li>XYZ = M · rgb with sRGB's matrix M (rows 0.412453 0.357580 0.180423 / 0.212671 0.715160 0.072169 /
 *       0.019334 0.119193 0.950227, skimage's), divided by the D65 white (0.95047, 1, 1.08883);</li>
 *   <li>{@code f(t) = t > (6/29)³ ? t^⅓ : t / (3·(6/29)²) + 4/29}; L = 116 f(Y) − 16, a = 500 (f(X) − f(Y)),
 *       b = 200 (f(Y) − f(Z)).</li>
 * </ol>
 * Input (N, 3, H, W) RGB in [0, 1]; outputs keep the layout. No gradient is meant to flow through (targets).
 */
public final class CieLab {

    static final float[][] RGB_TO_XYZ = {
        {0.412453f, 0.357580f, 0.180423f},
        {0.212671f, 0.715160f, 0.072169f},
        {0.019334f, 0.119193f, 0.950227f}};
    static final float[] WHITE = {0.95047f, 1f, 1.08883f};
    private static final float DELTA = 6f / 29f;

    private CieLab() {}

    /** (N, 3, H, W) L*, a*, b*: L in [0, 100], a and b within about ±110 for sRGB colours. */
    public static NDArray lab(NDArray rgb) {
        NDArray linear = linearize(rgb);
        NDArray fx = f(channelMix(linear, 0).div(WHITE[0]));
        NDArray fy = f(channelMix(linear, 1).div(WHITE[1]));
        NDArray fz = f(channelMix(linear, 2).div(WHITE[2]));
        NDArray l = fy.mul(116f).sub(16f);
        NDArray a = fx.sub(fy).mul(500f);
        NDArray b = fy.sub(fz).mul(200f);
        return NDArrays.concat(new NDList(l, a, b), 1);
    }

    /**
     * (N, 3, H, W) the sRGB image with the same L* and a* = b* = 0: grey, each channel the companded luminance Y
     * (for a = b = 0, X/Xn = Y/Yn = Z/Zn, so the linear R = G = B = Y). The L channel as a 3-channel image.
     */
    public static NDArray grey(NDArray rgb) {
        NDArray y = compand(channelMix(linearize(rgb), 1).clip(0f, 1f));
        return NDArrays.concat(new NDList(y, y, y), 1);
    }

    /** sRGB's transfer function undone, per value. */
    static NDArray linearize(NDArray c) {
        NDArray low = c.div(12.92f);
        NDArray high = c.add(0.055f).div(1.055f).pow(2.4f);
        return NDArrays.where(c.lte(0.04045f), low, high);
    }

    /** sRGB's transfer function, per value in [0, 1]. */
    static NDArray compand(NDArray linear) {
        NDArray low = linear.mul(12.92f);
        NDArray high = linear.pow(1f / 2.4f).mul(1.055f).sub(0.055f);
        return NDArrays.where(linear.lte(0.0031308f), low, high);
    }

    /** Row {@code row} of M applied to the linear channels: (N, 1, H, W). */
    private static NDArray channelMix(NDArray linear, int row) {
        float[] w = RGB_TO_XYZ[row];
        return linear.get(":, 0:1").mul(w[0]).add(linear.get(":, 1:2").mul(w[1])).add(linear.get(":, 2:3").mul(w[2]));
    }

    private static NDArray f(NDArray t) {
        NDArray cube = t.maximum(0f).pow(1f / 3f);
        NDArray linear = t.div(3 * DELTA * DELTA).add(4f / 29f);
        return NDArrays.where(t.gt(DELTA * DELTA * DELTA), cube, linear);
    }
}
