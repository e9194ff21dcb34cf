package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.core.Linear;
import io.streamssl.models.tensor.NativeScalar;

/**
 * Non-parametric instance discrimination against a memory bank (Wu et al. 2018, eq. 2), computed exactly: each
 * L2-normalised query must pick out its positive among the positive and the bank rows it may see,
 * {@code ℓ(n) = −log exp(q·p/T) / (exp(q·p/T) + Σ_{k not excluded} exp(q·b_k/T))}, averaged over the batch.
 *
 * <p>The exclusion mask is what a bank keyed by image needs: rows not yet filled hold no image and must not act as
 * negatives, and when the positive is the image's own bank row that row must not count a second time as a negative
 * (with it excluded, the formula is the paper's softmax over all bank entries, the own entry in the numerator).
 *
 * <p>Shapes: query and positive (N, d), both normalised here; bank (K, d), rows expected L2-normalised (an
 * {@link io.streamssl.models.state.InstanceBank}); excluded (N, K) boolean; returns a scalar. Nothing is detached:
 * the positive and the bank carry no gradient when they come from a bank or a detached view. Valid temperature:
 * any T &gt; 0 (InstDisc 0.07).
 */
public final class MemoryBankLoss {

    private static final String NAME = "memory bank loss";
    /** Added to the logit of an excluded row: exp of it is 0 in float and double, and no inf enters backward. */
    private static final double EXCLUDED_LOGIT = -1e9;

    private final double temperature;

    public MemoryBankLoss(double temperature) {
        LossInputs.requireTemperature(NAME, "temperature", temperature);
        this.temperature = temperature;
    }

    public double temperature() {
        return temperature;
    }

    public NDArray compute(NDArray query, NDArray positive, NDArray bank, NDArray excluded) {
        LossInputs.requireMatrix(NAME, "query", query, 1);
        LossInputs.requireSameShape(NAME, query, positive);
        LossInputs.requireMatrix(NAME, "bank", bank, 1);
        if (bank.getShape().get(1) != query.getShape().get(1)) {
            throw new IllegalArgumentException(NAME + ": bank rows have " + bank.getShape().get(1)
                    + " dimensions but queries " + query.getShape().get(1));
        }
        if (excluded.getShape().dimension() != 2 || excluded.getShape().get(0) != query.getShape().get(0)
                || excluded.getShape().get(1) != bank.getShape().get(0)) {
            throw new IllegalArgumentException(NAME + ": the exclusion mask must be (N, K) = (" + query.getShape().get(0)
                    + ", " + bank.getShape().get(0) + "), got " + excluded.getShape());
        }
        NDArray q = NormalizedMseLoss.l2Normalize(query);
        NDArray p = NormalizedMseLoss.l2Normalize(positive);
        NDArray own = q.mul(p).sum(new int[] {1}, true); // (N, 1)
        // q·bankᵀ with q first: the result belongs to q's (step) manager, not to the long-lived bank's
        NDArray negative = Linear.linear(q, bank).singletonOrThrow(); // (N, K)
        NDArray logits = NativeScalar.div(own.concat(negative, 1), temperature);
        NDArray penalty = NativeScalar.mul(excluded.toType(DataType.FLOAT32, false), EXCLUDED_LOGIT);
        NDArray mask = own.zerosLike().concat(penalty, 1); // the positive is never excluded
        return logits.add(mask).logSoftmax(1).get(":, 0").mean().neg();
    }

    /**
     * The (N, K) mask of bank rows query n must not score against: rows from {@code filled} on (empty), and row
     * {@code ownRow[n]} when it is ≥ 0 (the bank row that is the positive). Made on {@code manager}'s device.
     */
    public static NDArray excluded(NDManager manager, int bankRows, long filled, int[] ownRow) {
        NDArray rows = manager.arange(0, bankRows, 1, DataType.INT64).reshape(1, bankRows);
        NDArray own = manager.create(java.util.Arrays.stream(ownRow).asLongStream().toArray())
                .reshape(ownRow.length, 1);
        return rows.gte(filled).logicalOr(rows.eq(own));
    }
}
