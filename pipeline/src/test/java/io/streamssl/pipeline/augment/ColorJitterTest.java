package io.streamssl.pipeline.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.awt.Color;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ColorJitterTest {

    private static final org.assertj.core.data.Offset<Float> EPS = offset(1e-3f);

    @Test
    void brightnessScalesAndClips() {
        float[] px = {100, 200, 50};
        ColorJitter.adjustBrightness(px, 1, 1.5);
        assertThat(px).containsExactly(new float[] {150, 255, 75}, EPS);
        ColorJitter.adjustBrightness(px, 1, 0);
        assertThat(px).containsExactly(new float[] {0, 0, 0}, EPS);
    }

    @Test
    void contrastOfATwoLevelImageBlendsWithItsMeanGray() {
        // gray levels 50 and 150: mean 100; factor 0.5 → 100 ± 25; factor 2 → 100 ± 100; factor 0 → 100
        float[] half = {50, 50, 50, 150, 150, 150};
        ColorJitter.adjustContrast(half, 2, 0.5);
        assertThat(half).containsExactly(new float[] {75, 75, 75, 125, 125, 125}, EPS);
        float[] twice = {50, 50, 50, 150, 150, 150};
        ColorJitter.adjustContrast(twice, 2, 2.0);
        assertThat(twice).containsExactly(new float[] {0, 0, 0, 200, 200, 200}, EPS);
        float[] none = {50, 50, 50, 150, 150, 150};
        ColorJitter.adjustContrast(none, 2, 0.0);
        assertThat(none).containsExactly(new float[] {100, 100, 100, 100, 100, 100}, EPS);
    }

    @Test
    void contrastMeanIsTheMeanOfTheLumaOfColouredPixels() {
        // pure red and pure blue: luma 0.299·255 = 76.245 and 0.114·255 = 29.07, mean 52.6575
        float[] px = {255, 0, 0, 0, 0, 255};
        ColorJitter.adjustContrast(px, 2, 0.5);
        double m = (0.299 * 255 + 0.114 * 255) / 2;
        assertThat(px).containsExactly(new float[] {(float) (127.5 + m / 2), (float) (m / 2), (float) (m / 2),
                (float) (m / 2), (float) (m / 2), (float) (127.5 + m / 2)}, EPS);
    }

    @Test
    void saturationBlendsEachPixelWithItsGray() {
        double gray = 0.299 * 255; // pure red
        float[] zero = {255, 0, 0};
        ColorJitter.adjustSaturation(zero, 1, 0);
        assertThat(zero).containsExactly(new float[] {(float) gray, (float) gray, (float) gray}, EPS);
        float[] half = {255, 0, 0};
        ColorJitter.adjustSaturation(half, 1, 0.5);
        assertThat(half).containsExactly(new float[] {(float) (127.5 + gray / 2), (float) (gray / 2),
                (float) (gray / 2)}, EPS);
        float[] twice = {255, 0, 0};
        ColorJitter.adjustSaturation(twice, 1, 2);
        assertThat(twice).containsExactly(new float[] {255, 0, 0}, EPS); // 2·255 − 76 clips, −76 clips
    }

    @Test
    void hueShiftsOfPureColoursLandOnTheNextPrimaries() {
        assertThat(hue(255, 0, 0, 1.0 / 3)).containsExactly(new float[] {0, 255, 0}, EPS);
        assertThat(hue(255, 0, 0, -1.0 / 3)).containsExactly(new float[] {0, 0, 255}, EPS);
        assertThat(hue(255, 0, 0, 1.0 / 6)).containsExactly(new float[] {255, 255, 0}, EPS);
        assertThat(hue(255, 0, 0, 0.5)).containsExactly(new float[] {0, 255, 255}, EPS);
        assertThat(hue(0, 255, 0, 1.0 / 3)).containsExactly(new float[] {0, 0, 255}, EPS);
        assertThat(hue(0, 0, 255, 1.0 / 3)).containsExactly(new float[] {255, 0, 0}, EPS);
        // orange (h = 30°) by +30° → yellow; value and saturation kept
        assertThat(hue(200, 100, 0, 1.0 / 12)).containsExactly(new float[] {200, 200, 0}, EPS);
        // gray has no hue
        assertThat(hue(90, 90, 90, 0.3)).containsExactly(new float[] {90, 90, 90}, EPS);
    }

    @Test
    void hueShiftAgreesWithJavaAwtHsbOnRandomColours() {
        // java.awt.Color's HSB is HSV: an independent implementation; its HSBtoRGB rounds to integers
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 2_000; i++) {
            int r = random.nextInt(256);
            int g = random.nextInt(256);
            int b = random.nextInt(256);
            double shift = random.nextDouble() - 0.5;
            float[] hsb = Color.RGBtoHSB(r, g, b, null);
            float h = (float) ((hsb[0] + shift) - Math.floor(hsb[0] + shift));
            int expected = Color.HSBtoRGB(h, hsb[1], hsb[2]);
            float[] actual = hue(r, g, b, shift);
            String what = "(" + r + "," + g + "," + b + ") shifted " + shift;
            assertThat(actual[0]).as(what).isCloseTo((expected >> 16) & 0xFF, offset(1.01f));
            assertThat(actual[1]).as(what).isCloseTo((expected >> 8) & 0xFF, offset(1.01f));
            assertThat(actual[2]).as(what).isCloseTo(expected & 0xFF, offset(1.01f));
        }
    }

    @Test
    void ordersAreUniformOverAllTwentyFourAndFactorsWithinTheirRanges() {
        ColorJitter jitter = new ColorJitter(0.4, 0.4, 0.2, 0.1);
        SplittableRandom random = new SplittableRandom(12);
        Map<List<ColorJitter.Adjustment>, Integer> orders = new HashMap<>();
        int draws = 24_000;
        double brightnessSum = 0;
        double hueSum = 0;
        for (int i = 0; i < draws; i++) {
            ColorJitter.Factors f = jitter.sample(random);
            orders.merge(f.order(), 1, Integer::sum);
            assertThat(f.brightness()).isBetween(0.6, 1.4);
            assertThat(f.contrast()).isBetween(0.6, 1.4);
            assertThat(f.saturation()).isBetween(0.8, 1.2);
            assertThat(f.hue()).isBetween(-0.1, 0.1);
            brightnessSum += f.brightness();
            hueSum += f.hue();
        }
        assertThat(orders).hasSize(24);
        // each order 1/24: expected 1000, binomial sd ≈ 31
        assertThat(orders.values()).allSatisfy(n -> assertThat(n).isBetween(850, 1150));
        assertThat(brightnessSum / draws).isCloseTo(1.0, offset(0.01)); // sd of U(0.6,1.4)/√n ≈ 0.0015
        assertThat(hueSum / draws).isCloseTo(0.0, offset(0.002));
    }

    @Test
    void aZeroStrengthAdjustmentIsSkippedLikeTorchvisionsNone() {
        ColorJitter contrastOnly = new ColorJitter(0, 0.5, 0, 0);
        ColorJitter.Factors f = contrastOnly.sample(new SplittableRandom(13));
        assertThat(f.brightness()).isEqualTo(1.0);
        assertThat(f.saturation()).isEqualTo(1.0);
        assertThat(f.hue()).isEqualTo(0.0);
        float[] px = {50, 50, 50, 150, 150, 150};
        contrastOnly.apply(px, 2, f);
        double c = f.contrast();
        assertThat(px[0]).isCloseTo((float) (c * 50 + (1 - c) * 100), EPS);
    }

    @Test
    void applyFollowsTheDrawnOrder() {
        // with clipping the order matters: brightness ×2 then contrast ×0 vs contrast ×0 then brightness ×2
        ColorJitter jitter = new ColorJitter(1, 1, 0, 0);
        float[] third = {50, 50, 50, 200, 200, 200};
        jitter.apply(third, 2, new ColorJitter.Factors(List.of(ColorJitter.Adjustment.BRIGHTNESS,
                ColorJitter.Adjustment.CONTRAST, ColorJitter.Adjustment.SATURATION, ColorJitter.Adjustment.HUE),
                2, 0, 1, 0));
        // brightness first clips 400 to 255: mean (100 + 255)/2 = 177.5; contrast first: mean 125, then ×2 = 250
        assertThat(third[0]).isCloseTo(177.5f, EPS);
        float[] fourth = {50, 50, 50, 200, 200, 200};
        jitter.apply(fourth, 2, new ColorJitter.Factors(List.of(ColorJitter.Adjustment.CONTRAST,
                ColorJitter.Adjustment.BRIGHTNESS, ColorJitter.Adjustment.SATURATION, ColorJitter.Adjustment.HUE),
                2, 0, 1, 0));
        assertThat(fourth[0]).isCloseTo(250f, EPS);
    }

    @Test
    void badStrengthsAreRejected() {
        assertThatThrownBy(() -> new ColorJitter(-0.1, 0, 0, 0)).hasMessageContaining("brightness");
        assertThatThrownBy(() -> new ColorJitter(0, 0, 0, 0.6)).hasMessageContaining("[0, 0.5]");
    }

    private static float[] hue(int r, int g, int b, double shift) {
        float[] px = {r, g, b};
        ColorJitter.adjustHue(px, 1, shift);
        return px;
    }
}
