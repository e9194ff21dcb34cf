package io.streamssl.pipeline.augment;

import java.util.SplittableRandom;

/**
 * PIL's {@code ImageOps.solarize(image, threshold=128)} as used by BYOL and DINO: every 8-bit value
 * {@code v ≥ 128} becomes {@code 255 − v}. PIL solarizes the 8-bit image, so the view is rounded first (as
 * {@link ViewPipeline} rounds it at the end) and the threshold applies to the rounded value; the result is a
 * whole number, which the final rounding keeps.
 */
public final class Solarization implements ViewOp {

    public static final int THRESHOLD = 128;

    /** {@code v} if {@code v < 128}, else {@code 255 − v}. */
    public static int solarize(int v) {
        return v < THRESHOLD ? v : 255 - v;
    }

    @Override
    public void apply(float[] px, int size, SplittableRandom random) {
        solarizeRounded(px, size * size * 3);
    }

    /** Rounds the first {@code n} floats of {@code px} as the view's bytes will be, and solarizes them. */
    static void solarizeRounded(float[] px, int n) {
        for (int i = 0; i < n; i++) {
            px[i] = solarize(ViewPipeline.roundToByte(px[i]));
        }
    }

    @Override
    public ViewPipeline.Stage stage() {
        return ViewPipeline.Stage.ROUND_SOLARIZE;
    }

    @Override
    public String toString() {
        return "solarize";
    }
}
