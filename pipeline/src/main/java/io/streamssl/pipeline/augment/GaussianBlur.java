package io.streamssl.pipeline.augment;

import java.util.SplittableRandom;

/**
 * torchvision's {@code GaussianBlur(kernel_size, sigma)} on float images: the 1-D kernel
 * {@code k[i] ∝ exp(−x_i² / 2σ²)} at {@code x_i = i − (K−1)/2}, normalised to sum 1, applied separably
 * (horizontally, then vertically) with "reflect" padding ({@code dcb|abcd|cba}, the edge sample not repeated).
 *
 * <p>Kernel size: {@link #kernelSize} = 10 % of the image side made odd, as BYOL's and SimCLR's reference code
 * ({@code kernel_size = size // 10}, {@code radius = kernel_size // 2}, {@code 2·radius + 1} taps): 23 at 224 px,
 * 9 at 96 px, 3 at 32 px. σ is drawn per view from U(σ_min, σ_max), (0.1, 2.0) in every paper's pipeline.
 */
public final class GaussianBlur implements ViewOp {

    /** The σ range of the SSL papers' blur. */
    public static final double MIN_SIGMA = 0.1;
    public static final double MAX_SIGMA = 2.0;

    private final int kernelSize;
    private final double minSigma;
    private final double maxSigma;

    /**
     * @param kernelSize odd, ≥ 1
     * @param minSigma smallest σ, &gt; 0
     * @param maxSigma largest σ, ≥ minSigma
     */
    public GaussianBlur(int kernelSize, double minSigma, double maxSigma) {
        if (kernelSize <= 0 || kernelSize % 2 == 0) {
            throw new IllegalArgumentException("blur kernel size must be odd and positive, got " + kernelSize);
        }
        if (!(minSigma > 0 && minSigma <= maxSigma && Double.isFinite(maxSigma))) {
            throw new IllegalArgumentException("blur sigma must satisfy 0 < min <= max, got [" + minSigma + ", "
                    + maxSigma + "]");
        }
        this.kernelSize = kernelSize;
        this.minSigma = minSigma;
        this.maxSigma = maxSigma;
    }

    /** The papers' blur of a {@code viewSize} view: a kernel of 10 % of the side, σ ∈ [0.1, 2.0]. */
    public static GaussianBlur forViewSize(int viewSize) {
        return new GaussianBlur(kernelSize(viewSize), MIN_SIGMA, MAX_SIGMA);
    }

    public int kernelSize() {
        return kernelSize;
    }

    public double minSigma() {
        return minSigma;
    }

    public double maxSigma() {
        return maxSigma;
    }

    /** Draws σ ~ U(minSigma, maxSigma) and blurs the view with it. */
    @Override
    public void apply(float[] px, int size, SplittableRandom random) {
        double sigma = minSigma + (maxSigma - minSigma) * random.nextDouble();
        apply(px, size, size, kernel(sigma, kernelSize));
    }

    @Override
    public ViewPipeline.Stage stage() {
        return ViewPipeline.Stage.BLUR;
    }

    @Override
    public String toString() {
        return "blur(kernel " + kernelSize + ", sigma [" + minSigma + ", " + maxSigma + "])";
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
            pdf[i] = StrictMath.exp(-0.5 * x * x); // bit-identical on every JVM and CPU (see MultiViewAugmenter)
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
        float[] k = trim(kernel);
        if (k.length == 1 && k[0] == 1f) {
            return; // σ < 0.155 (outer taps trimmed), or images under 20 px (a 1-tap kernel): the identity
        }
        ViewScratch scratch = ViewScratch.current();
        int columnLength = height * 3;
        int rowLength = width * 3;
        float[][] columns = scratch.grid(ViewScratch.Slot.BLUR_COLUMNS, width, columnLength);
        for (int y = 0; y < height; y++) {
            int base = y * rowLength;
            int o = y * 3;
            for (int x = 0; x < width; x++) {
                float[] column = columns[x];
                int p = base + x * 3;
                column[o] = px[p];
                column[o + 1] = px[p + 1];
                column[o + 2] = px[p + 2];
            }
        }
        float[][] blurredColumns = scratch.grid(ViewScratch.Slot.BLUR_BLURRED_COLUMNS, width, columnLength);
        for (int x = 0; x < width; x++) {
            combine(columns, width, x, k, blurredColumns[x], columnLength);
        }
        float[][] rows = scratch.grid(ViewScratch.Slot.BLUR_ROWS, height, rowLength);
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
        float[] out = scratch.line(ViewScratch.Slot.BLUR_LINE, rowLength);
        for (int y = 0; y < height; y++) {
            combine(rows, height, y, k, out, rowLength);
            System.arraycopy(out, 0, px, y * rowLength, rowLength);
        }
    }

    /**
     * The kernel without outer taps below 1e-9 (of a kernel summing to 1): they change no output by more than
     * 23·1e-9·255 ≈ 6e-6, under the float resolution at 255 (1.5e-5), so dropping them gives torchvision's
     * float result to within its own rounding, and a small σ (most draws of U(0.1, 2)) costs 2–3 times fewer taps.
     */
    static float[] trim(float[] kernel) {
        int drop = 0;
        while (drop < kernel.length / 2 && kernel[drop] < 1e-9f && kernel[kernel.length - 1 - drop] < 1e-9f) {
            drop++;
        }
        return drop == 0 ? kernel : java.util.Arrays.copyOfRange(kernel, drop, kernel.length - drop);
    }

    /**
     * {@code out = Σ_t k[t]·lines[reflect(at + t − r)]} over the first {@code n} floats: whole lines at the same
     * index, which C2 vectorises.
     */
    private static void combine(float[][] lines, int count, int at, float[] k, float[] out, int n) {
        int r = k.length / 2;
        float[] first = lines[reflect(at - r, count)];
        float k0 = k[0];
        for (int i = 0; i < n; i++) {
            out[i] = k0 * first[i];
        }
        for (int t = 1; t < k.length; t++) {
            float[] line = lines[reflect(at + t - r, count)];
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
