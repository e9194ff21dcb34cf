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
 * as slots are written. A write can only raise another slot's best similarity, except for the slots whose nearest
 * neighbour was the overwritten slot: only those are recomputed over the whole buffer. So a write costs one pass
 * over the buffer (capacity × dim multiply-adds) plus a pass per slot that lost its neighbour (about one on
 * average). Dot products accumulate in double in index order, so the same embeddings give the same decisions.
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
    private int size;

    MinRedRule(int capacity) {
        this.capacity = capacity;
        this.unit = new float[capacity][];
        this.inserted = new long[capacity];
        this.nearestSimilarity = new double[capacity];
        this.nearest = new int[capacity];
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
        double arrivalBest = Double.NEGATIVE_INFINITY;
        int evict = REJECT;
        double evictRedundancy = Double.NEGATIVE_INFINITY;
        long evictInserted = Long.MAX_VALUE;
        for (int j = 0; j < capacity; j++) {
            double s = dot(arrival, unit[j]);
            arrivalBest = Math.max(arrivalBest, s);
            double redundancy = Math.max(nearestSimilarity[j], s); // j's nearest neighbour with the arrival present
            if (redundancy > evictRedundancy || (redundancy == evictRedundancy && inserted[j] < evictInserted)) {
                evict = j;
                evictRedundancy = redundancy;
                evictInserted = inserted[j];
            }
        }
        // the arrival is the newest: it goes only when strictly more redundant than every buffered sample
        return arrivalBest > evictRedundancy ? REJECT : evict;
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
        for (int j = 0; j < capacity; j++) {
            if (j == slot || unit[j] == null) {
                continue;
            }
            double s = dot(unit[slot], unit[j]);
            if (s > nearestSimilarity[slot]) {
                nearestSimilarity[slot] = s;
                nearest[slot] = j;
            }
            if (nearest[j] == slot && s < nearestSimilarity[j]) {
                recompute(j); // its nearest neighbour changed into something less similar
            } else if (nearest[j] == slot || s > nearestSimilarity[j]) {
                nearestSimilarity[j] = s;
                nearest[j] = slot;
            }
        }
    }

    /** Slot {@code j}'s nearest neighbour over the whole buffer. */
    private void recompute(int j) {
        nearestSimilarity[j] = Double.NEGATIVE_INFINITY;
        nearest[j] = -1;
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
