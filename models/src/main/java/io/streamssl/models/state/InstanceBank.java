package io.streamssl.models.state;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.streamssl.models.loss.NormalizedMseLoss;
import io.streamssl.models.tensor.TensorCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A memory bank of L2-normalised features keyed by image id, bounded to K rows: the streaming form of the
 * per-image bank of InstDisc (Wu et al. 2018, §3.2) and PIRL (Misra &amp; van der Maaten 2019, §3.2). The papers'
 * bank has one row per image of the data set, indexed by position; a stream has neither a fixed set nor positions,
 * so rows are keyed by the image's 64-bit id ({@link io.streamssl.models.ViewBatch#instanceIds}) and the bank
 * keeps the K most recently added images, first in first out.
 *
 * <p>{@link #update}: an id already in the bank (a hit) has its row v replaced by normalise(m·v + (1−m)·f), Wu et
 * al.'s eq. 3 with m = 0.5 there; a new id (a miss) is written at the pointer, evicting the oldest row and its id.
 * The rows of one batch are applied in batch order, as if they came one after another: an id that occurs twice
 * is appended at its first occurrence and blended at its second. Unfilled rows are zero and belong to no id.
 *
 * <p>Rows, ids, pointer and fill count are all tensors, so the bank checkpoints with the rest of the training
 * state; {@link #lookup} reads the ids from the tensor each call, so a restored state is seen at once.
 */
public final class InstanceBank implements TensorState {

    private final String name;
    private final NDArray rows; // (K, d) float32: unit rows [0, filled), zeros after
    private final NDArray ids; // (K) int64: the id of each filled row
    private final NDArray pointer; // (1) int64: the next row a miss writes (the oldest once full)
    private final NDArray filled; // (1) int64: rows written so far, at most K

    public InstanceBank(String name, NDManager manager, int capacity, int dim) {
        if (capacity < 1 || dim < 1) {
            throw new IllegalArgumentException(name + ": bank capacity and dimension must be >= 1, got " + capacity
                    + " and " + dim);
        }
        this.name = name;
        this.rows = manager.zeros(new Shape(capacity, dim));
        this.ids = manager.zeros(new Shape(capacity), DataType.INT64);
        this.pointer = manager.zeros(new Shape(1), DataType.INT64);
        this.filled = manager.zeros(new Shape(1), DataType.INT64);
    }

    public int capacity() {
        return (int) rows.getShape().get(0);
    }

    /** The (K, d) rows: live, so read them before the next {@link #update}. Rows from {@link #filled()} on are 0. */
    public NDArray rows() {
        return rows;
    }

    /** Rows that hold an image, at most K; they are rows [0, filled). */
    public long filled() {
        return filled.getLong(0);
    }

    /** The row the next miss is written to: the oldest once full; the row written last is the one before it. */
    public long pointer() {
        return pointer.getLong(0);
    }

    /** The row of each of {@code imageIds} in the bank, or -1 for an id it does not hold. */
    public int[] lookup(long[] imageIds) {
        Map<Long, Integer> rowOf = rowsById(ids.toLongArray(), (int) filled());
        int[] out = new int[imageIds.length];
        for (int i = 0; i < imageIds.length; i++) {
            out[i] = rowOf.getOrDefault(imageIds[i], -1);
        }
        return out;
    }

    /**
     * Blends hits and appends misses (see the class comment). Call with gradients off, after the step whose loss
     * read the bank; temporaries live under {@code normalisedFeatures}' manager.
     *
     * @param imageIds N ids, N ≤ K
     * @param normalisedFeatures (N, d) unit rows, in the order of {@code imageIds}
     * @param momentum m in [0, 1]: the weight of the old row of a hit
     */
    public void update(long[] imageIds, NDArray normalisedFeatures, double momentum) {
        int k = capacity();
        Shape shape = normalisedFeatures.getShape();
        int n = imageIds.length;
        if (shape.dimension() != 2 || shape.get(0) != n || shape.get(1) != rows.getShape().get(1) || n > k) {
            throw new IllegalArgumentException(name + ": can update with N <= " + k + " ids and (N, "
                    + rows.getShape().get(1) + ") features, got " + n + " ids and " + shape);
        }
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(name + ": bank momentum must be in [0, 1], got " + momentum);
        }
        // plan on the host: which row each feature goes to, whether it overwrites (a miss) or blends (a hit), and
        // its turn on that row (0 for the first write of the batch to it, 1 for the second, …)
        long[] bankIds = ids.toLongArray();
        int full = (int) filled();
        int next = (int) pointer.getLong(0);
        Map<Long, Integer> rowOf = rowsById(bankIds, full);
        int[] row = new int[n];
        boolean[] overwrite = new boolean[n];
        int[] turn = new int[n];
        Map<Integer, Integer> writesTo = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Integer r = rowOf.get(imageIds[i]);
            if (r == null) {
                r = next;
                if (full == k) {
                    rowOf.remove(bankIds[r]); // the oldest image leaves
                }
                bankIds[r] = imageIds[i];
                rowOf.put(imageIds[i], r);
                overwrite[i] = true;
                next = (next + 1) % k;
                full = Math.min(k, full + 1);
            }
            row[i] = r;
            turn[i] = writesTo.merge(r, 1, Integer::sum) - 1;
        }
        int turns = writesTo.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        try (NDManager scratch = normalisedFeatures.getManager().newSubManager()) {
            for (int t = 0; t < turns; t++) {
                applyTurn(scratch, normalisedFeatures, momentum, t, turn, row, overwrite);
            }
            TensorCodec.copy(scratch.create(bankIds), ids);
            TensorCodec.copy(scratch.create(new long[] {next}), pointer);
            TensorCodec.copy(scratch.create(new long[] {full}), filled);
        }
    }

    /** Writes every feature whose turn on its row is {@code t}: the rows of one turn are distinct. */
    private void applyTurn(NDManager scratch, NDArray features, double momentum, int t, int[] turn, int[] row,
            boolean[] overwrite) {
        List<Integer> members = new ArrayList<>();
        for (int i = 0; i < turn.length; i++) {
            if (turn[i] == t) {
                members.add(i);
            }
        }
        int m = members.size();
        long[] featureIndex = new long[m];
        long[] rowIndex = new long[m];
        boolean[] isMiss = new boolean[m];
        long[] source = new long[capacity()]; // for each bank row: which of this turn's values it takes
        boolean[] touched = new boolean[capacity()];
        for (int j = 0; j < m; j++) {
            int i = members.get(j);
            featureIndex[j] = i;
            rowIndex[j] = row[i];
            isMiss[j] = overwrite[i];
            source[row[i]] = j;
            touched[row[i]] = true;
        }
        NDArray f = features.get(scratch.create(featureIndex));
        f.attach(scratch);
        NDArray old = rows.get(scratch.create(rowIndex));
        old.attach(scratch); // made by the bank's manager: the scratch owns it
        NDArray blended = NormalizedMseLoss.l2Normalize(old.mul(momentum).add(f.mul(1 - momentum)));
        NDArray miss = scratch.create(isMiss).reshape(m, 1).broadcast(f.getShape());
        NDArray values = NDArrays.where(miss, f, blended);
        NDArray spread = values.get(scratch.create(source));
        NDArray write = scratch.create(touched).reshape(capacity(), 1).broadcast(rows.getShape());
        NDArray updated = NDArrays.where(write, spread, rows);
        updated.attach(scratch);
        TensorCodec.copy(updated, rows);
    }

    private static Map<Long, Integer> rowsById(long[] bankIds, int filled) {
        Map<Long, Integer> rowOf = new HashMap<>(filled * 2);
        for (int r = 0; r < filled; r++) {
            rowOf.put(bankIds[r], r);
        }
        return rowOf;
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("rows", rows);
        out.put("ids", ids);
        out.put("pointer", pointer);
        out.put("filled", filled);
        return out;
    }
}
