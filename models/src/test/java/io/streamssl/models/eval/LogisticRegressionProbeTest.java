package io.streamssl.models.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamssl.models.eval.LogisticRegressionProbe.ProbeResult;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/** The linear protocol: its objective against plain doubles written out here, and its fits. */
class LogisticRegressionProbeTest {

    /** Two well separated 2-D clusters: every test point right, and the fit says it converged. */
    @Test
    void separatesALinearlySeparableSetAndConverges() {
        Random r = new Random(3);
        FeatureSet train = twoClusters(r, 40);
        FeatureSet test = twoClusters(r, 20);
        ProbeResult result = LogisticRegressionProbe.withDefaults().evaluate(train, test);
        assertThat(result.top1()).isEqualTo(1.0);
        assertThat(result.converged()).as("converged: %s", result).isTrue();
        assertThat(result.gradientNorm()).isLessThan(LogisticRegressionProbe.DEFAULT_GRADIENT_TOLERANCE * 3);
        assertThat(result.iterations()).isPositive();
        assertThat(result.testCount()).isEqualTo(40);
        assertThat(result.trainCount()).isEqualTo(80);
    }

    /** Features with a large offset and tiny spread: only standardisation with the train statistics helps. */
    @Test
    void standardisesTestFeaturesWithTheTrainStatistics() {
        Random r = new Random(4);
        FeatureSet train = shifted(twoClusters(r, 40));
        FeatureSet test = shifted(twoClusters(r, 20));
        ProbeResult result = new LogisticRegressionProbe(1e-4, 1000, 1e-5).evaluate(train, test);
        assertThat(result.top1()).isEqualTo(1.0);
        assertThat(result.converged()).isTrue();
    }

    /** The loss and gradient at an arbitrary point, against a direct softmax computation in doubles. */
    @Test
    void objectiveAndGradientMatchAPlainDoubleComputation() {
        int n = 5;
        int d = 3;
        int c = 3;
        float[] x = {0.5f, -1f, 2f, 1.5f, 0.25f, -0.5f, -2f, 1f, 0f, 0.75f, 0.75f, -1.25f, 0f, -0.5f, 1f};
        int[] y = {0, 2, 1, 1, 0};
        double l2 = 0.3;
        double[] theta = new double[d * c + c];
        Random r = new Random(9);
        for (int p = 0; p < theta.length; p++) {
            theta[p] = r.nextGaussian();
        }
        double[] grad = new double[theta.length];
        double loss = LogisticRegressionProbe.objective(theta, x, n, d, y, c, l2, grad);

        double[] expectedGrad = new double[theta.length];
        double expectedLoss = direct(theta, x, n, d, y, c, l2, expectedGrad);
        assertThat(loss).isCloseTo(expectedLoss, within(1e-12));
        for (int p = 0; p < theta.length; p++) {
            assertThat(grad[p]).as("gradient %d", p).isCloseTo(expectedGrad[p], within(1e-12));
            // and the gradient is the slope of the loss (central difference)
            double h = 1e-6;
            double[] plus = theta.clone();
            double[] minus = theta.clone();
            plus[p] += h;
            minus[p] -= h;
            double[] scratch = new double[theta.length];
            double slope = (LogisticRegressionProbe.objective(plus, x, n, d, y, c, l2, scratch)
                    - LogisticRegressionProbe.objective(minus, x, n, d, y, c, l2, scratch)) / (2 * h);
            assertThat(grad[p]).as("finite difference %d", p).isCloseTo(slope, within(1e-7));
        }
    }

