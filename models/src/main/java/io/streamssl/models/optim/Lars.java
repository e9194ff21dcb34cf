package io.streamssl.models.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * LARS (You, Gitman &amp; Ginsburg 2017, "Large Batch Training of Convolutional Networks"), as BYOL, Barlow
 * Twins, VICReg and solo-learn use it: per weight tensor, {@code g ← ∇ + λ·w}, then g is scaled by the trust
 * ratio {@code η·‖w‖/‖g‖} (1 when either norm is 0), then SGD with momentum {@code v ← μ·v + g;
 * w ← w − lr·v}. Biases and normalisation parameters (1-D tensors) get neither weight decay nor adaptation:
 * their norms are meaningless for the ratio (solo-learn's {@code exclude_bias_n_norm}).
 *
 * <p>Valid values: momentum in [0, 1) (0.9), η in (0, 1] (solo-learn 0.02, BYOL 0.001).
 */
public final class Lars implements ParameterOptimizer {

    private final float momentum;
    private final float eta;
    private final Map<String, NDArray> velocity = new LinkedHashMap<>();

    public Lars(float momentum, float eta) {
        if (momentum < 0 || momentum >= 1) {
            throw new IllegalArgumentException("lars momentum must be in [0, 1), got " + momentum);
        }
        if (!(eta > 0 && eta <= 1)) {
            throw new IllegalArgumentException("lars trust coefficient eta must be in (0, 1] (0.02 or 0.001), got "
                    + eta);
        }
        this.momentum = momentum;
        this.eta = eta;
    }

    @Override
    public void step(Map<String, Parameter> parameters, float lr, float weightDecay) {
        if (weightDecay < 0) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
        parameters.forEach((name, p) -> {
            NDArray w = p.getArray();
            try (NDArray g = w.getGradient()) {
                if (!ParameterOptimizer.isBiasOrNorm(w)) {
                    if (weightDecay > 0) {
                        try (NDArray decay = w.mul(weightDecay)) {
                            g.addi(decay);
                        }
                    }
                    float trust = trustRatio(w, g);
                    g.muli(trust);
                }
                NDArray v = velocity.computeIfAbsent("momentum/" + name, k -> w.zerosLike());
                v.muli(momentum).addi(g);
                try (NDArray update = v.mul(lr)) {
                    w.subi(update);
                }
                g.muli(0);
            }
        });
    }

    private float trustRatio(NDArray w, NDArray g) {
        try (NDArray wn = w.norm(); NDArray gn = g.norm()) {
            float wNorm = wn.getFloat();
            float gNorm = gn.getFloat();
            return wNorm > 0 && gNorm > 0 ? eta * wNorm / gNorm : 1f;
        }
    }

    @Override
    public Map<String, NDArray> slots() {
        return velocity;
    }

    @Override
    public void createSlots(Map<String, Parameter> parameters) {
        parameters.forEach((name, p) -> velocity.computeIfAbsent("momentum/" + name, k -> p.getArray().zerosLike()));
    }
}
