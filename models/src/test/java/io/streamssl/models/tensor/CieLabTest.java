package io.streamssl.models.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The sRGB → Lab conversion against hand-worked values (skimage's {@code rgb2lab} of the primaries, white, black and
 * mid grey) and against the CIE formulas written out again here in plain doubles, on random colours; the grey image
 * keeps L and has a = b = 0.
 */
class CieLabTest {

    /** The CIE formulas in doubles, on one colour: {L, a, b}. */
    static double[] lab(double r, double g, double b) {
        double[] lin = {linear(r), linear(g), linear(b)};
        double[][] m = {{0.412453, 0.357580, 0.180423}, {0.212671, 0.715160, 0.072169}, {0.019334, 0.119193, 0.950227}};
        double[] white = {0.95047, 1.0, 1.08883};
        double[] f = new double[3];
        for (int i = 0; i < 3; i++) {
            double t = (m[i][0] * lin[0] + m[i][1] * lin[1] + m[i][2] * lin[2]) / white[i];
            f[i] = t > Math.pow(6.0 / 29, 3) ? Math.cbrt(t) : t / (3 * (6.0 / 29) * (6.0 / 29)) + 4.0 / 29;
        }
        return new double[] {116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])};
    }

    static double linear(double c) {
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }

    static float[] convert(double[][] colours) {
        float[] x = new float[3 * colours.length]; // (N = 1, 3, 1, W = colours)
        for (int i = 0; i < colours.length; i++) {
            for (int c = 0; c < 3; c++) {
                x[c * colours.length + i] = (float) colours[i][c];
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            return CieLab.lab(m.create(x, new Shape(1, 3, 1, colours.length))).toFloatArray();
        }
    }

    @Test
    void primariesWhiteBlackAndGreyHaveTheirKnownLab() {
        double[][] colours = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 1}, {0, 0, 0}, {0.5, 0.5, 0.5}, {1, 1, 0}};
        // skimage.color.rgb2lab (D65, 2°) of each, to 2 decimals; a grey's a and b are 0 up to the matrix's rounding
        double[][] expected = {{53.24, 80.09, 67.20}, {87.73, -86.18, 83.18}, {32.30, 79.19, -107.86},
            {100, 0, 0}, {0, 0, 0}, {53.39, 0, 0}, {97.14, -21.55, 94.48}};
        float[] out = convert(colours);
        int w = colours.length;
        for (int i = 0; i < w; i++) {
            for (int c = 0; c < 3; c++) {
                assertThat((double) out[c * w + i]).as("colour %d channel %d", i, c).isCloseTo(expected[i][c], within(0.02));
            }
        }
    }

    @Test
    void randomColoursMatchTheFormulasInDoubles() {
        Random r = new Random(5);
        double[][] colours = new double[200][3];
        for (double[] c : colours) {
            for (int k = 0; k < 3; k++) {
                c[k] = r.nextInt(4) == 0 ? r.nextDouble() * 0.05 : r.nextDouble(); // dark values hit the linear pieces
            }
        }
        float[] out = convert(colours);
        for (int i = 0; i < colours.length; i++) {
            double[] e = lab(colours[i][0], colours[i][1], colours[i][2]);
            for (int c = 0; c < 3; c++) {
                assertThat((double) out[c * colours.length + i]).as("colour %d channel %d", i, c)
                        .isCloseTo(e[c], within(2e-3));
            }
        }
    }

    @Test
    void greyKeepsLightnessAndDropsColour() {
        Random r = new Random(6);
        float[] x = new float[3 * 50];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            var rgb = m.create(x, new Shape(1, 3, 1, 50));
            float[] colour = CieLab.lab(rgb).toFloatArray();
            float[] grey = CieLab.lab(CieLab.grey(rgb)).toFloatArray();
            for (int i = 0; i < 50; i++) {
                assertThat(grey[i]).as("L of pixel %d", i).isCloseTo(colour[i], within(0.01f));
                assertThat(grey[50 + i]).as("a of pixel %d", i).isCloseTo(0f, within(0.01f));
                assertThat(grey[100 + i]).as("b of pixel %d", i).isCloseTo(0f, within(0.01f));
            }
        }
    }
}
