package io.streamssl.models.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The masked pixel regression loss (colorization's ab L2, the context encoder's reconstruction) against plain
 * doubles, with and without a hand-made mask, and its gradient against central finite differences of that
 * reference: 2 images of 3×3×4.
 */
class PixelRegressionLossTest {

    static final int N = 2;
    static final int C = 3;
    static final int H = 3;
    static final int W = 4;
    static final int SIZE = N * C * H * W;
    /** per image, row-major over (H, W): 1 = counts */
    static final double[] MASK = {1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, /* image 2 */ 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0};

    static double reference(double[] p, double[] t, double[] mask) {
        double sum = 0;
        double count = 0;
        for (int n = 0; n < N; n++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    double m = mask == null ? 1 : mask[(n * H + y) * W + x];
                    count += m * C;
                    for (int c = 0; c < C; c++) {
                        int i = ((n * C + c) * H + y) * W + x;
                        sum += m * (p[i] - t[i]) * (p[i] - t[i]);
                    }
                }
            }
        }
        return sum / count;
    }

    static double[] random(long seed) {
        Random r = new Random(seed);
        double[] x = new double[SIZE];
        for (int i = 0; i < SIZE; i++) {
            x[i] = r.nextGaussian();
        }
        return x;
    }

    static NDArray nd(NDManager m, double[] x, Shape shape) {
        float[] f = new float[x.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) x[i];
        }
        return m.create(f, shape);
    }

    static NDArray image(NDManager m, double[] x) {
        return nd(m, x, new Shape(N, C, H, W));
    }

    static NDArray mask(NDManager m) {
        return nd(m, MASK, new Shape(N, 1, H, W));
    }

    @Test
    void lossMatchesPlainDoublesWithAndWithoutAMask() {
        double[] p = random(1);
        double[] t = random(2);
        try (NDManager m = NDManager.newBaseManager()) {
            double all = PixelRegressionLoss.compute(image(m, p), image(m, t), null).getFloat();
            double masked = PixelRegressionLoss.compute(image(m, p), image(m, t), mask(m)).getFloat();
            assertThat(Math.abs(all - reference(p, t, null)) / reference(p, t, null)).isLessThan(1e-5);
            assertThat(Math.abs(masked - reference(p, t, MASK)) / reference(p, t, MASK)).isLessThan(1e-5);
            // the unmasked pixels do not count: a prediction right on the masked ones scores 0
            double[] right = p.clone();
            for (int i = 0; i < SIZE; i++) {
                int n = i / (C * H * W);
                int pixel = i % (H * W);
                if (MASK[n * H * W + pixel] == 1) {
                    right[i] = t[i];
                }
            }
            assertThat(PixelRegressionLoss.compute(image(m, right), image(m, t), mask(m)).getFloat()).isZero();
            assertThatThrownBy(() -> PixelRegressionLoss.compute(image(m, p), image(m, t),
                    m.zeros(new Shape(N, 1, H, W)))).hasMessageContaining("selects no pixel");
            assertThatThrownBy(() -> PixelRegressionLoss.compute(image(m, p), m.zeros(new Shape(N, 2, H, W)), null))
                    .hasMessageContaining("(N, C, H, W)");
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        double[] p = random(3);
        double[] t = random(4);
        float[] autograd;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray input = image(m, p);
            input.setRequiresGradient(true);
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                c.backward(PixelRegressionLoss.compute(input, image(m, t), mask(m)));
            }
            autograd = input.getGradient().toFloatArray();
        }
        double maxFd = 0;
        double maxDiff = 0;
        for (int i = 0; i < SIZE; i++) {
            double h = 1e-5;
            double keep = p[i];
            p[i] = keep + h;
            double up = reference(p, t, MASK);
            p[i] = keep - h;
            double down = reference(p, t, MASK);
            p[i] = keep;
            double fd = (up - down) / (2 * h);
            maxFd = Math.max(maxFd, Math.abs(fd));
            maxDiff = Math.max(maxDiff, Math.abs(fd - autograd[i]));
        }
        assertThat(maxFd).isGreaterThan(1e-3);
        assertThat(maxDiff / maxFd).as("autograd vs finite differences").isLessThan(2e-3);
    }
}
