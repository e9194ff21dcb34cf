package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;

/**
 * OBoW's bag-of-visual-words target (Gidaris et al. 2021, §3.2; the released code's {@code BoWExtractor}): each
 * location of a teacher feature map is soft-assigned to the K words of a vocabulary by its squared Euclidean
 * distances, {@code code_k = softmax_k(−d_k / δ)}, the codes are pooled over the locations (max, the paper's
 * choice, or average) and the pooled vector is L1-normalised into a distribution over words. The temperature is
 * adaptive: {@code 1/δ = inv-delta / m}, m a running mean of the distance from a location to its nearest word
 * (the caller keeps m, {@link #meanMinDistance} gives a batch's value), so the sharpness of the assignment does
 * not depend on the scale of the features. Paper values: inv-delta 15, max pooling.
 *
 * <p>Shapes: maps (N, C, h, w), words (K, C), distances (N, L, K) with L = h·w locations, target (N, K). All are
 * targets: call on detached tensors.
 */
public final class BagOfWordsTarget {

    private static final String NAME = "bag-of-words target";
    private static final float EPS = 1e-12f;

    /** How the locations' codes become one vector. */
    public enum Pooling {
        MAX, AVG;

        /** {@code max} or {@code avg}; fails naming both. */
        public static Pooling parse(String name) {
            for (Pooling p : values()) {
                if (p.name().toLowerCase(Locale.ROOT).equals(name)) {
                    return p;
                }
            }
            throw new IllegalArgumentException(NAME + ": unknown pooling '" + name + "': allowed are max, avg");
        }
    }

    private final double invDelta;
    private final Pooling pooling;

    public BagOfWordsTarget(double invDelta, Pooling pooling) {
        LossInputs.requireTemperature(NAME, "inv-delta", invDelta);
        this.invDelta = invDelta;
        this.pooling = java.util.Objects.requireNonNull(pooling, "pooling");
    }

    /** Squared Euclidean distances (N, L, K) from every location of {@code maps} (N, C, h, w) to every word. */
    public static NDArray squaredDistances(NDArray maps, NDArray words) {
        Shape s = maps.getShape();
        if (s.dimension() != 4 || words.getShape().dimension() != 2 || words.getShape().get(1) != s.get(1)) {
            throw new IllegalArgumentException(NAME + ": needs maps (N, C, h, w) and words (K, C), got " + s + " and "
                    + words.getShape());
        }
        long n = s.get(0);
        long c = s.get(1);
        long locations = s.get(2) * s.get(3);
        long k = words.getShape().get(0);
        NDArray x = maps.reshape(n, c, locations).transpose(0, 2, 1).reshape(n * locations, c);
        NDArray xx = x.square().sum(new int[] {1}, true); // (N·L, 1)
        NDArray ww = words.square().sum(new int[] {1}).reshape(1, k);
        NDArray cross = x.matMul(words.transpose()); // (N·L, K)
        return xx.add(ww).sub(cross.mul(2)).reshape(n, locations, k);
    }

    /** The mean over images and locations of the distance to the nearest word: a 0-d tensor. */
    public static NDArray meanMinDistance(NDArray distances) {
        return distances.min(new int[] {2}).mean();
    }

    /**
     * The target (N, K) from {@code distances} (N, L, K) with running mean nearest-word distance {@code m}; a NaN
     * {@code m} (from non-finite features) gives a NaN target, so the loss shows the bad batch.
     */
    public NDArray compute(NDArray distances, double m) {
        if (m <= 0 || m == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(NAME + ": the mean distance to the nearest word must be > 0, got " + m
                    + " (do all teacher features coincide with the words?)");
        }
        NDArray codes = distances.mul((float) (-invDelta / m)).softmax(2);
        NDArray pooled = pooling == Pooling.MAX ? codes.max(new int[] {1}) : codes.mean(new int[] {1});
        return pooled.div(pooled.sum(new int[] {1}, true).maximum(EPS));
    }
}
