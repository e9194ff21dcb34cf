package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.streamssl.models.encoder.EncoderSpec;
import io.streamssl.models.encoder.Stem;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Colorization's input and target on hand-made images, through a normalisation that is not the default (so the
 * method must undo the trainer's own): a half red, half blue image and a yellow one give the ab of those colours
 * (skimage's values) in the right cells of the 1/4-side target, and a grey input of the same lightness.
 */
class ColorizationTest {

    static final float[] MEAN = {0.5f, 0.4f, 0.3f};
    static final float[] STD = {0.25f, 0.2f, 0.3f};
    static final int SIDE = 32;

    static MethodSettings settings(Map<String, String> options) {
        return new MethodSettings(new EncoderSpec("resnet18", Stem.CIFAR, 8), 100, 2, options,
                new InputNormalization(MEAN, STD));
    }

    /** Image 0: columns < 16 red, the rest blue; image 1: yellow. (2, 3, 32, 32) RGB in [0, 1]. */
    static float[] rgb() {
        float[] x = new float[2 * 3 * SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int col = 0; col < SIDE; col++) {
                int p = y * SIDE + col;
                x[(col < 16 ? 0 : 2) * SIDE * SIDE + p] = 1; // red or blue
                x[(3 + 0) * SIDE * SIDE + p] = 1; // yellow = red + green
                x[(3 + 1) * SIDE * SIDE + p] = 1;
            }
        }
        return x;
    }

    static double compand(double linear) {
        return linear <= 0.0031308 ? 12.92 * linear : 1.055 * Math.pow(linear, 1 / 2.4) - 0.055;
    }

    @Test
    void targetIsTheAbOfTheHandMadeColoursAndTheInputIsTheirGrey() {
        Colorization method = (Colorization) SslMethods.create("colorization", settings(Map.of()));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray view = settings(Map.of()).normalization().normalize(m.create(rgb(), new Shape(2, 3, SIDE, SIDE)));
            NDArray rgb = settings(Map.of()).normalization().toUnitRgb(view);
            assertThat(rgb.toFloatArray()).as("normalisation undone").usingComparatorWithPrecision(1e-6f)
                    .containsExactly(rgb());
            NDArray target = method.abTarget(rgb);
            assertThat(target.getShape()).isEqualTo(new Shape(2, 2, 8, 8));
            float[] t = target.toFloatArray();
            double[] red = {80.09, 67.20};
            double[] blue = {79.19, -107.86};
            double[] yellow = {-21.55, 94.48};
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 8; y++) {
                    for (int x = 0; x < 8; x++) {
                        double expected0 = (x < 4 ? red : blue)[c] / 110;
                        assertThat((double) t[(c * 8 + y) * 8 + x]).as("image 0 c %d y %d x %d", c, y, x)
                                .isCloseTo(expected0, within(2e-4));
                        assertThat((double) t[((2 + c) * 8 + y) * 8 + x]).as("image 1 c %d", c)
                                .isCloseTo(yellow[c] / 110, within(2e-4));
                    }
                }
            }
            // the grey input, un-normalised, is the companded luminance Y in all three channels
            float[] grey = settings(Map.of()).normalization().toUnitRgb(method.greyInput(rgb)).toFloatArray();
            double redGrey = compand(0.212671);
            double blueGrey = compand(0.072169);
            double yellowGrey = compand(0.212671 + 0.715160);
            for (int c = 0; c < 3; c++) {
                assertThat((double) grey[c * SIDE * SIDE + 3]).as("red's grey, channel %d", c)
                        .isCloseTo(redGrey, within(1e-5));
                assertThat((double) grey[c * SIDE * SIDE + 20]).as("blue's grey").isCloseTo(blueGrey, within(1e-5));
                assertThat((double) grey[(3 + c) * SIDE * SIDE + 7]).as("yellow's grey")
                        .isCloseTo(yellowGrey, within(1e-5));
            }
        }
    }

    @Test
    void needsAResNetAndAnOutputStrideTheMapDivides() {
        assertThatThrownBy(() -> SslMethods.create("colorization", new MethodSettings(
                new EncoderSpec("vit-tiny", Stem.CIFAR, 8), 100, 2, Map.of())))
                .hasMessageContaining("needs a ResNet encoder");
        SslMethod odd = SslMethods.create("colorization", settings(Map.of("output-stride", "3")));
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> odd.initialize(m, new Shape(2, 3, SIDE, SIDE)))
                    .hasMessageContaining("'output-stride' 3");
        }
    }
}
