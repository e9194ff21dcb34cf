package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;
import io.streamssl.models.tensor.NativeScalar;

/**
 * Barlow Twins' redundancy reduction (Zbontar et al. 2021, eq. 1): the two views' embeddings are standardised
 * along the batch, their cross-correlation matrix {@code C = z̃₀ᵀz̃₁/N} is computed, and the loss drives it to
 * the identity: {@code Σ_i (1 − C_ii)² + λ Σ_{i≠j} C_ij²}.
 *
 * <p>Standardisation is the paper's {@code BatchNorm1d(affine=False)}: biased variance plus 1e-5. Shapes:
 * z0, z1 (N, d) with N ≥ 2 (one sample has no variance); returns a scalar. Valid values: λ ≥ 0 (paper
 * 0.0051; about 1/d balances the d on-diagonal against the d² − d off-diagonal terms).
 */
public final class BarlowTwinsLoss {

    private static final String NAME = "barlow twins loss";
    private static final double BN_EPS = 1e-5;

    private final double lambda;

    public BarlowTwinsLoss(double lambda) {
        if (!(lambda >= 0 && Double.isFinite(lambda))) {
            throw new IllegalArgumentException(NAME + ": lambda must be >= 0 (paper: 0.0051), got " + lambda);
        }
        this.lambda = lambda;
    }

    public double lambda() {
        return lambda;
    }

    public NDArray compute(NDArray z0, NDArray z1) {
        LossInputs.requireMatrix(NAME, "z0", z0, 2);
        LossInputs.requireSameShape(NAME, z0, z1);
        long n = z0.getShape().get(0);
        long d = z0.getShape().get(1);
        NDArray c = NativeScalar.div(standardise(z0).transpose().matMul(standardise(z1)), n);
        NDArray eye = z0.getManager().eye((int) d);
        NDArray onDiagonal = NativeScalar.sub(c.mul(eye).sum(new int[] {1}), 1).square().sum();
        NDArray offDiagonal = c.mul(eye.onesLike().sub(eye)).square().sum();
        return onDiagonal.add(NativeScalar.mul(offDiagonal, lambda));
    }

    private static NDArray standardise(NDArray z) {
        NDArray centred = z.sub(z.mean(new int[] {0}, true));
        return centred.div(NativeScalar.add(centred.square().mean(new int[] {0}, true), BN_EPS).sqrt());
    }
}
