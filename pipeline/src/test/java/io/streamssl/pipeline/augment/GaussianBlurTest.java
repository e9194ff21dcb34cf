package io.streamssl.pipeline.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class GaussianBlurTest {

    @Test
    void kernelSizeIsTenPercentMadeOdd() {
        assertThat(GaussianBlur.kernelSize(224)).isEqualTo(23);
        assertThat(GaussianBlur.kernelSize(96)).isEqualTo(9);
        assertThat(GaussianBlur.kernelSize(32)).isEqualTo(3);
        assertThat(GaussianBlur.kernelSize(9)).isEqualTo(1);
    }

    @Test
    void kernelIsTheNormalisedSampledGaussian() {
        // σ = 1, 5 taps: exp(−x²/2) at x = −2..2 = e^−2, e^−½, 1, e^−½, e^−2, over their sum
        double sum = 1 + 2 * Math.exp(-0.5) + 2 * Math.exp(-2);
        float[] k = GaussianBlur.kernel(1.0, 5);
        assertThat(k).containsExactly(new float[] {(float) (Math.exp(-2) / sum), (float) (Math.exp(-0.5) / sum),
                (float) (1 / sum), (float) (Math.exp(-0.5) / sum), (float) (Math.exp(-2) / sum)}, offset(1e-7f));
    }

    @Test
    void anImpulseSpreadsIntoTheOuterProductKernelSummingToOneAndSymmetric() {
        int n = 31;
        float[] px = new float[n * n * 3];
        int centre = (15 * n + 15) * 3;
        px[centre] = 1000; // red channel only
        float[] k = GaussianBlur.kernel(1.7, 23);
        GaussianBlur.apply(px, n, n, k);
        double total = 0;
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                float v = px[(y * n + x) * 3];
                total += v;
                int dx = x - 15;
                int dy = y - 15;
                double expected = 1000 * gauss(dx, 1.7) * gauss(dy, 1.7);
                assertThat((double) v).as("(%d,%d)", x, y).isCloseTo(expected, offset(1e-3));
                assertThat(v).isCloseTo(px[((30 - y) * n + (30 - x)) * 3], offset(1e-4f)); // point symmetric
                assertThat(v).isCloseTo(px[(x * n + y) * 3], offset(1e-4f)); // symmetric in x ↔ y
                assertThat(px[(y * n + x) * 3 + 1]).isZero();
            }
        }
        assertThat(total).isCloseTo(1000, offset(1e-2));
    }

    @Test
    void edgesReflectWithoutRepeatingTheEdgePixel() {
        // an impulse at column 0 of a 1-row image, 3 taps: reflection maps x = −1 to x = 1, so column 0 keeps
        // k[1]·v and column 1 gets k[0]·v + ... ; with [a, b, a]: out(0) = b·v, out(1) = a·v
        float[] px = new float[5 * 3];
        px[0] = 100;
        float[] k = GaussianBlur.kernel(0.8, 3);
        GaussianBlur.apply(px, 5, 1, k);
        // vertically the single row reflects onto itself (n = 1), contributing the full kernel mass
        assertThat(px[0]).isCloseTo(100 * k[1], offset(1e-4f));
        assertThat(px[3]).isCloseTo(100 * k[0], offset(1e-4f));
        assertThat(px[6]).isCloseTo(0f, offset(1e-6f));
        assertThat(GaussianBlur.reflect(-1, 5)).isEqualTo(1);
        assertThat(GaussianBlur.reflect(-2, 5)).isEqualTo(2);
        assertThat(GaussianBlur.reflect(5, 5)).isEqualTo(3);
        assertThat(GaussianBlur.reflect(6, 5)).isEqualTo(2);
    }

    @Test
    void aConstantImageIsUnchanged() {
        float[] px = new float[20 * 11 * 3];
        java.util.Arrays.fill(px, 77f);
        GaussianBlur.apply(px, 20, 11, GaussianBlur.kernel(2.0, 23));
        for (float v : px) {
            assertThat(v).isCloseTo(77f, offset(1e-3f));
        }
    }

    @Test
    void badKernelsAreRejected() {
        assertThatThrownBy(() -> GaussianBlur.kernel(0, 3)).hasMessageContaining("sigma");
        assertThatThrownBy(() -> GaussianBlur.kernel(1, 4)).hasMessageContaining("odd");
    }

    /** The normalised discrete Gaussian weight at offset d for a 23-tap kernel, in plain doubles. */
    private static double gauss(int d, double sigma) {
        double sum = 0;
        for (int i = -11; i <= 11; i++) {
            sum += Math.exp(-0.5 * i * i / (sigma * sigma));
        }
        return Math.abs(d) > 11 ? 0 : Math.exp(-0.5 * d * d / (sigma * sigma)) / sum;
    }
}