    /** Many blocks of rows: the same as the direct sum, and the same bits for 1 and 3 threads. */
    @Test
    void blockSumsAreExactAndIndependentOfTheThreadCount() throws Exception {
        int n = 3 * LogisticRegressionProbe.BLOCK_ROWS + 17;
        int d = 6;
        int c = 4;
        Random r = new Random(21);
        float[] x = new float[n * d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(c);
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) r.nextGaussian();
            }
        }
        double[] theta = new double[d * c + c];
        for (int p = 0; p < theta.length; p++) {
            theta[p] = 0.3 * r.nextGaussian();
        }
        double[] expectedGrad = new double[theta.length];
        double expectedLoss = direct(theta, x, n, d, y, c, 1e-3, expectedGrad);
        double[][] grads = new double[2][theta.length];
        double[] losses = new double[2];
        int[] threads = {1, 3};
        for (int t = 0; t < 2; t++) {
            ForkJoinPool pool = new ForkJoinPool(threads[t]);
            int slot = t;
            losses[t] = pool.submit(() -> LogisticRegressionProbe.objective(theta, x, n, d, y, c, 1e-3, grads[slot]))
                    .get();
            pool.shutdown();
        }
        assertThat(losses[0]).isCloseTo(expectedLoss, within(1e-12));
        for (int p = 0; p < theta.length; p++) {
            assertThat(grads[0][p]).as("gradient %d", p).isCloseTo(expectedGrad[p], within(1e-12));
        }
        assertThat(losses[1]).as("bit for bit").isEqualTo(losses[0]);
        assertThat(grads[1]).containsExactly(grads[0]);
    }

    /**
     * Direct, in doubles: p = exp(z) / Σ exp(z), loss = −mean log p_y + l2/2 ΣW²,
     * ∂W_jk = mean x_j (p_k − [k=y]) + l2 W_jk, ∂b_k = mean (p_k − [k=y]).
     */
    private static double direct(double[] theta, float[] x, int n, int d, int[] y, int c, double l2,
            double[] expectedGrad) {
        double expectedLoss = 0;
        for (int i = 0; i < n; i++) {
            double[] z = new double[c];
            double sum = 0;
            for (int k = 0; k < c; k++) {
                z[k] = theta[d * c + k];
                for (int j = 0; j < d; j++) {
                    z[k] += x[i * d + j] * theta[j * c + k];
                }
                sum += Math.exp(z[k]);
            }
            expectedLoss -= Math.log(Math.exp(z[y[i]]) / sum) / n;
            for (int k = 0; k < c; k++) {
                double residual = Math.exp(z[k]) / sum - (k == y[i] ? 1 : 0);
                for (int j = 0; j < d; j++) {
                    expectedGrad[j * c + k] += x[i * d + j] * residual / n;
                }
                expectedGrad[d * c + k] += residual / n;
            }
        }
        for (int p = 0; p < d * c; p++) {
            expectedLoss += 0.5 * l2 * theta[p] * theta[p];
            expectedGrad[p] += l2 * theta[p];
        }
        return expectedLoss;
    }

    /** Overlapping classes: the fit stops at a point no nearby point improves on. */
    @Test
    void theFitIsAMinimumOnOverlappingClasses() {
        Random r = new Random(8);
        double[][] centres = {{1, 0, 0, 0.5}, {0, 1, 0, 0}, {0, 0, 1, -0.5}};
        FeatureSet train = WeightedKnnTest.cloud(r, centres, 30, 1.0);
        LogisticRegressionProbe probe = new LogisticRegressionProbe(1e-2, 1000, 1e-8);
        float[] x = train.values(); // already of unit scale: fit on raw values to probe the optimiser alone
        var fit = probe.fit(x, train.count(), 4, train.labels(), 3);
        assertThat(fit.converged()).isTrue();
        double[] g = new double[fit.theta().length];
        double best = LogisticRegressionProbe.objective(fit.theta(), x, train.count(), 4, train.labels(), 3, 1e-2, g);
        for (int p = 0; p < g.length; p++) {
            for (double step : new double[] {-1e-3, 1e-3}) {
                double[] t = fit.theta().clone();
                t[p] += step;
                assertThat(LogisticRegressionProbe.objective(t, x, train.count(), 4, train.labels(), 3, 1e-2, g))
                        .isGreaterThan(best);
            }
        }
        assertThat(best).isEqualTo(fit.loss());
    }

    @Test
    void badSettingsAreNamed() {
        assertThatThrownBy(() -> new LogisticRegressionProbe(-1, 10, 1e-5)).hasMessageContaining("l2");
        assertThatThrownBy(() -> new LogisticRegressionProbe(0, 0, 1e-5)).hasMessageContaining("iterations");
        assertThatThrownBy(() -> new LogisticRegressionProbe(0, 10, 0)).hasMessageContaining("tolerance");
    }

    private static FeatureSet twoClusters(Random r, int perClass) {
        float[] v = new float[2 * perClass * 2];
        int[] labels = new int[2 * perClass];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 2;
            v[2 * i] = (float) ((labels[i] == 0 ? -2 : 2) + 0.5 * r.nextGaussian());
            v[2 * i + 1] = (float) r.nextGaussian();
        }
        return new FeatureSet(v, 2, labels, 2);
    }

    private static FeatureSet shifted(FeatureSet set) {
        float[] v = set.values().clone();
        for (int i = 0; i < v.length; i++) {
            v[i] = 1000f + v[i] / 1000f;
        }
        return new FeatureSet(v, 2, set.labels(), 2);
    }
}
