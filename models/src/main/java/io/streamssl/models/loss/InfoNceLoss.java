package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import io.streamssl.models.tensor.NativeScalar;

/**
 * InfoNCE (van den Oord et al. 2018) as MoCo uses it: each L2-normalised query is scored against keys and must
 * pick out its own key, {@code ℓ(n) = −log exp(q·k₊/T) / Σ_k exp(q·k/T)}, averaged over the batch.
 *
 * <ul>
 *   <li>{@link #compute(NDArray, NDArray, NDArray)}: MoCo v1/v2 (He et al. 2020, Algorithm 1): the positive
 *       is the query's own key, the negatives are the K keys of a queue (1 + K logits per query).
 *   <li>{@link #compute(NDArray, NDArray)}: MoCo v3 (Chen, Xie &amp; He 2021, Algorithm 1): the keys of the
 *       other images in the batch are the negatives (N logits per query, the positive on the diagonal).
 * </ul>
 *
 * <p>Shapes: query and key (N, d), row n of both from the same image; queue (K, d), whose rows are expected to
 * be L2-normalised already (that is how a {@link io.streamssl.models.state.FeatureQueue} stores keys); returns a
 * scalar. Queries and keys are normalised here. Nothing is detached: a key from a momentum teacher carries no
 * gradient anyway. Valid temperature: any T &gt; 0 (MoCo v2 0.2, MoCo v3 0.2 for ResNets).
 */
public final class InfoNceLoss {

    private static final String NAME = "infonce loss";

    private final double temperature;

    public InfoNceLoss(double temperature) {
        LossInputs.requireTemperature(NAME, "temperature", temperature);
        this.temperature = temperature;
    }

    public double temperature() {
        return temperature;
    }

    /** Queue negatives: the positive is {@code key[n]}, the negatives every row of {@code queue}. */
    public NDArray compute(NDArray query, NDArray key, NDArray queue) {
        LossInputs.requireMatrix(NAME, "query", query, 1);
        LossInputs.requireSameShape(NAME, query, key);
        LossInputs.requireMatrix(NAME, "queue", queue, 1);
        if (queue.getShape().get(1) != query.getShape().get(1)) {
            throw new IllegalArgumentException(NAME + ": queue rows have " + queue.getShape().get(1)
                    + " dimensions but queries " + query.getShape().get(1));
        }
        NDArray q = NormalizedMseLoss.l2Normalize(query);
        NDArray k = NormalizedMseLoss.l2Normalize(key);
        NDArray positive = q.mul(k).sum(new int[] {1}, true); // (N, 1)
        // q·queueᵀ with q first: the result belongs to q's (step) manager, not to the long-lived queue's
        NDArray negative = Linear.linear(q, queue).singletonOrThrow(); // (N, K)
        NDArray logProb = NativeScalar.div(positive.concat(negative, 1), temperature).logSoftmax(1);
        return logProb.get(":, 0").mean().neg();
    }

    /** In-batch negatives: the positive of query n is {@code key[n]}, the negatives the other N − 1 keys. */
    public NDArray compute(NDArray query, NDArray key) {
        LossInputs.requireMatrix(NAME, "query", query, 2);
        LossInputs.requireSameShape(NAME, query, key);
        long n = query.getShape().get(0);
        NDArray q = NormalizedMseLoss.l2Normalize(query);
        NDArray k = NormalizedMseLoss.l2Normalize(key);
        NDArray logProb = NativeScalar.div(q.matMul(k.transpose()), temperature).logSoftmax(1);
        return NativeScalar.div(logProb.mul(query.getManager().eye((int) n)).sum(), -n);
    }
}
