package io.streamssl.models.loss;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * MAE's normalised-pixel loss against plain doubles: 2 images of 3×4×4 in patches of 2 (T = 4, 12 values a patch),
 * patches cut and normalised by hand here, a hand-made mask; and its gradient against central finite differences
 * of that reference.
 */
class MaskedPixelLossTest {

    static final int N = 2;
    static final int C = 3;
    static final int SIDE = 4;
    static final int P = 2;
    static final int T = 4;
    static final int V = P * P * C;
    static final float[][] MASK = {{1, 0, 1, 1}, {0, 1, 0, 0}};

    static double[] image(long seed) {
        Random r = new Random(seed);
        double[] x = new double[N * C * SIDE * SIDE];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian() * (1 + i % 5); // patches of different spreads, so the normalisation matters
        }
        return x;
    }

    /** Patch t of image n, flattened (row in patch, column in patch, channel), normalised (unbiased variance). */
    static double[] target(double[] img, int n, int t) {
        int py = t / (SIDE / P);
        int px = t % (SIDE / P);
        double[] v = new double[V];
        int k = 0;
        for (int y = 0; y < P; y++) {
            for (int x = 0; x < P; x++) {
                for (int c = 0; c < C; c++) {
                    v[k++] = img[((n * C + c) * SIDE + py * P + y) * SIDE + px * P + x];
                }
            }
        }
        double mean = 0;
        for (double a : v) {
            mean += a / V;
        }
        double var = 0;
        for (double a : v) {
            var += (a - mean) * (a - mean) / (V - 1);
        }
        for (int i = 0; i < V; i++) {
            v[i] = (v[i] - mean) / Math.sqrt(var + 1e-6);
        }
        return v;
    }

    static double reference(double[][] prediction, double[] img) { // prediction rows: (n, t) at n * T + t
        double sum = 0;
        double count = 0;
        for (int n = 0; n < N; n++) {
            for (int t = 0; t < T; t++) {
                double[] z = target(img, n, t);
                double se = 0;
                for (int i = 0; i < V; i++) {
                    se += (prediction[n * T + t][i] - z[i]) * (prediction[n * T + t][i] - z[i]) / V;
                }
                sum += MASK[n][t] * se;
                count += MASK[n][t];
            }
        }
        return sum / count;
    }

    static double[][] prediction(long seed) {
        Random r = new Random(seed);
        double[][] p = new double[N * T][V];
        for (double[] row : p) {
            for (int i = 0; i < V; i++) {
                row[i] = r.nextGaussian();
            }
        }
        return p;
    }

    static NDArray nd(NDManager m, double[][] rows) {
        float[] flat = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < rows[0].length; j++) {
                flat[i * rows[0].length + j] = (float) rows[i][j];
            }
        }
        return m.create(flat, new Shape(N, T, V));
    }

    static NDArray imageArray(NDManager m, double[] img) {
        float[] f = new float[img.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) img[i];
        }
        return m.create(f, new Shape(N, C, SIDE, SIDE));
    }

    @Test
    void normalisedTargetAndLossMatchPlainDoubles() {
        double[] img = image(3);
        double[][] pred = prediction(4);
        try (NDManager m = NDManager.newBaseManager()) {
            float[] patches = MaskedPixelLoss.normalizedPatches(imageArray(m, img), P).toFloatArray();
            for (int n = 0; n < N; n++) {
                for (int t = 0; t < T; t++) {
                    double[] z = target(img, n, t);
                    for (int i = 0; i < V; i++) {
                        assertThat((double) patches[(n * T + t) * V + i]).as("target %d,%d,%d", n, t, i)
                                .isCloseTo(z[i], org.assertj.core.data.Offset.offset(1e-4));
                    }
                }
            }
            double loss = MaskedPixelLoss.compute(nd(m, pred), imageArray(m, img), m.create(MASK), P).getFloat();
            double expected = reference(pred, img);
            assertThat(Math.abs(loss - expected) / expected).as("loss %s vs %s", loss, expected).isLessThan(1e-5);
            // visible patches do not count: a perfect prediction of the masked ones gives 0 whatever the visible are
            double[][] perfect = prediction(5);
            for (int n = 0; n < N; n++) {
                for (int t = 0; t < T; t++) {
                    if (MASK[n][t] == 1) {
                        perfect[n * T + t] = target(img, n, t);
                    }
                }
            }
            assertThat(MaskedPixelLoss.compute(nd(m, perfect), imageArray(m, img), m.create(MASK), P).getFloat())
                    .isLessThan(1e-6f);
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        double[] img = image(6);
        double[][] pred = prediction(7);
        float[] autograd;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray input = nd(m, pred);
            input.setRequiresGradient(true);
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                c.backward(MaskedPixelLoss.compute(input, imageArray(m, img), m.create(MASK), P));
            }
            autograd = input.getGradient().toFloatArray();
        }
        double maxFd = 0;
        double maxDiff = 0;
        for (int r = 0; r < N * T; r++) {
            for (int i = 0; i < V; i++) {
                double h = 1e-5;
                double keep = pred[r][i];
                pred[r][i] = keep + h;
                double up = reference(pred, img);
                pred[r][i] = keep - h;
                double down = reference(pred, img);
                pred[r][i] = keep;
                double fd = (up - down) / (2 * h);
                maxFd = Math.max(maxFd, Math.abs(fd));
                maxDiff = Math.max(maxDiff, Math.abs(fd - autograd[r * V + i]));
                if (MASK[r / T][r % T] == 0) {
                    assertThat(autograd[r * V + i]).as("a visible patch takes no gradient").isZero();
                }
            }
        }
        assertThat(maxFd).isGreaterThan(1e-3);
        assertThat(maxDiff / maxFd).as("autograd vs finite differences").isLessThan(2e-3);
    }
}
