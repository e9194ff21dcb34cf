package io.streamssl.models.eval;

import io.streamssl.models.eval.LogisticRegressionProbe.ProbeResult;
import io.streamssl.models.eval.WeightedKnn.KnnResult;
import io.streamssl.models.snapshot.SnapshotEncoder;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * Both standard protocols on one encoder's frozen features: the features of the bank (the labelled training
 * images) and of the queries, the weighted kNN at k = 20 and 200, and the linear probe trained on the bank's
 * features. {@code streamssl eval}, {@code bench quality} and the job's held-out evaluator all call this, so the
 * figures the job publishes for a snapshot are the figures {@code streamssl eval} prints for it.
 *
 * <pre>{@code
 * Result r = new HeldOutEvaluation(256).evaluate(encoder, bank, 5000, queries, 1000, 10, Progress.NONE);
 * r.knn(200).top1();
 * }</pre>
 */
public final class HeldOutEvaluation {

    /** The neighbour counts of InstDisc, lightly and solo-learn. */
    public static final int[] KS = {20, 200};

    /** Told which stage runs: features of the bank and of the queries (with counts), kNN, the linear probe. */
    public interface Progress {
        Progress NONE = new Progress() {};

        default void features(String set, int done, int total) {}

        default void stage(String what) {}
    }

    private final int batchSize;

    /** @param batchSize images per forward pass */
    public HeldOutEvaluation(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("evaluation batch size must be at least 1, got " + batchSize);
        }
        this.batchSize = batchSize;
    }

    /**
     * Evaluates {@code encoder} on the first {@code bankCount} images of {@code bank} and {@code queryCount} of
     * {@code queries}.
     */
    public Result evaluate(SnapshotEncoder encoder, Iterator<LabeledPixels> bank, int bankCount,
            Iterator<LabeledPixels> queries, int queryCount, int classes, Progress progress) {
        Objects.requireNonNull(progress, "progress");
        long t0 = System.nanoTime();
        FeatureExtractor extractor = new FeatureExtractor(encoder, batchSize);
        FeatureSet train = extractor.extract(bank, bankCount, classes, (d, t) -> progress.features("bank", d, t));
        FeatureSet test = extractor.extract(queries, queryCount, classes,
                (d, t) -> progress.features("queries", d, t));
        progress.stage("kNN on " + train.count() + " × " + train.dim() + " features");
        List<KnnResult> knn = new WeightedKnn(WeightedKnn.DEFAULT_TEMPERATURE).evaluate(train, test, KS);
        progress.stage("linear probe: L-BFGS on " + train.count() + " × " + train.dim() + " features");
        ProbeResult linear = LogisticRegressionProbe.withDefaults().evaluate(train, test);
        return new Result(knn, linear, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * One encoder's figures.
     *
     * @param knn one result per k of {@link #KS}, in that order
     * @param linear the linear probe
     * @param seconds wall time of the whole evaluation, features included
     */
    public record Result(List<KnnResult> knn, ProbeResult linear, double seconds) {

        public Result {
            knn = List.copyOf(knn);
        }

        /** The kNN result at {@code k} (one of {@link #KS}). */
        public KnnResult knn(int k) {
            for (int i = 0; i < KS.length; i++) {
                if (KS[i] == k) {
                    return knn.get(i);
                }
            }
            throw new IllegalArgumentException("k must be one of 20, 200, got " + k);
        }
    }
}
