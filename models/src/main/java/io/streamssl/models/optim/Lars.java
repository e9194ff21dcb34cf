package io.streamssl.models.optim;

import ai.djl.ndarray.NDArray;

/**
 * LARS (You, Gitman &amp; Ginsburg 2017, "Large Batch Training of Convolutional Networks"), as BYOL, Barlow
 * Twins, VICReg and solo-learn use it: per weight tensor, {@code g ← ∇ + λ·w}, then g is scaled by the trust
 * ratio {@code η·‖w‖/‖g‖} (1 when either norm is 0), then SGD with momentum {@code v ← μ·v + g;
 * w ← w − lr·v}. Biases and normalisation parameters (1-D tensors) get neither weight decay nor adaptation:
 * their norms are meaningless for the ratio (solo-learn's {@code exclude_bias_n_norm}).
 *
 * <p>Valid values: momentum in [0, 1) (0.9), η in (0, 1] (solo-learn 0.02, BYOL 0.001).
 */
public final class Lars extends SgdMomentum {

    private final float eta;

    public Lars(float momentum, float eta) {
        super(checkMomentum(momentum));
        if (!(eta > 0 && eta <= 1)) {
            throw new IllegalArgumentException("lars trust coefficient eta must be in (0, 1] (0.02 or 0.001), got "
                    + eta);
        }
        this.eta = eta;
    }

    private static float checkMomentum(float momentum) {
        if (momentum < 0 || momentum >= 1) {
            throw new IllegalArgumentException("lars momentum must be in [0, 1), got " + momentum);
        }
        return momentum;
    }

    /** Scales the gradient by the trust ratio {@code η·‖w‖/‖g‖} (1 when either norm is 0). */
    @Override
    protected void adaptGradient(NDArray w, NDArray g) {
        try (NDArray wn = w.norm(); NDArray gn = g.norm()) {
            float wNorm = wn.getFloat();
            float gNorm = gn.getFloat();
            g.muli(wNorm > 0 && gNorm > 0 ? eta * wNorm / gNorm : 1f);
        }
    }
}
