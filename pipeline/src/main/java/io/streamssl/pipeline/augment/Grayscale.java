package io.streamssl.pipeline.augment;

/**
 * ITU-R 601-2 luma, {@code L = 0.299·R + 0.587·G + 0.114·B} — PIL's {@code convert("L")} weights, which the
 * torchvision pipelines of the SSL papers (run on PIL images) use for {@code RandomGrayscale}, and which
 * {@link ColorJitter} uses for its contrast mean and saturation blend. (torchvision's tensor path writes
 * 0.2989; the weights here sum to exactly 1, so a gray pixel stays the same gray.)
 */
public final class Grayscale {

    public static final float RED = 0.299f;
    public static final float GREEN = 0.587f;
    public static final float BLUE = 0.114f;

    private Grayscale() {
    }

    public static float luma(float r, float g, float b) {
        return RED * r + GREEN * g + BLUE * b;
    }

    /** Replaces every pixel by its luma in all three channels ({@code RandomGrayscale} keeps 3 channels). */
    public static void apply(float[] px, int pixels) {
        for (int i = 0, n = pixels * 3; i < n; i += 3) {
            float l = luma(px[i], px[i + 1], px[i + 2]);
            px[i] = l;
            px[i + 1] = l;
            px[i + 2] = l;
        }
    }
}
