package io.streamssl.models.state;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A first-in-first-out ring of K feature vectors with a write pointer: MoCo's queue of negative keys (He et al.
 * 2020, §3.2: the oldest keys, from the most outdated teacher, leave first) and SwAV's queue of past
 * embeddings (Caron et al. 2020, §4: it adds rows to the Sinkhorn-Knopp assignment when batches are small).
 *
 * <p>{@link #push} writes the N rows of a batch at the pointer, wrapping round the end, and advances the
 * pointer by N; N ≤ K. The rows, the pointer and the fill count are all tensors, so the queue checkpoints with
 * the rest of the training state.
 */
public final class FeatureQueue implements TensorState {

    private final String name;
    private final NDArray rows; // (K, d)
    private final NDArray pointer; // (1) int64: the next row to write
    private final NDArray filled; // (1) int64: rows written so far, at most K

    /**
     * A queue of {@code length} rows of {@code dim} features. {@code randomUnit}: start full of random unit
     * vectors (MoCo), else empty with zeros (SwAV, which only uses the queue once it is full).
     */
    public FeatureQueue(String name, NDManager manager, int length, int dim, boolean randomUnit) {
        if (length < 1 || dim < 1) {
            throw new IllegalArgumentException(name + ": queue length and dimension must be >= 1, got " + length
                    + " and " + dim);
        }
        this.name = name;
        if (randomUnit) {
            try (NDArray r = manager.randomNormal(new Shape(length, dim))) {
                try (NDArray norm = r.norm(new int[] {1}, true)) {
                    this.rows = r.div(norm);
                }
            }
        } else {
            this.rows = manager.zeros(new Shape(length, dim));
        }
        this.pointer = manager.zeros(new Shape(1), DataType.INT64);
        this.filled = manager.create(new long[] {randomUnit ? length : 0});
    }

    public int length() {
        return (int) rows.getShape().get(0);
    }

    public int pointer() {
        return (int) pointer.getLong(0);
    }

    /** How many rows have been written, at most K (K from the start for a queue of random keys). */
    public long filled() {
        return filled.getLong(0);
    }

    /** True once K rows have been written (always, for a queue that starts with random keys). */
    public boolean isFull() {
        return filled.getLong(0) >= length();
    }

    /** The K rows, (K, d): live, so read them before the next {@link #push}. */
    public NDArray rows() {
        return rows;
    }

    /** Writes {@code batch} (N, d), N ≤ K, at the pointer, oldest rows first out. Call with gradients off. */
    public void push(NDArray batch) {
        long n = batch.getShape().get(0);
        int k = length();
        if (batch.getShape().dimension() != 2 || batch.getShape().get(1) != rows.getShape().get(1) || n > k) {
            throw new IllegalArgumentException(name + ": can push (N, " + rows.getShape().get(1) + ") with N <= " + k
                    + ", got " + batch.getShape());
        }
        int p = pointer();
        int first = (int) Math.min(n, k - p);
        rows.set(new NDIndex(p + ":" + (p + first)), batch.get("0:" + first).stopGradient());
        if (first < n) { // wrap round to the start
            rows.set(new NDIndex("0:" + (n - first)), batch.get(first + ":").stopGradient());
        }
        pointer.set(new long[] {(p + n) % k});
        filled.set(new long[] {Math.min(k, filled.getLong(0) + n)});
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("rows", rows);
        out.put("pointer", pointer);
        out.put("filled", filled);
        return out;
    }
}
