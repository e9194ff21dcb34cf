package io.streamssl.pipeline.augment;

import io.streamssl.connectors.decode.RgbImage;
import java.util.SplittableRandom;

/**
 * One view of the torchvision SSL pipelines, in their order:
 *
 * <pre>
 * RandomResizedCrop(size, scale, ratio)         bilinear, antialiased
 * RandomHorizontalFlip(p = 0.5)
 * RandomApply([ColorJitter(b, c, s, h)], p)     adjustments in random order
 * RandomGrayscale(p)
 * RandomApply([GaussianBlur(10 % of size, σ ~ U(0.1, 2.0))], p)
 * RandomApply([Solarize(128)], p)
 * </pre>
 *
 * (MoCo v2 flips last; flipping commutes with every later step, all pixel-wise or mirror-symmetric, so the
 * order here gives the same distribution.)
 *
 * <pre>{@code
 * ViewPipeline view = ViewPipeline.builder().setSize(224)
 *         .optColorJitter(new ColorJitter(0.4, 0.4, 0.2, 0.1), 0.8).optGrayscale(0.2).optBlur(1.0).build();
 * }</pre>
 *
 * Required: {@code setSize}. Defaults: scale (0.08, 1), ratio (3/4, 4/3), flip 0.5, no jitter, grayscale 0,
 * blur 0 with σ ∈ [0.1, 2.0], solarize 0. The view is computed in one float buffer on the 0–255 scale and
 * rounded once at the end. Random draws, in order: crop box, flip, jitter (apply?, then order and factors),
 * grayscale, blur (apply?, then σ), solarize. Images smaller than the crop are upscaled by the resize, not
 * rejected. Immutable and thread-safe; the float buffers are per-thread scratch memory reused between views.
 */
public final class ViewPipeline implements ViewTransform {

    /** The stages {@link #apply(RgbImage, SplittableRandom, long[])} times, indexing its nanosecond array. */
    public enum Stage { CROP_RESIZE_FLIP, COLOR_JITTER, GRAYSCALE, BLUR, ROUND_SOLARIZE }

    private final RandomResizedCrop crop;
    private final double flipProbability;
    private final ColorJitter jitter;
    private final double jitterProbability;
    private final double grayscaleProbability;
    private final double blurProbability;
    private final double minSigma;
    private final double maxSigma;
    private final int blurKernelSize;
    private final double solarizeProbability;

