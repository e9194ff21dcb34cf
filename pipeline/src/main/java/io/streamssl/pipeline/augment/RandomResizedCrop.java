package io.streamssl.pipeline.augment;

import java.util.SplittableRandom;

/**
 * The crop-box rule of torchvision's {@code RandomResizedCrop(size, scale, ratio)} ({@code get_params}):
 *
 * <ol>
 *   <li>up to 10 times: draw an area fraction {@code s ~ U(scale)} and a log aspect ratio
 *       {@code log r ~ U(log ratio)}; {@code w = round(√(s·A·r))}, {@code h = round(√(s·A/r))} (round half to
 *       even, as Python's {@code round}); if {@code 0 < w ≤ W} and {@code 0 < h ≤ H}, draw the top-left corner
 *       uniformly among the integer positions that keep the box inside and return it;</li>
 *   <li>otherwise fall back to a centre crop: the whole image, clipped to the nearest allowed aspect ratio.</li>
 * </ol>
 *
 * The box is then resized to {@code size × size} by {@link BilinearResampler}. Defaults, as torchvision:
 * scale (0.08, 1), ratio (3/4, 4/3). Immutable and thread-safe.
 */
public final class RandomResizedCrop {

    /** torchvision's default ratio range. */
    public static final double MIN_RATIO = 3.0 / 4.0;
    public static final double MAX_RATIO = 4.0 / 3.0;
    private static final int TRIES = 10;

    private final int size;
    private final double minScale;
    private final double maxScale;
    private final double minRatio;
    private final double maxRatio;

    /**
     * @param size output side length in pixels (&gt; 0)
     * @param minScale smallest area fraction, in (0, maxScale]
     * @param maxScale largest area fraction, in [minScale, 1]
     * @param minRatio smallest width/height ratio, in (0, maxRatio]
     * @param maxRatio largest width/height ratio
     */
    public RandomResizedCrop(int size, double minScale, double maxScale, double minRatio, double maxRatio) {
        if (size <= 0) {
            throw new IllegalArgumentException("crop size must be positive, got " + size);
        }
        if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1)) {
            throw new IllegalArgumentException("crop scale must satisfy 0 < min <= max <= 1, got (" + minScale + ", "
                    + maxScale + ")");
        }
        if (!(minRatio > 0 && minRatio <= maxRatio && Double.isFinite(maxRatio))) {
            throw new IllegalArgumentException("crop ratio must satisfy 0 < min <= max, got (" + minRatio + ", "
                    + maxRatio + ")");
        }
        this.size = size;
        this.minScale = minScale;
        this.maxScale = maxScale;
        this.minRatio = minRatio;
        this.maxRatio = maxRatio;
    }

    public int size() {
        return size;
    }

    public double minScale() {
        return minScale;
    }

    public double maxScale() {
        return maxScale;
    }

    public double minRatio() {
        return minRatio;
    }

    public double maxRatio() {
        return maxRatio;
    }

    /** Draws a crop box for a {@code width × height} image (torchvision's {@code get_params}). */
    public CropBox sample(int width, int height, SplittableRandom random) {
        double area = (double) width * height;
        // StrictMath, not Math: Math.log/exp may differ in the last bit between JVMs and CPUs, and a box one pixel
        // off would break the replay of a restored job elsewhere (see MultiViewAugmenter)
        double logMin = StrictMath.log(minRatio);
        double logMax = StrictMath.log(maxRatio);
        for (int attempt = 0; attempt < TRIES; attempt++) {
            double targetArea = area * uniform(random, minScale, maxScale);
            double aspect = StrictMath.exp(uniform(random, logMin, logMax));
            int w = (int) Math.rint(Math.sqrt(targetArea * aspect));
            int h = (int) Math.rint(Math.sqrt(targetArea / aspect));
            if (w > 0 && w <= width && h > 0 && h <= height) {
                int top = random.nextInt(height - h + 1);
                int left = random.nextInt(width - w + 1);
                return new CropBox(top, left, h, w);
            }
        }
        return centerFallback(width, height);
    }

    /** torchvision's fallback after 10 failed tries: a centre crop at the nearest allowed aspect ratio. */
    CropBox centerFallback(int width, int height) {
        double inRatio = (double) width / height;
        int w;
        int h;
        if (inRatio < minRatio) {
            w = width;
            h = Math.max(1, (int) Math.rint(w / minRatio));
        } else if (inRatio > maxRatio) {
            h = height;
            w = Math.max(1, (int) Math.rint(h * maxRatio));
        } else {
            w = width;
            h = height;
        }
        return new CropBox((height - h) / 2, (width - w) / 2, h, w);
    }

    private static double uniform(SplittableRandom random, double lo, double hi) {
        return lo + (hi - lo) * random.nextDouble();
    }

    @Override
    public String toString() {
        return "RandomResizedCrop(size=" + size + ", scale=(" + minScale + ", " + maxScale + "), ratio=(" + minRatio
                + ", " + maxRatio + "))";
    }
}
