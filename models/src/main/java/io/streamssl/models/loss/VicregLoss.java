package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;
import io.streamssl.models.tensor.NativeScalar;

/**
 * VICReg (Bardes, Ponce &amp; LeCun 2022, "Variance-Invariance-Covariance Regularization", eq. 1–6 and the
 * official code): {@code λ·s(z₀, z₁) + μ·[v(z₀) + v(z₁)]/2 + ν·[c(z₀) + c(z₁)]}, where the invariance s is the
 * mean squared error, the variance term {@code v(z) = mean_j max(0, 1 − √(Var z_j + 1e-4))} keeps every
 * dimension's standard deviation near 1, and the covariance term {@code c(z) = Σ_{i≠j} Cov(z)_ij² / d}
 * decorrelates the dimensions (unbiased covariance).
 *
 * <p>Shapes: z0, z1 (N, d), N ≥ 2; returns a scalar. Valid values: λ, μ, ν ≥ 0, not all 0 (paper 25, 25, 1).
 */
public final class VicregLoss {

    private static final String NAME = "vicreg loss";
    private static final double VAR_EPS = 1e-4;

    private final double invariance;
    private final double variance;
    private final double covariance;

    public VicregLoss(double invariance, double variance, double covariance) {
        for (double w : new double[] {invariance, variance, covariance}) {
            if (!(w >= 0 && Double.isFinite(w))) {
                throw new IllegalArgumentException(NAME + ": the invariance, variance and covariance weights must "
                        + "be >= 0 (paper: 25, 25, 1), got " + invariance + ", " + variance + ", " + covariance);
            }
        }
        if (invariance + variance + covariance == 0) {
            throw new IllegalArgumentException(NAME + ": at least one weight must be > 0 (paper: 25, 25, 1)");
        }
        this.invariance = invariance;
        this.variance = variance;
        this.covariance = covariance;
    }

    public NDArray compute(NDArray z0, NDArray z1) {
        LossInputs.requireMatrix(NAME, "z0", z0, 2);
        LossInputs.requireSameShape(NAME, z0, z1);
        NDArray sim = z0.sub(z1).square().mean();
        NDArray c0 = z0.sub(z0.mean(new int[] {0}, true));
        NDArray c1 = z1.sub(z1.mean(new int[] {0}, true));
        NDArray std = NativeScalar.div(varianceTerm(c0).add(varianceTerm(c1)), 2);
        NDArray cov = covarianceTerm(c0).add(covarianceTerm(c1));
        return NativeScalar.mul(sim, invariance).add(NativeScalar.mul(std, variance))
                .add(NativeScalar.mul(cov, covariance));
    }

    private static NDArray varianceTerm(NDArray centred) {
        long n = centred.getShape().get(0);
        NDArray std = NativeScalar.add(NativeScalar.div(centred.square().sum(new int[] {0}), n - 1), VAR_EPS).sqrt();
        return NativeScalar.maximum(NativeScalar.add(std.neg(), 1), 0).mean();
    }

    private static NDArray covarianceTerm(NDArray centred) {
        long n = centred.getShape().get(0);
        long d = centred.getShape().get(1);
        NDArray cov = NativeScalar.div(centred.transpose().matMul(centred), n - 1);
        NDArray eye = centred.getManager().eye((int) d);
        NDArray offDiagonal = cov.mul(eye.onesLike().sub(eye));
        return NativeScalar.div(offDiagonal.square().sum(), d);
    }
}
