package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;

/**
 * SwAV's online code assignment (Caron et al. 2020, "Unsupervised Learning of Visual Features by Contrasting
 * Cluster Assignments", §3.1 and Algorithm 1): a few Sinkhorn-Knopp iterations turn the scores of B samples
 * against K prototypes into a transport plan whose rows sum to 1/B and columns to 1/K, so that every
 * prototype is used equally in the batch (this equipartition is what prevents collapse). The plan is
 * {@code diag(u)·exp(S/ε)·diag(v)}; the returned codes are the plan times B, one distribution per row.
 *
 * <p>Shapes: scores (B, K), cosine similarities (in [−1, 1], as between normalised embeddings and
 * normalised prototypes); returns detached codes (B, K), rows summing to 1. Valid values: iterations ≥ 1
 * (SwAV: 3), ε &gt; 0 (SwAV: 0.05; smaller is sharper, and below ~0.02 exp(S/ε) underflows in float32).
 */
public final class SinkhornKnopp {

    private static final String NAME = "sinkhorn-knopp";

    private final int iterations;
    private final double epsilon;

    public SinkhornKnopp(int iterations, double epsilon) {
        if (iterations < 1 || iterations > 100) {
            throw new IllegalArgumentException(NAME + ": iterations must be in [1, 100], got " + iterations);
        }
        LossInputs.requireTemperature(NAME, "epsilon", epsilon);
        this.iterations = iterations;
        this.epsilon = epsilon;
    }

    public double epsilon() {
        return epsilon;
    }

    /** The transport plan itself, (B, K): rows sum to 1/B, columns to 1/K (approximately, after few iterations). */
    public NDArray plan(NDArray scores) {
        LossInputs.requireMatrix(NAME, "scores", scores, 1);
        long b = scores.getShape().get(0);
        long k = scores.getShape().get(1);
        NDArray s = scores.stopGradient();
        // subtracting the maximum changes nothing after normalisation but keeps exp() finite
        NDArray shifted = s.sub(s.max());
        // In place from here: q is detached (no recorded op, so plain scalars are safe) and, with SwAV's queue,
        // (3,904 × 3,000) floats. A new 47 MB tensor per op made glibc map and unmap fresh pages every step:
        // SwAV at batch 64 fell from 85 to 10 images/s with half the CPU time in the kernel once its queue filled.
        NDArray q = shifted.divi(epsilon).exp(); // DJL has no in-place exp
        shifted.close();
        q.divi(q.sum());
        for (int i = 0; i < iterations; i++) {
            q.divi(q.sum(new int[] {0}, true)).divi(k); // each prototype (column) gets mass 1/K
            q.divi(q.sum(new int[] {1}, true)).divi(b); // each sample (row) gets mass 1/B
        }
        return q;
    }

    /** Codes: the plan scaled so that each row is a distribution over the K prototypes. */
    public NDArray assign(NDArray scores) {
        return plan(scores).muli(scores.getShape().get(0));
    }
}
