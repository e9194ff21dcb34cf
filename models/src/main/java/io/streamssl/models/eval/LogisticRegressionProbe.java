package io.streamssl.models.eval;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.stream.IntStream;

/**
 * The linear evaluation protocol on frozen features: multinomial logistic regression trained to convergence on
 * the training split, top-1 accuracy on the test split.
 *
 * <pre>{@code
 * ProbeResult r = LogisticRegressionProbe.withDefaults().evaluate(train, test);
 * if (!r.converged()) { ... }   // r.gradientNorm(), r.iterations()
 * }</pre>
 *
 * <p>Features are standardised per dimension with the mean and standard deviation of the training split (a
 * constant dimension becomes 0), and the test split is standardised with the same values. The objective is the
 * mean cross-entropy plus {@code (l2 / 2)·‖W‖²} (the bias is not penalised):
 * {@code f(W, b) = (1/n) Σᵢ [log Σ_c exp(zᵢc) − zᵢ,yᵢ] + (l2/2)‖W‖²}, {@code zᵢ = xᵢW + b}, with gradient
 * {@code ∂W = Xᵀ(P − Y)/n + l2·W}, {@code ∂b = 1ᵀ(P − Y)/n}. It is minimised by <b>full-batch L-BFGS</b>
 * (memory {@value #HISTORY}, Armijo backtracking line search) from zero weights, until the largest gradient
 * component is at most {@code gradientTolerance}; the result reports the iterations, the final loss, the final
 * gradient norm, the loss change of the last iteration and whether the tolerance was reached. The problem is
 * strictly convex in W (l2 &gt; 0), so the minimum is unique: there is no random start and no seed, and all
 * arithmetic is in doubles in a fixed order (rows in fixed blocks whose sums are added in block order, the
 * blocks computed in parallel), so a result is the same on every machine and for every thread count.
 */
public final class LogisticRegressionProbe {

    /** L2 penalty on the weights (of the mean loss). */
    public static final double DEFAULT_L2 = 1e-4;
    public static final int DEFAULT_MAX_ITERATIONS = 1000;
    /** Largest gradient component at convergence. */
    public static final double DEFAULT_GRADIENT_TOLERANCE = 1e-5;

    static final int HISTORY = 10;
    static final int BLOCK_ROWS = 512;
    private static final double ARMIJO = 1e-4;
    private static final double MIN_STD = 1e-6;

    private final double l2;
    private final int maxIterations;
    private final double gradientTolerance;

    /**
     * @param l2 penalty ≥ 0 on the weights; 0 leaves a separable problem without a minimum
     * @param maxIterations L-BFGS iterations at most, ≥ 1
     * @param gradientTolerance &gt; 0, stop when every gradient component is at most this
     */
    public LogisticRegressionProbe(double l2, int maxIterations, double gradientTolerance) {
        if (!(l2 >= 0) || Double.isInfinite(l2)) {
            throw new IllegalArgumentException("probe l2 must be a number >= 0, got " + l2);
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException("probe iterations must be at least 1, got " + maxIterations);
        }
        if (!(gradientTolerance > 0)) {
            throw new IllegalArgumentException("probe gradient tolerance must be > 0, got " + gradientTolerance);
        }
        this.l2 = l2;
        this.maxIterations = maxIterations;
        this.gradientTolerance = gradientTolerance;
    }

    /** l2 {@value #DEFAULT_L2}, at most {@value #DEFAULT_MAX_ITERATIONS} iterations, tolerance 1e-5. */
    public static LogisticRegressionProbe withDefaults() {
        return new LogisticRegressionProbe(DEFAULT_L2, DEFAULT_MAX_ITERATIONS, DEFAULT_GRADIENT_TOLERANCE);
    }

    /** Fits on {@code train} (standardised with its own statistics) and scores {@code test}. */
    public ProbeResult evaluate(FeatureSet train, FeatureSet test) {
        if (train.dim() != test.dim() || train.classes() != test.classes()) {
            throw new IllegalArgumentException("train features are " + train.dim() + "-d with " + train.classes()
                    + " classes, test " + test.dim() + "-d with " + test.classes()
                    + ": both must come from the same encoder and data set");
        }
        if (train.count() == 0 || test.count() == 0) {
            throw new IllegalArgumentException("the probe needs training and test rows, got " + train.count()
                    + " and " + test.count());
        }
        int d = train.dim();
        double[][] stats = standardization(train);
        float[] x = standardize(train, stats);
        Fit fit = fit(x, train.count(), d, train.labels(), train.classes());
        float[] xt = standardize(test, stats);
        int c = train.classes();
        int correct = 0;
        double[] z = new double[c];
        for (int i = 0; i < test.count(); i++) {
            logits(fit.theta, xt, i, d, c, z);
            if (WeightedKnn.argMax(z) == test.labels()[i]) {
                correct++;
            }
        }
        return new ProbeResult((double) correct / test.count(), test.count(), train.count(), fit.iterations,
                fit.loss, fit.gradientNorm, fit.lastLossChange, fit.converged, l2);
    }

