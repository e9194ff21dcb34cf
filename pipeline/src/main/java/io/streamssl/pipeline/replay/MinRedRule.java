package io.streamssl.pipeline.replay;

import java.util.Arrays;

/**
 * MinRed's minimum-redundancy rule (Purushwalkam, Morgado and Gupta, ECCV 2022, §3.2): once the buffer is full,
 * the arrival joins it and the most redundant sample of the capacity + 1 leaves — the one whose cosine similarity
 * to its nearest neighbour is the highest. Of the two members of the closest pair, the one that has been in the
 * buffer longer goes (the arrival counts as the newest), as the reference implementation's argmin over the
 * buffer-then-arrival order does.
 *
 * <p>Embeddings are L2-normalised on arrival; each slot keeps its nearest neighbour's similarity and slot, updated
 * as slots are written: one pass over the buffer (capacity × dim multiply-adds) per write. A write can only raise
 * another slot's best similarity, except for the slots whose nearest neighbour was the overwritten slot: their
 * stored similarity becomes an upper bound ("stale"), and a stale slot is recomputed over the whole buffer only
 * when it comes out on top of an eviction (a lazy priority queue), since only the maximum decides. The decisions
 * are those of a brute-force computation (tested), at about one pass per arrival instead of one per slot that
 * lost its neighbour (many, in high dimensions, where a few "hub" samples are many others' nearest neighbour).
 * Dot products accumulate in double in index order, so the same embeddings give the same decisions.
 *
 * <p>What differs from the paper: the paper refreshes the features of the samples it trains on; the buffer does
 * the same for replayed samples (their embedding is recomputed after the step that used them), and embeds an
 * arrival after the step that follows it, with the encoder of that step.
 */
final class MinRedRule implements EvictionRule {

    private final int capacity;
    private float[][] unit;
    /** Insertion order of each slot's entry, for the tie rule. */
    private final long[] inserted;
    private final double[] nearestSimilarity;
    private final int[] nearest;
    /** {@code nearestSimilarity[j]} is an upper bound, not the exact value: recompute before relying on it. */
    private final boolean[] stale;
    private int size;

    MinRedRule(int capacity) {
        this.capacity = capacity;
        this.unit = new float[capacity][];
        this.inserted = new long[capacity];
        this.nearestSimilarity = new double[capacity];
        this.nearest = new int[capacity];
        this.stale = new boolean[capacity];
        Arrays.fill(nearest, -1);
        Arrays.fill(nearestSimilarity, Double.NEGATIVE_INFINITY);
    }

    @Override
    public boolean needsEmbeddings() {
        return true;
    }

    @Override
    public int slotFor(long arrivals, int size, float[] embedding) {
        if (size < capacity) {
            return size;
        }
        float[] arrival = normalised(embedding);
        double[] toArrival = new double[capacity];
        double arrivalBest = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < capacity; j++) {
            toArrival[j] = dot(arrival, unit[j]);
            arrivalBest = Math.max(arrivalBest, toArrival[j]);
        }
        while (true) {
            int evict = REJECT;
            double evictRedundancy = Double.NEGATIVE_INFINITY;
            long evictInserted = Long.MAX_VALUE;
            for (int j = 0; j < capacity; j++) {
                // j's nearest neighbour with the arrival present (an upper bound while j is stale)
                double redundancy = Math.max(nearestSimilarity[j], toArrival[j]);
                if (redundancy > evictRedundancy || (redundancy == evictRedundancy && inserted[j] < evictInserted)) {
                    evict = j;
                    evictRedundancy = redundancy;
                    evictInserted = inserted[j];
                }
            }
            if (stale[evict] && nearestSimilarity[evict] > toArrival[evict]) {
                recompute(evict); // its bound may be too high: make it exact and look again
                continue;
            }
            // the arrival is the newest: it goes only when strictly more redundant than every buffered sample
            return arrivalBest > evictRedundancy ? REJECT : evict;
        }
    }

    @Override
    public void written(int slot, float[] embedding, long sequence) {
        if (embedding == null) {
            throw new IllegalArgumentException("minred needs an embedding for slot " + slot);
        }
        boolean replaced = unit[slot] != null;
        unit[slot] = normalised(embedding);
        inserted[slot] = sequence;
        if (!replaced) {
            size++;
        }
        nearestSimilarity[slot] = Double.NEGATIVE_INFINITY;
        nearest[slot] = -1;
        stale[slot] = false;
        for (int j = 0; j < capacity; j++) {
            if (j == slot || unit[j] == null) {
                continue;
            }
            double s = dot(unit[slot], unit[j]);
            if (s > nearestSimilarity[slot]) {
                nearestSimilarity[slot] = s;
                nearest[slot] = j;
            }
            if (s >= nearestSimilarity[j] && (nearest[j] == slot || s > nearestSimilarity[j])) {
                // at least as similar as j's (bound on its) best: exact
                nearestSimilarity[j] = s;
                nearest[j] = slot;
                stale[j] = false;
            } else if (nearest[j] == slot) {
                // its nearest neighbour became less similar: the old value still bounds the new best from above
                stale[j] = true;
            }
        }
    }

    /** Slot {@code j}'s nearest neighbour over the whole buffer. */
    private void recompute(int j) {
        nearestSimilarity[j] = Double.NEGATIVE_INFINITY;
        nearest[j] = -1;
        stale[j] = false;
        for (int k = 0; k < capacity; k++) {
            if (k != j && unit[k] != null) {
                double s = dot(unit[j], unit[k]);
                if (s > nearestSimilarity[j]) {
                    nearestSimilarity[j] = s;
                    nearest[j] = k;
                }
            }
        }
    }

    /** The cosine similarity of slot {@code j} to its nearest neighbour (−∞ alone); for tests and metrics. */
    double nearestSimilarity(int j) {
        if (stale[j]) {
            recompute(j);
        }
        return nearestSimilarity[j];
    }

    int size() {
        return size;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += (double) a[k] * b[k];
        }
        return s;
    }

    private static float[] normalised(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += (double) x * x;
        }
        double scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
        float[] out = new float[v.length];
        for (int k = 0; k < v.length; k++) {
            out[k] = (float) (v[k] * scale);
        }
        return out;
    }
}
