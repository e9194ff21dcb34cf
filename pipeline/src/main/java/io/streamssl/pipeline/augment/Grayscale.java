package io.streamssl.pipeline.augment;

import java.util.SplittableRandom;

/**
 * ITU-R 601-2 luma, {@code L = 0.299·R + 0.587·G + 0.114·B} — PIL's {@code convert("L")} weights, which the
 * torchvision pipelines of the SSL papers (run on PIL images) use for {@code RandomGrayscale}, and which
 * {@link ColorJitter} uses for its contrast mean and saturation blend. (torchvision's tensor path writes
 * 0.2989; the weights here sum to exactly 1, so a gray pixel stays the same gray.)
 */
public final class Grayscale implements ViewOp {

    public static final float RED = 0.299f;
    public static final float GREEN = 0.587f;
    public static final float BLUE = 0.114f;

    @Override
    public void apply(float[] px, int size, SplittableRandom random) {
        apply(px, size * size);
    }

    @Override
    public ViewPipeline.Stage stage() {
        return ViewPipeline.Stage.GRAYSCALE;
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

    @Override
    public String toString() {
        return "grayscale";
    }
}