    private ViewPipeline(Builder b) {
        this.crop = new RandomResizedCrop(b.size, b.minScale, b.maxScale, b.minRatio, b.maxRatio);
        this.flipProbability = b.flipProbability;
        this.jitter = b.jitter;
        this.jitterProbability = b.jitter == null ? 0 : b.jitterProbability;
        this.grayscaleProbability = b.grayscaleProbability;
        this.blurProbability = b.blurProbability;
        this.minSigma = b.minSigma;
        this.maxSigma = b.maxSigma;
        this.blurKernelSize = GaussianBlur.kernelSize(b.size);
        this.solarizeProbability = b.solarizeProbability;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public RgbImage apply(RgbImage source, SplittableRandom random) {
        return apply(source, random, null);
    }

    /**
     * As {@link #apply(RgbImage, SplittableRandom)}, adding each stage's wall time to
     * {@code stageNanos[stage.ordinal()]} when {@code stageNanos} is not null (for the benchmark's profile).
     */
    public RgbImage apply(RgbImage source, SplittableRandom random, long[] stageNanos) {
        long t0 = stageNanos == null ? 0 : System.nanoTime();
        int size = crop.size();
        int pixels = size * size;
        CropBox box = crop.sample(source.width(), source.height(), random);
        boolean flip = random.nextDouble() < flipProbability;
        float[] px = ViewScratch.current().line(ViewScratch.Slot.VIEW, pixels * 3);
        BilinearResampler.resizeCrop(source, box, size, flip, px);
        t0 = lap(stageNanos, Stage.CROP_RESIZE_FLIP, t0);

        if (jitter != null && random.nextDouble() < jitterProbability) {
            jitter.apply(px, pixels, jitter.sample(random));
        }
        t0 = lap(stageNanos, Stage.COLOR_JITTER, t0);

        if (random.nextDouble() < grayscaleProbability) {
            Grayscale.apply(px, pixels);
        }
        t0 = lap(stageNanos, Stage.GRAYSCALE, t0);

        if (random.nextDouble() < blurProbability) {
            double sigma = minSigma + (maxSigma - minSigma) * random.nextDouble();
            GaussianBlur.apply(px, size, size, GaussianBlur.kernel(sigma, blurKernelSize));
        }
        t0 = lap(stageNanos, Stage.BLUR, t0);

        boolean solarize = random.nextDouble() < solarizeProbability;
        byte[] out = new byte[pixels * 3];
        Solarization.toBytes(px, out, solarize); // reads only the first pixels·3 floats of the scratch buffer
        lap(stageNanos, Stage.ROUND_SOLARIZE, t0);
        return new RgbImage(size, size, out);
    }

    private static long lap(long[] stageNanos, Stage stage, long since) {
        if (stageNanos == null) {
            return 0;
        }
        long now = System.nanoTime();
        stageNanos[stage.ordinal()] += now - since;
        return now;
    }

    @Override
    public int outputSize() {
        return crop.size();
    }

    public RandomResizedCrop crop() {
        return crop;
    }

    public double flipProbability() {
        return flipProbability;
    }

    /** The jitter, or null when the view has none. */
    public ColorJitter colorJitter() {
        return jitter;
    }

    public double colorJitterProbability() {
        return jitterProbability;
    }

    public double grayscaleProbability() {
        return grayscaleProbability;
    }

    public double blurProbability() {
        return blurProbability;
    }

    public double minBlurSigma() {
        return minSigma;
    }

    public double maxBlurSigma() {
        return maxSigma;
    }

    public int blurKernelSize() {
        return blurKernelSize;
    }

    public double solarizeProbability() {
        return solarizeProbability;
    }

    @Override
    public String toString() {
        return "ViewPipeline(" + crop + ", flip p=" + flipProbability + ", " + jitter + " p=" + jitterProbability
                + ", grayscale p=" + grayscaleProbability + ", blur p=" + blurProbability + " sigma=[" + minSigma
                + ", " + maxSigma + "] kernel=" + blurKernelSize + ", solarize p=" + solarizeProbability + ")";
    }

    /** Builds a {@link ViewPipeline}; {@link #build()} checks every value and names each one that is wrong. */
    public static final class Builder {
        private int size;
        private double minScale = 0.08;
        private double maxScale = 1.0;
        private double minRatio = RandomResizedCrop.MIN_RATIO;
        private double maxRatio = RandomResizedCrop.MAX_RATIO;
        private double flipProbability = 0.5;
        private ColorJitter jitter;
        private double jitterProbability;
        private double grayscaleProbability;
        private double blurProbability;
        private double minSigma = 0.1;
        private double maxSigma = 2.0;
        private double solarizeProbability;

        private Builder() {
        }

        /** Output side length in pixels (required). */
        public Builder setSize(int size) {
            this.size = size;
            return this;
        }

        /** Area fraction range of the crop; default (0.08, 1). */
        public Builder optScale(double min, double max) {
            this.minScale = min;
            this.maxScale = max;
            return this;
        }

        /** Aspect ratio range of the crop; default (3/4, 4/3). */
        public Builder optRatio(double min, double max) {
            this.minRatio = min;
            this.maxRatio = max;
            return this;
        }

        /** Default 0.5. */
        public Builder optFlip(double probability) {
            this.flipProbability = probability;
            return this;
        }

        /** Colour jitter applied with {@code probability}; default none. */
        public Builder optColorJitter(ColorJitter jitter, double probability) {
            this.jitter = jitter;
            this.jitterProbability = probability;
            return this;
        }

        /** Default 0. */
        public Builder optGrayscale(double probability) {
            this.grayscaleProbability = probability;
            return this;
        }

        /** Gaussian blur with σ ~ U(0.1, 2.0) applied with {@code probability}; default 0. */
        public Builder optBlur(double probability) {
            this.blurProbability = probability;
            return this;
        }

        /** The σ range of the blur; default [0.1, 2.0]. */
        public Builder optBlurSigma(double min, double max) {
            this.minSigma = min;
            this.maxSigma = max;
            return this;
        }

        /** Default 0. */
        public Builder optSolarize(double probability) {
            this.solarizeProbability = probability;
            return this;
        }

        public ViewPipeline build() {
            StringBuilder problems = new StringBuilder();
            if (size <= 0) {
                problems.append("; setSize(...) with a positive size is required, got ").append(size);
            }
            if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1)) {
                problems.append("; scale must satisfy 0 < min <= max <= 1, got (").append(minScale).append(", ")
                        .append(maxScale).append(')');
            }
            if (!(minRatio > 0 && minRatio <= maxRatio && Double.isFinite(maxRatio))) {
                problems.append("; ratio must satisfy 0 < min <= max, got (").append(minRatio).append(", ")
                        .append(maxRatio).append(')');
            }
            if (!(minSigma > 0 && minSigma <= maxSigma && Double.isFinite(maxSigma))) {
                problems.append("; blur sigma must satisfy 0 < min <= max, got [").append(minSigma).append(", ")
                        .append(maxSigma).append(']');
            }
            checkProbability(problems, "flip", flipProbability);
            checkProbability(problems, "color jitter", jitterProbability);
            checkProbability(problems, "grayscale", grayscaleProbability);
            checkProbability(problems, "blur", blurProbability);
            checkProbability(problems, "solarize", solarizeProbability);
            if (problems.length() > 0) {
                throw new IllegalArgumentException("invalid view pipeline: " + problems.substring(2));
            }
            return new ViewPipeline(this);
        }

        private static void checkProbability(StringBuilder problems, String name, double p) {
            if (!(p >= 0 && p <= 1)) {
                problems.append("; ").append(name).append(" probability must be in [0, 1], got ").append(p);
            }
        }
    }
}
