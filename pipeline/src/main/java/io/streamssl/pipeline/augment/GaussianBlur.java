package io.streamssl.pipeline.augment;

/**
 * torchvision's {@code GaussianBlur(kernel_size, sigma)} on float images: the 1-D kernel
 * {@code k[i] ∝ exp(−x_i² / 2σ²)} at {@code x_i = i − (K−1)/2}, normalised to sum 1, applied separably
 * (horizontally, then vertically) with "reflect" padding ({@code dcb|abcd|cba}, the edge sample not repeated).
 *
 * <p>Kernel size: {@link #kernelSize} = 10 % of the image side made odd, as BYOL's and SimCLR's reference code
 * ({@code kernel_size = size // 10}, {@code radius = kernel_size // 2}, {@code 2·radius + 1} taps): 23 at 224 px,
 * 9 at 96 px, 3 at 32 px. σ is drawn per view from U(0.1, 2.0) by {@link ViewPipeline}.
 */
public final class GaussianBlur {

    private GaussianBlur() {
    }

    /** {@code 2·((size/10)/2) + 1}, at least 1. */
    public static int kernelSize(int imageSize) {
        return (imageSize / 10 / 2) * 2 + 1;
    }

    /** The normalised 1-D Gaussian kernel of {@code size} (odd) taps. */
    public static float[] kernel(double sigma, int size) {
        if (!(sigma > 0) || size <= 0 || size % 2 == 0) {
            throw new IllegalArgumentException("a Gaussian kernel needs sigma > 0 and an odd positive size, got sigma="
                    + sigma + " size=" + size);
        }
        double half = (size - 1) * 0.5;
        double[] pdf = new double[size];
        double sum = 0;
        for (int i = 0; i < size; i++) {
            double x = (i - half) / sigma;
            pdf[i] = Math.exp(-0.5 * x * x);
            sum += pdf[i];
        }
        float[] k = new float[size];
        for (int i = 0; i < size; i++) {
            k[i] = (float) (pdf[i] / sum);
        }
        return k;
    }

    /**
     * Blurs the {@code width × height} HWC float image {@code px} in place.
     *
     * <p>Both passes run as "vertical" passes, one over the transposed image: a vertical pass is, per output row,
     * a multiply-add of whole input rows at the same index, which HotSpot's C2 vectorises; a horizontal pass
     * shifts the input by a tap-dependent amount, which C2 (JDK 17) cannot prove free of aliasing and leaves
     * scalar, about 6× slower. The two transposes cost less than that difference.
     */
    public static void apply(float[] px, int width, int height, float[] kernel) {
        float[][] columns = new float[width][height * 3];
        for (int y = 0; y < height; y++) {
            int base = y * width * 3;
            int o = y * 3;
            for (int x = 0; x < width; x++) {
                float[] column = columns[x];
                int p = base + x * 3;
                column[o] = px[p];
                column[o + 1] = px[p + 1];
                column[o + 2] = px[p + 2];
            }
        }
        float[][] blurredColumns = new float[width][];
        for (int x = 0; x < width; x++) {
            blurredColumns[x] = new float[height * 3];
            combine(columns, x, kernel, blurredColumns[x]);
        }
        float[][] rows = new float[height][width * 3];
        for (int x = 0; x < width; x++) {
            float[] column = blurredColumns[x];
            int o = x * 3;
            for (int y = 0; y < height; y++) {
                float[] row = rows[y];
                row[o] = column[y * 3];
                row[o + 1] = column[y * 3 + 1];
                row[o + 2] = column[y * 3 + 2];
            }
        }
        float[] out = new float[width * 3];
        for (int y = 0; y < height; y++) {
            combine(rows, y, kernel, out);
            System.arraycopy(out, 0, px, y * width * 3, out.length);
        }
    }

    /** {@code out = Σ_t k[t]·lines[reflect(at + t − r)]}: whole lines at the same index (vectorised by C2). */
    private static void combine(float[][] lines, int at, float[] k, float[] out) {
        int r = k.length / 2;
        int n = out.length;
        float[] first = lines[reflect(at - r, lines.length)];
        float k0 = k[0];
        for (int i = 0; i < n; i++) {
            out[i] = k0 * first[i];
        }
        for (int t = 1; t < k.length; t++) {
            float[] line = lines[reflect(at + t - r, lines.length)];
            float kt = k[t];
            for (int i = 0; i < n; i++) {
                out[i] += kt * line[i];
            }
        }
    }

    /** Index {@code i} reflected into [0, n) without repeating the edge (PyTorch's "reflect" padding). */
    static int reflect(int i, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * (n - 1);
        int m = Math.floorMod(i, period);
        return m < n ? m : period - m;
    }
}
