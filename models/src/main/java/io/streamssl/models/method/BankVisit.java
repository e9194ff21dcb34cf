package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.streamssl.models.loss.MemoryBankLoss;
import io.streamssl.models.state.InstanceBank;
import java.util.Arrays;

/**
 * One batch at an {@link InstanceBank}, what the memory-bank methods (InstDisc, PIRL) share: which of its images
 * the bank holds (their rows, from their previous visit, are their positives), the negatives (the bank's rows and
 * the batch's other images, see {@link #candidates}), which of them each image must not count (its own), and,
 * after the optimiser step, the write of the batch's features under its ids.
 * Images without ids (a batch from a test, a source without keys) are misses, written under ids no lookup asks for:
 * {@code ANONYMOUS + step·2²⁴ + n}, distinct for batches below 2²⁴ images.
 */
final class BankVisit {

    private static final long ANONYMOUS = Long.MIN_VALUE;

    private final InstanceBank bank;
    private final long[] ids;
    private final int[] own;
    private final long hits;
    private final int negativeRows;
    private NDArray stored; // the hits' rows (misses: row 0), gathered once
    private NDArray features;

    /**
     * Looks the batch's {@code instanceIds} (or null) up in {@code bank}; {@code n} images at {@code step}; of the
     * bank's rows, only the {@code negativeRows} appended last serve as negatives (see {@link #excluded}).
     */
    BankVisit(InstanceBank bank, long[] instanceIds, long step, int n, int negativeRows) {
        this.bank = bank;
        this.negativeRows = negativeRows;
        if (instanceIds == null) {
            own = new int[n];
            Arrays.fill(own, -1);
            ids = new long[n];
            for (int i = 0; i < n; i++) {
                ids[i] = ANONYMOUS + (step << 24) + i;
            }
        } else {
            own = bank.lookup(instanceIds);
            ids = instanceIds.clone();
        }
        hits = Arrays.stream(own).filter(r -> r >= 0).count();
    }

    /** (N, d): a hit's bank row, a miss's row of {@code fallback} (L2-normalised, detached). */
    NDArray positives(NDArray fallback) {
        if (hits == 0) {
            return fallback;
        }
        NDManager m = fallback.getManager();
        if (stored == null) {
            stored = bank.rows().get(m.create(Arrays.stream(own).mapToLong(r -> Math.max(r, 0)).toArray()));
            stored.attach(m); // made by the bank's manager: the step owns it
        }
        boolean[] isHit = new boolean[own.length];
        for (int i = 0; i < own.length; i++) {
            isHit[i] = own[i] >= 0;
        }
        NDArray hit = m.create(isHit).reshape(own.length, 1).broadcast(fallback.getShape());
        return NDArrays.where(hit, stored, fallback);
    }

    /**
     * (K + N, d): what each query is scored against besides its positive, the bank's rows and then the batch's own
     * images, {@code batchFeatures} (N, d), L2-normalised and detached, made in the same pass as the positives. The
     * batch's images are not in the bank yet; the paper's bank holds every image, the current ones too.
     */
    NDArray candidates(NDArray batchFeatures) {
        NDArray out = bank.rows().concat(batchFeatures);
        out.attach(batchFeatures.getManager()); // made by the bank's manager: the step owns it
        return out;
    }

    /**
     * The (N, K + N) mask {@link MemoryBankLoss} takes with {@link #candidates}: unfilled rows, rows appended before
     * the last {@code negativeRows} appends (too old, see the methods' class comments), each image's own bank row and
     * each image's own entry among the batch's (the diagonal: it is the image, not a negative).
     */
    NDArray excluded(NDManager m) {
        int k = bank.capacity();
        NDArray bankRows = MemoryBankLoss.excluded(m, k, bank.filled(), own);
        if (negativeRows < k) {
            // a row's age in appends: 0 for the one written last (just before the pointer), cyclically
            NDArray age = m.arange(0, k, 1, DataType.INT64).neg().add(bank.pointer() - 1 + k).mod(k);
            bankRows = bankRows.logicalOr(age.gte(negativeRows).reshape(1, k));
        }
        NDArray self = m.eye(own.length).toType(DataType.BOOLEAN, false);
        return bankRows.concat(self, 1);
    }

    /** The share of the batch's images the bank held. */
    double hitFraction() {
        return (double) hits / own.length;
    }

    /** The batch's L2-normalised, detached features, written by {@link #write} after the optimiser step. */
    void remember(NDArray normalisedFeatures) {
        features = normalisedFeatures;
    }

    /** Hits become normalise(m·v + (1 − m)·f), misses are appended (Wu et al. 2018, eq. 3). */
    void write(double momentum) {
        bank.update(ids, features, momentum);
    }
}
