package io.streamssl.pipeline.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.streamssl.connectors.decode.RgbImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BilinearResamplerTest {

    @Test
    void downscalingByTwoAveragesOverTheStretchedTriangle() {
        // [0, 10, 20, 30] → 2 samples. scale 2, support 2. Output 0: centre 1, inputs 0..2 with triangle weights
        // 1 − |(j − 1 + 0.5)/2| = 0.75, 0.75, 0.25 (sum 1.75) → (0·0.75 + 10·0.75 + 20·0.25)/1.75 = 7.142857.
        // Output 1: centre 3, inputs 1..3 with 0.25, 0.75, 0.75 → (2.5 + 15 + 22.5)/1.75 = 22.857143.
        // (PIL's Image.resize((2, 1), BILINEAR) on this row gives [7, 23].)
        float[] out = resizeRow(new int[] {0, 10, 20, 30}, 2, false);
        assertThat(out[0]).isCloseTo(12.5f / 1.75f, offset(1e-4f));
        assertThat(out[1]).isCloseTo(40f / 1.75f, offset(1e-4f));

        BilinearResampler.Weights w = BilinearResampler.weights(4, 2);
        assertThat(w.first()).containsExactly(0, 1);
        assertThat(w.count()).containsExactly(3, 3);
    }

    @Test
    void upscalingIsHalfPixelBilinearWithClampedEdges() {
        // [0, 100] → 4: output centres map to −0.25, 0.25, 0.75, 1.25 in input pixels; clamped → 0, 25, 75, 100
        float[] out = resizeRow(new int[] {0, 100}, 4, false);
        assertThat(out).containsExactly(new float[] {0f, 25f, 75f, 100f}, offset(1e-4f));
    }

    @Test
    void sameSizeIsTheIdentityAndFlipMirrors() {
        RgbImage image = randomImage(9, 6, 1);
        // the 6x6 box at left 2 of the 9x6 image, resized to 6: the identity on that box
        float[] box = new float[6 * 6 * 3];
        BilinearResampler.resizeCrop(image, new CropBox(0, 2, 6, 6), 6, false, box);
        float[] flipped = new float[6 * 6 * 3];
        BilinearResampler.resizeCrop(image, new CropBox(0, 2, 6, 6), 6, true, flipped);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 6; x++) {
                for (int c = 0; c < 3; c++) {
                    assertThat(box[(y * 6 + x) * 3 + c]).isEqualTo(image.get(x + 2, y, c));
                    assertThat(flipped[(y * 6 + x) * 3 + c]).isEqualTo(image.get(2 + 5 - x, y, c));
                }
            }
        }
    }

    @Test
    void separablePassesEqualTheDirectTwoDimensionalSum() {
        // an independent plain-double evaluation of the definition: out(x, y) = Σ_i Σ_j wx(x, i)·wy(y, j)·in(i, j),
        // each weight the normalised triangle max(0, 1 − |(i − c + 0.5)/fs|) over its window
        RgbImage image = randomImage(23, 17, 2);
        CropBox box = new CropBox(3, 4, 13, 17);
        java.util.Set<Integer> windows = new java.util.TreeSet<>();
        for (int size : new int[] {5, 7, 9, 13, 17, 29}) {
            windows.add(BilinearResampler.weights(box.width(), size, true).window());
            float[] out = new float[size * size * 3];
            BilinearResampler.resizeCrop(image, box, size, false, out);
            double[][] wx = triangle(box.width(), size);
            double[][] wy = triangle(box.height(), size);
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    for (int c = 0; c < 3; c++) {
                        double expected = 0;
                        for (int j = 0; j < box.height(); j++) {
                            for (int i = 0; i < box.width(); i++) {
                                expected += wx[x][i] * wy[y][j] * image.get(box.left() + i, box.top() + j, c);
                            }
                        }
                        assertThat((double) out[(y * size + x) * 3 + c]).as("size %d (%d,%d,%d)", size, x, y, c)
                                .isCloseTo(expected, offset(2e-3));
                    }
                }
            }
        }
        // the straight-line code for fixed windows of 2 to 5 inputs and the general loop all ran
        assertThat(windows).contains(2, 3, 4, 5).anyMatch(w -> w > 5);
    }

    @Test
    void fixedWindowsAreTheExactWeightsShiftedInsideTheInput() {
        for (int[] sizes : new int[][] {{256, 224}, {162, 96}, {20, 32}, {9, 7}}) {
            BilinearResampler.Weights exact = BilinearResampler.weights(sizes[0], sizes[1]);
            BilinearResampler.Weights fixed = BilinearResampler.weights(sizes[0], sizes[1], true);
            int taps = exact.taps();
            for (int i = 0; i < sizes[1]; i++) {
                assertThat(fixed.count()[i]).isEqualTo(fixed.window());
                assertThat(fixed.first()[i] + fixed.window()).isLessThanOrEqualTo(sizes[0]);
                double sum = 0;
                for (int k = 0; k < fixed.window(); k++) {
                    int input = fixed.first()[i] + k;
                    int e = input - exact.first()[i];
                    float expected = e >= 0 && e < exact.count()[i] ? exact.weights()[i * taps + e] : 0f;
                    assertThat(fixed.weights()[i * taps + k]).as("%s output %d input %d", java.util.Arrays
                            .toString(sizes), i, input).isEqualTo(expected);
                    sum += expected;
                }
                assertThat(sum).isCloseTo(1.0, offset(1e-6));
            }
        }
        assertThat(BilinearResampler.weights(256, 224, true).window()).as("256 → 224 reads 3 inputs").isEqualTo(3);
    }

    @Test
    void aConstantImageStaysConstantAtEveryScale() {
        byte[] px = new byte[40 * 30 * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = 17;
            px[i + 1] = (byte) 200;
            px[i + 2] = 99;
        }
        RgbImage flat = new RgbImage(40, 30, px);
        for (int size : new int[] {1, 7, 30, 64}) {
            float[] out = new float[size * size * 3];
            BilinearResampler.resizeCrop(flat, new CropBox(1, 2, 27, 31), size, true, out);
            for (int i = 0; i < out.length; i += 3) {
                assertThat(out[i]).isCloseTo(17f, offset(1e-3f));
                assertThat(out[i + 1]).isCloseTo(200f, offset(1e-3f));
                assertThat(out[i + 2]).isCloseTo(99f, offset(1e-3f));
            }
        }
    }

    /** Normalised triangle weights, weights[out][in], computed from the formula in plain doubles. */
    private static double[][] triangle(int in, int out) {
        double scale = (double) in / out;
        double fs = Math.max(1, scale);
        double[][] w = new double[out][in];
        for (int o = 0; o < out; o++) {
            double centre = (o + 0.5) * scale;
            int lo = Math.max(0, (int) (centre - fs + 0.5));
            int hi = Math.min(in, (int) (centre + fs + 0.5));
            double sum = 0;
            for (int i = lo; i < hi; i++) {
                w[o][i] = Math.max(0, 1 - Math.abs((i - centre + 0.5) / fs));
                sum += w[o][i];
            }
            for (int i = lo; i < hi; i++) {
                w[o][i] /= sum;
            }
        }
        return w;
    }

    /** Resizes a one-row gray image given as values to {@code size} columns; returns the first row, channel 0. */
    private static float[] resizeRow(int[] values, int size, boolean flip) {
        byte[] px = new byte[values.length * 3];
        for (int i = 0; i < values.length; i++) {
            px[i * 3] = (byte) values[i];
            px[i * 3 + 1] = (byte) values[i];
            px[i * 3 + 2] = (byte) values[i];
        }
        float[] out = new float[size * size * 3];
        BilinearResampler.resizeCrop(new RgbImage(values.length, 1, px), new CropBox(0, 0, 1, values.length), size,
                flip, out);
        float[] row = new float[size];
        for (int x = 0; x < size; x++) {
            row[x] = out[x * 3];
        }
        return row;
    }

    static RgbImage randomImage(int width, int height, long seed) {
        byte[] px = new byte[width * height * 3];
        new SplittableRandom(seed).nextBytes(px);
        return new RgbImage(width, height, px);
    }
}
