package io.streamssl.models.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stochastic gradient descent with momentum and L2 weight decay, in PyTorch's formulation:
 * {@code g ← ∇ + λ·w; v ← μ·v + g; w ← w − lr·v}. Weight decay is not applied to biases and normalisation
 * parameters (1-D tensors), as in the SSL reference code.
 */
public class SgdMomentum implements ParameterOptimizer {

    private final float momentum;
    private final Map<String, NDArray> velocity = new LinkedHashMap<>();

    public SgdMomentum(float momentum) {
        if (momentum < 0 || momentum >= 1) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        this.momentum = momentum;
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
                    adaptGradient(w, g);
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

    /**
     * Rescales the (weight-decayed) gradient of a weight tensor in place before the momentum update; plain SGD
     * leaves it as it is. Not called for biases and normalisation parameters.
     */
    protected void adaptGradient(NDArray weight, NDArray gradient) {}

    @Override
    public Map<String, NDArray> slots() {
        return velocity;
    }

    @Override
    public void createSlots(Map<String, Parameter> parameters) {
        parameters.forEach((name, p) -> velocity.computeIfAbsent("momentum/" + name, k -> p.getArray().zerosLike()));
    }
}
