package io.streamssl.models.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Weighted k-nearest-neighbour classification of frozen features, the protocol of InstDisc (Wu et al., 2018,
 * "Unsupervised Feature Learning via Non-Parametric Instance Discrimination") as lightly and solo-learn run it:
 * bank and query features are L2-normalised, a query's k most cosine-similar bank rows vote for their labels
 * with weight {@code exp(sim / T)}, and the class with the largest total is the prediction (ties: the lower
 * class index).
 *
 * <pre>{@code
 * List<KnnResult> r = new WeightedKnn(0.1).evaluate(bank, queries, 20, 200);
 * }</pre>
 *
 * <p>Similarities are one matrix product per chunk of {@value #QUERY_CHUNK} queries on the CPU, so a 50,000 ×
 * 512 bank needs the bank (100 MB) plus one chunk × bank of similarities (51 MB) at a time. k larger than the
 * bank is clamped to the bank size.
 */
public final class WeightedKnn {

    /** The temperature InstDisc, lightly and solo-learn use. */
    public static final double DEFAULT_TEMPERATURE = 0.1;

    static final int QUERY_CHUNK = 256;

    private final double temperature;

    /** @param temperature T &gt; 0 of the vote weight {@code exp(sim / T)} */
    public WeightedKnn(double temperature) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("kNN temperature must be a positive number, got " + temperature);
        }
        this.temperature = temperature;
    }

    /**
     * Classifies every query by its {@code k} nearest bank rows, for each {@code k} given.
     *
     * @param bank the labelled memory (training split)
     * @param queries the rows to classify (test split), same dimension and classes
     * @param ks one or more k ≥ 1
     * @return one result per k, in the order given
     */
    public List<KnnResult> evaluate(FeatureSet bank, FeatureSet queries, int... ks) {
        if (bank.dim() != queries.dim()) {
            throw new IllegalArgumentException("bank features have dimension " + bank.dim() + ", queries "
                    + queries.dim() + ": both must come from the same encoder");
        }
        if (bank.classes() != queries.classes()) {
            throw new IllegalArgumentException("bank has " + bank.classes() + " classes, queries "
                    + queries.classes());
        }
        if (bank.count() == 0 || queries.count() == 0) {
            throw new IllegalArgumentException("kNN needs a non-empty bank and queries, got " + bank.count()
                    + " and " + queries.count());
        }
        if (ks.length == 0) {
            throw new IllegalArgumentException("give at least one k");
        }
        int[] used = new int[ks.length];
        int maxK = 0;
        for (int i = 0; i < ks.length; i++) {
            if (ks[i] < 1) {
                throw new IllegalArgumentException("k must be at least 1, got " + ks[i]);
            }
            used[i] = Math.min(ks[i], bank.count());
            maxK = Math.max(maxK, used[i]);
        }
        int classes = bank.classes();
        int[][] correct = new int[ks.length][classes];
        int[] perClassCount = new int[classes];
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray bankT = normalizedRows(manager, bank.values(), bank.count(), bank.dim()).transpose(); // (d, B)
            int[] bankLabels = bank.labels();
            for (int start = 0; start < queries.count(); start += QUERY_CHUNK) {
                int n = Math.min(QUERY_CHUNK, queries.count() - start);
                float[] sims;
                long[] idx;
                try (NDManager chunk = manager.newSubManager()) {
                    float[] q = Arrays.copyOfRange(queries.values(), start * queries.dim(),
                            (start + n) * queries.dim());
                    NDArray s = normalizedRows(chunk, q, n, queries.dim()).matMul(bankT); // (n, B)
                    NDList top = s.topK(maxK, 1, true, true); // values, indices: (n, maxK), most similar first
                    sims = top.get(0).toFloatArray();
                    idx = top.get(1).toLongArray();
                }
                for (int r = 0; r < n; r++) {
                    int truth = queries.labels()[start + r];
                    perClassCount[truth]++;
                    for (int j = 0; j < ks.length; j++) {
                        double[] votes = new double[classes];
                        for (int t = 0; t < used[j]; t++) {
                            int nb = (int) idx[r * maxK + t];
                            votes[bankLabels[nb]] += Math.exp(sims[r * maxK + t] / temperature);
                        }
                        if (argMax(votes) == truth) {
                            correct[j][truth]++;
                        }
                    }
                }
            }
        }
        List<KnnResult> results = new ArrayList<>();
        for (int j = 0; j < ks.length; j++) {
            results.add(new KnnResult(used[j], temperature, correct[j], perClassCount.clone()));
        }
        return results;
    }

    /** Rows divided by their L2 norm (a zero row stays zero). */
    private static NDArray normalizedRows(NDManager m, float[] values, int rows, int dim) {
        NDArray x = m.create(values, new Shape(rows, dim));
        return x.div(x.norm(new int[] {1}, true).maximum(1e-12f));
    }

    static int argMax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * The outcome for one k.
     *
     * @param k neighbours used (the k asked for, at most the bank size)
     * @param temperature of the vote weights
     * @param correctPerClass queries of each true class classified correctly
     * @param countPerClass queries of each true class
     */
    public record KnnResult(int k, double temperature, int[] correctPerClass, int[] countPerClass) {

        /** Top-1 accuracy over all queries. */
        public double top1() {
            return (double) Arrays.stream(correctPerClass).sum() / Arrays.stream(countPerClass).sum();
        }

        /** Accuracy per true class; NaN for a class without queries. */
        public double[] perClassAccuracy() {
            double[] a = new double[countPerClass.length];
            for (int c = 0; c < a.length; c++) {
                a[c] = countPerClass[c] == 0 ? Double.NaN : (double) correctPerClass[c] / countPerClass[c];
            }
            return a;
        }
    }
}
