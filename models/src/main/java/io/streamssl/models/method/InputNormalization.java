package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * The per-channel normalisation the trainer applies to every view before a method sees it:
 * {@code x = (rgb − mean) / std}, rgb in [0, 1]. A method whose target is a function of the colours (colorization's
 * Lab) undoes it with {@link #toUnitRgb} and normalises what it derives with {@link #normalize}.
 *
 * @param mean per-channel (R, G, B) mean, in [0, 1] units
 * @param std per-channel standard deviation, positive
 */
public record InputNormalization(float[] mean, float[] std) {

    /** CIFAR-10's channel statistics (the usual values in SSL code): the trainer's default. */
    public static final InputNormalization CIFAR = new InputNormalization(
            new float[] {0.4914f, 0.4822f, 0.4465f}, new float[] {0.2470f, 0.2435f, 0.2616f});

    public InputNormalization {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("normalisation needs 3 means and 3 standard deviations (R, G, B), got "
                    + mean.length + " and " + std.length);
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("normalisation standard deviations must be > 0, got "
                        + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** (N, 3, H, W) normalised views → their RGB in [0, 1] (clipped: float rounding may step just outside). */
    public NDArray toUnitRgb(NDArray normalized) {
        NDManager m = normalized.getManager();
        return normalized.mul(channels(m, std)).add(channels(m, mean)).clip(0f, 1f);
    }

    /** (N, 3, H, W) RGB in [0, 1] → normalised as the trainer normalises its views. */
    public NDArray normalize(NDArray rgb) {
        NDManager m = rgb.getManager();
        return rgb.sub(channels(m, mean)).div(channels(m, std));
    }

    private static NDArray channels(NDManager m, float[] values) {
        return m.create(values, new Shape(1, 3, 1, 1));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InputNormalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std);
    }
}
