package io.streamssl.pipeline.augment;

import io.streamssl.connectors.decode.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One view of the torchvision SSL pipelines: the crop and flip, then a list of {@link ViewOp}s each applied with
 * its probability, then rounding to bytes. The presets' views, in their papers' order:
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
 *         .add(new ColorJitter(0.4, 0.4, 0.2, 0.1), 0.8).add(new Grayscale(), 0.2)
 *         .add(GaussianBlur.forViewSize(224), 1.0).build();
 * }</pre>
 *
 * Required: {@code setSize}. Defaults: scale (0.08, 1), ratio (3/4, 4/3), flip 0.5, no ops. The view is computed
 * in one float buffer on the 0–255 scale and rounded once at the end. Random draws, in order: crop box, flip,
 * then per op in list order: apply? (drawn also when the probability is 0), then the op's own draws. Images
 * smaller than the crop are upscaled by the resize, not rejected. Immutable and thread-safe; the float buffers
 * are per-thread scratch memory reused between views.
 */
public final class ViewPipeline implements ViewTransform {

    /** The stages {@link #apply(RgbImage, SplittableRandom, long[])} times, indexing its nanosecond array. */
    public enum Stage { CROP_RESIZE_FLIP, COLOR_JITTER, GRAYSCALE, BLUR, ROUND_SOLARIZE }

    /** An op and the probability it is applied with. */
    public record Step(ViewOp op, double probability) {
    }

    private final RandomResizedCrop crop;
    private final double flipProbability;
    private final List<Step> steps;

    private ViewPipeline(Builder b) {
        this.crop = new RandomResizedCrop(b.size, b.minScale, b.maxScale, b.minRatio, b.maxRatio);
        this.flipProbability = b.flipProbability;
        this.steps = List.copyOf(b.steps);
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

        for (Step step : steps) {
            if (random.nextDouble() < step.probability()) {
                step.op().apply(px, size, random);
            }
            t0 = lap(stageNanos, step.op().stage(), t0);
        }

        byte[] out = new byte[pixels * 3];
        toBytes(px, out); // reads only the first pixels·3 floats of the scratch buffer
        lap(stageNanos, Stage.ROUND_SOLARIZE, t0);
        return new RgbImage(size, size, out);
    }

    /** Rounds the 0–255 floats of {@code src} to bytes, half up after clamping, as many as {@code dst} holds. */
    static void toBytes(float[] src, byte[] dst) {
        for (int i = 0, n = dst.length; i < n; i++) {
            dst[i] = (byte) roundToByte(src[i]);
        }
    }

    /** {@code v} rounded half up and clamped to 0–255. */
    static int roundToByte(float v) {
        // (int) truncates toward zero, so values in (−1.5, 0) also give 0; the int clamp covers the rest
        // without float min/max, which C2 does not turn into cheap instructions here
        int q = (int) (v + 0.5f);
        return q < 0 ? 0 : (q > 255 ? 255 : q);
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

    /** The ops after the crop, in order, with their probabilities. */
    public List<Step> steps() {
        return steps;
    }

    /**
     * The first op of {@code type}.
     *
     * @throws IllegalArgumentException when the view has none
     */
    public <T extends ViewOp> T op(Class<T> type) {
        return type.cast(step(type).op());
    }

    /**
     * The probability of the first op of {@code type}.
     *
     * @throws IllegalArgumentException when the view has none
     */
    public double probability(Class<? extends ViewOp> type) {
        return step(type).probability();
    }

    private Step step(Class<? extends ViewOp> type) {
        for (Step step : steps) {
            if (type.isInstance(step.op())) {
                return step;
            }
        }
        throw new IllegalArgumentException("this view has no " + type.getSimpleName() + ": " + this);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("ViewPipeline(").append(crop).append(", flip p=").append(flipProbability);
        for (Step step : steps) {
            b.append(", ").append(step.op()).append(" p=").append(step.probability());
        }
        return b.append(')').toString();
    }

    /** Builds a {@link ViewPipeline}; {@link #build()} checks every value and names each one that is wrong. */
    public static final class Builder {
        private int size;
        private double minScale = 0.08;
        private double maxScale = 1.0;
        private double minRatio = RandomResizedCrop.MIN_RATIO;
        private double maxRatio = RandomResizedCrop.MAX_RATIO;
        private double flipProbability = 0.5;
        private final List<Step> steps = new ArrayList<>();

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

        /** Appends {@code op}, applied with {@code probability} (which is drawn against even when it is 0). */
        public Builder add(ViewOp op, double probability) {
            if (op == null) {
                throw new IllegalArgumentException("a view op must not be null");
            }
            steps.add(new Step(op, probability));
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
            checkProbability(problems, "flip", flipProbability);
            for (Step step : steps) {
                checkProbability(problems, step.op().toString(), step.probability());
            }
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
