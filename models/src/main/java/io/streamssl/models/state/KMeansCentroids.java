package io.streamssl.models.state;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * DeepCluster-v2's prototypes (Caron et al. 2020, SwAV paper §B / code {@code main_deepclusterv2.py}): K unit
 * centroids found by spherical k-means over a memory of L2-normalised features, and the cluster id of each memory
 * row. {@link #recluster} runs a few Lloyd iterations (assign each row to the centroid of highest cosine, move each
 * centroid to the normalised mean of its rows; an empty cluster keeps its centroid), seeded by a {@link Random} of
 * the given seed that picks K distinct rows as the start — no tensor randomness, so a run resumed from the
 * checkpointed centroids re-clusters bit for bit like the uninterrupted one.
 *
 * <p>Before the first {@link #recluster} the centroids are random unit vectors (from the manager's seeded
 * generator) and every assignment is 0. Both tensors are checkpointed.
 */
public final class KMeansCentroids implements TensorState {

    private final String name;
    private final NDArray centroids; // (K, d), unit rows
    private final NDArray assignments; // (Q) int64: each memory row's cluster after the last recluster

    public KMeansCentroids(String name, NDManager manager, int count, int dim, int memoryRows) {
        if (count < 2 || dim < 1 || memoryRows < count) {
            throw new IllegalArgumentException(name + ": k-means needs at least 2 centroids of dimension >= 1 and "
                    + "at least as many memory rows as centroids, got " + count + " centroids of " + dim + " over "
                    + memoryRows + " rows");
        }
        this.name = name;
        try (NDArray r = manager.randomNormal(new Shape(count, dim)); NDArray norm = r.norm(new int[] {1}, true)) {
            this.centroids = r.div(norm);
        }
        this.assignments = manager.zeros(new Shape(memoryRows), DataType.INT64);
    }

    public int count() {
        return (int) centroids.getShape().get(0);
    }

    /** The (K, d) unit centroids: live, so read them before the next {@link #recluster}. */
    public NDArray centroids() {
        return centroids;
    }

    /** Each memory row's cluster id after the last {@link #recluster}, (Q) int64: live. */
    public NDArray assignments() {
        return assignments;
    }

    /**
     * Replaces the centroids by {@code iterations} Lloyd steps of spherical k-means over {@code rows} (Q, d), unit
     * rows, started from K distinct rows chosen by {@code new Random(seed)}; temporaries live in {@code scratch}.
     */
    public void recluster(NDArray rows, int iterations, long seed, NDManager scratch) {
        int q = (int) rows.getShape().get(0);
        int k = count();
        if (q != assignments.getShape().get(0) || rows.getShape().get(1) != centroids.getShape().get(1)) {
            throw new IllegalArgumentException(name + ": can cluster (" + assignments.getShape().get(0) + ", "
                    + centroids.getShape().get(1) + ") rows, got " + rows.getShape());
        }
        NDArray x = rows.duplicate();
        x.attach(scratch);
        NDArray c = x.get(scratch.create(startRows(q, k, seed)));
        NDArray labels = null;
        for (int it = 0; it < iterations; it++) {
            labels = Linear.linear(x, c).singletonOrThrow().argMax(1);
            NDArray members = labels.oneHot(k); // (Q, K)
            NDArray sums = members.transpose().matMul(x); // (K, d)
            NDArray empty = members.sum(new int[] {0}).eq(0).reshape(k, 1);
            NDArray norm = sums.norm(new int[] {1}, true).maximum(1e-12f);
            c = ai.djl.ndarray.NDArrays.where(empty.broadcast(c.getShape()), c, sums.div(norm));
        }
        if (labels != null) {
            labels = Linear.linear(x, c).singletonOrThrow().argMax(1); // the ids of the final centroids
            assignments.set(new NDIndex(":"), labels.toType(DataType.INT64, false));
        }
        centroids.set(new NDIndex(":"), c);
    }

    /** K distinct row indices in [0, q), by a partial Fisher-Yates shuffle with {@code new Random(seed)}. */
    static long[] startRows(int q, int k, long seed) {
        Random random = new Random(seed);
        int[] order = new int[q];
        for (int i = 0; i < q; i++) {
            order[i] = i;
        }
        long[] out = new long[k];
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(q - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
            out[i] = order[i];
        }
        return out;
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("centroids", centroids);
        out.put("assignments", assignments);
        return out;
    }
}
