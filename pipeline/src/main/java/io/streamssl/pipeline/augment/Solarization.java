package io.streamssl.pipeline.augment;

/**
 * PIL's {@code ImageOps.solarize(image, threshold=128)} as used by BYOL and DINO: every 8-bit value
 * {@code v ≥ 128} becomes {@code 255 − v}. It is the last operation of every pipeline, so it is fused with the
 * rounding of the float view to bytes, and the threshold applies to the rounded value, exactly as on the PIL
 * image.
 */
public final class Solarization {

    public static final int THRESHOLD = 128;

    private Solarization() {
    }

    /** {@code v} if {@code v < 128}, else {@code 255 − v}. */
    public static int solarize(int v) {
        return v < THRESHOLD ? v : 255 - v;
    }

    /**
     * Rounds the 0–255 floats of {@code src} to bytes (half up, after clamping), solarizing them if asked.
     */
    public static void toBytes(float[] src, byte[] dst, boolean solarize) {
        int n = dst.length;
        // two loops rather than a flag tested per value: the plain one is branch-free and vectorises
        if (solarize) {
            for (int i = 0; i < n; i++) {
                dst[i] = (byte) solarize(round(src[i]));
            }
        } else {
            for (int i = 0; i < n; i++) {
                dst[i] = (byte) round(src[i]);
            }
        }
    }

    private static int round(float v) {
        // (int) truncates toward zero, so values in (−1.5, 0) also give 0; the int clamp covers the rest
        // without float min/max, which C2 does not turn into cheap instructions here
        int q = (int) (v + 0.5f);
        return q < 0 ? 0 : (q > 255 ? 255 : q);
    }
}
