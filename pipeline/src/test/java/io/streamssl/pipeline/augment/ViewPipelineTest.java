package io.streamssl.pipeline.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.streamssl.connectors.decode.RgbImage;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class ViewPipelineTest {

    private static final int DRAWS = 10_000;

    @Test
    void flipRateIsOneHalf() {
        // a 2x2 image dark on the left, bright on the right, cropped whole: a flipped view starts bright
        RgbImage image = image(2, 2, (x, y) -> x == 0 ? new int[] {0, 0, 0} : new int[] {255, 255, 255});
        ViewPipeline view = ViewPipeline.builder().setSize(2).optScale(1, 1).optRatio(1, 1).build();
        double rate = rate(view, image, v -> v.get(0, 0, 0) == 255);
        assertThat(rate).isCloseTo(0.5, offset(0.02));
    }

    @Test
    void grayscaleJitterAndSolarizeHappenAtTheirProbabilities() {
        RgbImage colour = image(4, 4, (x, y) -> new int[] {200, 60, 20});
        ViewPipeline gray = ViewPipeline.builder().setSize(4).add(new Grayscale(), 0.2).build();
        assertThat(rate(gray, colour, v -> v.get(1, 1, 0) == v.get(1, 1, 2))).isCloseTo(0.2, offset(0.02));

        // brightness-only jitter of a flat 200: factors U(0.5, 1.5) move it except in [0.9975, 1.0025), 0.5 % of
        // them, so the visible rate is 0.8 · 0.995 = 0.796
        ViewPipeline jitter = ViewPipeline.builder().setSize(4).add(new ColorJitter(0.5, 0, 0, 0), 0.8).build();
        assertThat(rate(jitter, colour, v -> v.get(1, 1, 0) != 200)).isCloseTo(0.8, offset(0.02));

        RgbImage bright = image(4, 4, (x, y) -> new int[] {200, 200, 200});
        ViewPipeline solarize = ViewPipeline.builder().setSize(4).add(new Solarization(), 0.2).build();
        assertThat(rate(solarize, bright, v -> v.get(2, 2, 1) == 55)).isCloseTo(0.2, offset(0.02));
    }

    @Test
    void blurHappensAtItsProbabilityWithSigmaInRange() {
        // a centred impulse in a 32x32 view (3 taps), cropped whole. With σ = 1 every blur is visible:
        RgbImage impulse = image(32, 32, (x, y) -> x == 16 && y == 16 ? new int[] {250, 250, 250}
                : new int[] {0, 0, 0});
        ViewPipeline blur = ViewPipeline.builder().setSize(32).optScale(1, 1).optRatio(1, 1).optFlip(0)
                .add(new GaussianBlur(GaussianBlur.kernelSize(32), 1, 1), 0.5).build();
        assertThat(rate(blur, impulse, v -> v.get(16, 16, 0) < 250)).isCloseTo(0.5, offset(0.02));
        // with the default σ ∈ [0.1, 2] the centre keeps between (k_c(2))² and all of the impulse, where
        // k_c(σ) = 1/(1 + 2e^{−1/(2σ²)}) is the centre tap
        double k = 1 / (1 + 2 * Math.exp(-0.125));
        ViewPipeline always = ViewPipeline.builder().setSize(32).optScale(1, 1).optRatio(1, 1).optFlip(0)
                .add(GaussianBlur.forViewSize(32), 1).build();
        assertThat(rate(always, impulse, v -> v.get(16, 16, 0) >= Math.round(250 * k * k))).isEqualTo(1.0);
        // the strongest blur allowed, σ = 2: centre weight (1/(1 + 2e^{−1/8}))² ≈ 0.1248
        ViewPipeline strongest = ViewPipeline.builder().setSize(32).optScale(1, 1).optRatio(1, 1).optFlip(0)
                .add(new GaussianBlur(GaussianBlur.kernelSize(32), 2, 2), 1).build();
        RgbImage blurred = strongest.apply(impulse, new SplittableRandom(1));
        assertThat(blurred.get(16, 16, 0)).isEqualTo((int) Math.round(250 * k * k));
    }

    @Test
    void grayscaleThenSolarizeActOnTheRoundedLuma() {
        ViewPipeline view = ViewPipeline.builder().setSize(3).add(new Grayscale(), 1).add(new Solarization(), 1).build();
        // red: luma 76.245 → 76, below 128: kept; green: 149.685 → 150 → 255 − 150 = 105
        RgbImage red = image(5, 5, (x, y) -> new int[] {255, 0, 0});
        RgbImage green = image(5, 5, (x, y) -> new int[] {0, 255, 0});
        assertThat(view.apply(red, new SplittableRandom(2)).pixels()).containsOnly(76);
        assertThat(view.apply(green, new SplittableRandom(3)).pixels()).containsOnly(105);
    }

    @Test
    void imagesSmallerThanTheCropAreUpscaledNotRejected() {
        ViewPipeline view = ViewPipeline.builder().setSize(32).build();
        RgbImage one = image(1, 1, (x, y) -> new int[] {10, 20, 30});
        RgbImage out = view.apply(one, new SplittableRandom(4));
        assertThat(out.width()).isEqualTo(32);
        assertThat(out.height()).isEqualTo(32);
        for (int i = 0; i < out.pixels().length; i += 3) {
            assertThat(out.pixels()[i]).isEqualTo((byte) 10);
            assertThat(out.pixels()[i + 1]).isEqualTo((byte) 20);
            assertThat(out.pixels()[i + 2]).isEqualTo((byte) 30);
        }
        assertThat(view.apply(image(3, 2, (x, y) -> new int[] {x * 50, y * 50, 0}), new SplittableRandom(5))
                .width()).isEqualTo(32);
    }

    @Test
    void stageTimesAreRecordedWhenAsked() {
        ViewPipeline view = ViewPipeline.builder().setSize(16).add(GaussianBlur.forViewSize(16), 1).build();
        long[] nanos = new long[ViewPipeline.Stage.values().length];
        view.apply(image(20, 20, (x, y) -> new int[] {x, y, 0}), new SplittableRandom(6), nanos);
        assertThat(nanos[ViewPipeline.Stage.CROP_RESIZE_FLIP.ordinal()]).isPositive();
        assertThat(nanos[ViewPipeline.Stage.BLUR.ordinal()]).isPositive();
    }

    @Test
    void anyViewOpPlugsInAndItsApplyDrawComesFirst() {
        // an op from outside the presets: paints the view white and draws one number itself
        ViewOp white = new ViewOp() {
            @Override
            public void apply(float[] pixels, int size, SplittableRandom random) {
                random.nextDouble();
                java.util.Arrays.fill(pixels, 0, size * size * 3, 255f);
            }

            @Override
            public ViewPipeline.Stage stage() {
                return ViewPipeline.Stage.COLOR_JITTER;
            }
        };
        RgbImage black = image(6, 6, (x, y) -> new int[] {0, 0, 0});
        ViewPipeline view = ViewPipeline.builder().setSize(4).add(white, 1).add(new Solarization(), 1).build();
        assertThat(view.apply(black, new SplittableRandom(7)).pixels()).containsOnly(0); // 255 solarized
        assertThat(view.op(Solarization.class)).isNotNull();
        assertThatThrownBy(() -> view.op(Grayscale.class)).hasMessageContaining("no Grayscale");

        // draws: crop box, flip, apply white?, white's own draw, apply solarize?: the last decides solarization
        ViewPipeline sometimes = ViewPipeline.builder().setSize(4).optScale(1, 1).optRatio(1, 1)
                .add(white, 1).add(new Solarization(), 0.5).build();
        for (long seed = 0; seed < 20; seed++) {
            SplittableRandom mirror = new SplittableRandom(seed);
            mirror.nextDouble(); // the crop box: scale and ratio fixed but still drawn (area, aspect) ...
            mirror.nextDouble();
            mirror.nextInt(1); // ... and the whole image fits at one position only: top, left
            mirror.nextInt(1);
            mirror.nextDouble(); // flip
            mirror.nextDouble(); // apply white?
            mirror.nextDouble(); // white's own draw
            boolean solarized = mirror.nextDouble() < 0.5;
            assertThat(sometimes.apply(black, new SplittableRandom(seed)).pixels())
                    .as("seed %d", seed).containsOnly(solarized ? 0 : (byte) 255);
        }
    }

    @Test
    void buildNamesEveryBadValue() {
        assertThatThrownBy(() -> ViewPipeline.builder().add(new Grayscale(), 1.5).optScale(0.5, 0.1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("setSize")
                .hasMessageContaining("grayscale probability")
                .hasMessageContaining("scale");
        assertThat(ViewPipeline.builder().setSize(7).build().outputSize()).isEqualTo(7);
    }

    /** The fraction of {@value #DRAWS} views (seeded as the augmenter seeds them) satisfying {@code test}. */
    private static double rate(ViewPipeline view, RgbImage image, Predicate<RgbImage> test) {
        MultiViewAugmenter augmenter = new MultiViewAugmenter(99, List.of(view));
        int hits = 0;
        for (int i = 0; i < DRAWS; i++) {
            hits += test.test(augmenter.apply(image, "image-" + i, 0)[0]) ? 1 : 0;
        }
        return hits / (double) DRAWS;
    }

    interface PixelFunction {
        int[] rgb(int x, int y);
    }

    static RgbImage image(int width, int height, PixelFunction f) {
        byte[] px = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int[] rgb = f.rgb(x, y);
                for (int c = 0; c < 3; c++) {
                    px[(y * width + x) * 3 + c] = (byte) rgb[c];
                }
            }
        }
        return new RgbImage(width, height, px);
    }
}