    /** Per-dimension mean and standard deviation (population) of the rows; std below 1e-6 is taken as 1. */
    static double[][] standardization(FeatureSet set) {
        int d = set.dim();
        int n = set.count();
        double[] mean = new double[d];
        double[] std = new double[d];
        float[] v = set.values();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                mean[j] += v[i * d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double e = v[i * d + j] - mean[j];
                std[j] += e * e;
            }
        }
        for (int j = 0; j < d; j++) {
            std[j] = Math.sqrt(std[j] / n);
            if (std[j] < MIN_STD) {
                std[j] = 1;
            }
        }
        return new double[][] {mean, std};
    }

    private static float[] standardize(FeatureSet set, double[][] stats) {
        int d = set.dim();
        float[] v = set.values();
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            int j = i % d;
            out[i] = (float) ((v[i] - stats[0][j]) / stats[1][j]);
        }
        return out;
    }

    /** z = x_i W + b for parameters laid out as W (d × C, row-major) then b (C). */
    private static void logits(double[] theta, float[] x, int i, int d, int c, double[] z) {
        System.arraycopy(theta, d * c, z, 0, c);
        int row = i * d;
        for (int j = 0; j < d; j++) {
            double xij = x[row + j];
            if (xij != 0) {
                int w = j * c;
                for (int k = 0; k < c; k++) {
                    z[k] += xij * theta[w + k];
                }
            }
        }
    }

    /**
     * The objective and its gradient at {@code theta} (W, d × C row-major, then b): mean cross-entropy plus
     * {@code (l2/2)‖W‖²}. Rows are summed in fixed blocks of {@value #BLOCK_ROWS}, the blocks in parallel and
     * their partial sums added in block order, so the result is the same for any number of threads.
     */
    static double objective(double[] theta, float[] x, int n, int d, int[] y, int c, double l2, double[] grad) {
        int blocks = (n + BLOCK_ROWS - 1) / BLOCK_ROWS;
        double[][] partial = IntStream.range(0, blocks).parallel()
                .mapToObj(b -> blockSum(theta, x, b * BLOCK_ROWS, Math.min(n, (b + 1) * BLOCK_ROWS), d, y, c))
                .toArray(double[][]::new);
        Arrays.fill(grad, 0);
        double loss = 0;
        for (double[] block : partial) { // in block order
            loss += block[grad.length];
            for (int p = 0; p < grad.length; p++) {
                grad[p] += block[p];
            }
        }
        double penalty = 0;
        for (int p = 0; p < grad.length; p++) {
            grad[p] /= n;
        }
        for (int p = 0; p < d * c; p++) {
            penalty += theta[p] * theta[p];
            grad[p] += l2 * theta[p];
        }
        return loss / n + 0.5 * l2 * penalty;
    }

    /** Σ over rows [from, to) of the cross-entropy gradient, then the summed loss in the last slot. */
    private static double[] blockSum(double[] theta, float[] x, int from, int to, int d, int[] y, int c) {
        double[] grad = new double[theta.length + 1];
        double loss = 0;
        double[] z = new double[c];
        for (int i = from; i < to; i++) {
            logits(theta, x, i, d, c, z);
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < c; k++) {
                max = Math.max(max, z[k]);
            }
            double sum = 0;
            for (int k = 0; k < c; k++) {
                z[k] = Math.exp(z[k] - max);
                sum += z[k];
            }
            // loss_i = log Σ exp(z) − z_y = log(sum) − log(exp(z_y − max)); z now holds exp(z − max)
            loss += Math.log(sum) - Math.log(z[y[i]]);
            for (int k = 0; k < c; k++) {
                z[k] = z[k] / sum - (k == y[i] ? 1 : 0); // p − onehot
            }
            int row = i * d;
            for (int j = 0; j < d; j++) {
                double xij = x[row + j];
                if (xij != 0) {
                    int w = j * c;
                    for (int k = 0; k < c; k++) {
                        grad[w + k] += xij * z[k];
                    }
                }
            }
            for (int k = 0; k < c; k++) {
                grad[d * c + k] += z[k];
            }
        }
        grad[theta.length] = loss;
        return grad;
    }

    record Fit(double[] theta, int iterations, double loss, double gradientNorm, double lastLossChange,
            boolean converged) {}

    /** Full-batch L-BFGS (Nocedal and Wright, Algorithm 7.4 and 7.5) with Armijo backtracking. */
    Fit fit(float[] x, int n, int d, int[] y, int c) {
        int size = d * c + c;
        double[] theta = new double[size];
        double[] grad = new double[size];
        double loss = objective(theta, x, n, d, y, c, l2, grad);
        Deque<double[][]> history = new ArrayDeque<>(); // {s, y, {rho}}, newest first
        double lastChange = Double.NaN;
        int iteration = 0;
        while (maxAbs(grad) > gradientTolerance && iteration < maxIterations) {
            double[] direction = twoLoop(grad, history);
            double slope = dot(direction, grad);
            if (!(slope < 0)) { // not a descent direction: restart from steepest descent
                history.clear();
                direction = twoLoop(grad, history);
                slope = dot(direction, grad);
            }
            double step = history.isEmpty() ? Math.min(1, 1 / norm(grad)) : 1;
            double[] next = new double[size];
            double[] nextGrad = new double[size];
            double nextLoss;
            int halvings = 0;
            while (true) {
                for (int p = 0; p < size; p++) {
                    next[p] = theta[p] + step * direction[p];
                }
                nextLoss = objective(next, x, n, d, y, c, l2, nextGrad);
                if (nextLoss <= loss + ARMIJO * step * slope || halvings == 50) {
                    break;
                }
                step /= 2;
                halvings++;
            }
            if (!(nextLoss <= loss)) {
                break; // no decrease even at a tiny step: numerically at the minimum of this precision
            }
            double[] s = new double[size];
            double[] dy = new double[size];
            for (int p = 0; p < size; p++) {
                s[p] = next[p] - theta[p];
                dy[p] = nextGrad[p] - grad[p];
            }
            double sy = dot(s, dy);
            if (sy > 1e-12 * norm(s) * norm(dy)) {
                history.addFirst(new double[][] {s, dy, {1 / sy}});
                if (history.size() > HISTORY) {
                    history.removeLast();
                }
            }
            lastChange = loss - nextLoss;
            theta = next;
            grad = nextGrad;
            loss = nextLoss;
            iteration++;
        }
        return new Fit(theta, iteration, loss, norm(grad), lastChange, maxAbs(grad) <= gradientTolerance);
    }

    /** −H·g by the two-loop recursion, H₀ = (sᵀy / yᵀy)·I from the newest pair. */
    private static double[] twoLoop(double[] grad, Deque<double[][]> history) {
        double[] q = grad.clone();
        double[] alpha = new double[history.size()];
        int i = 0;
        for (double[][] pair : history) {
            alpha[i] = pair[2][0] * dot(pair[0], q);
            axpy(-alpha[i], pair[1], q);
            i++;
        }
        if (!history.isEmpty()) {
            double[][] newest = history.peekFirst();
            double gamma = dot(newest[0], newest[1]) / dot(newest[1], newest[1]);
            for (int p = 0; p < q.length; p++) {
                q[p] *= gamma;
            }
        }
        var oldestFirst = history.descendingIterator();
        i = history.size() - 1;
        while (oldestFirst.hasNext()) {
            double[][] pair = oldestFirst.next();
            double beta = pair[2][0] * dot(pair[1], q);
            axpy(alpha[i] - beta, pair[0], q);
            i--;
        }
        for (int p = 0; p < q.length; p++) {
            q[p] = -q[p];
        }
        return q;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    private static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /**
     * The outcome of one linear evaluation.
     *
     * @param top1 test accuracy
     * @param testCount test rows
     * @param trainCount training rows
     * @param iterations L-BFGS iterations run
     * @param loss final training objective (mean cross-entropy + penalty)
     * @param gradientNorm L2 norm of the final gradient
     * @param lastLossChange decrease of the objective in the last iteration (NaN if none ran)
     * @param converged every gradient component reached the tolerance
     * @param l2 the penalty used
     */
    public record ProbeResult(double top1, int testCount, int trainCount, int iterations, double loss,
            double gradientNorm, double lastLossChange, boolean converged, double l2) {}
}
