package io.streamssl.models.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import io.streamssl.models.tensor.FlatParameters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with momentum and L2 weight decay, in PyTorch's formulation:
 * {@code g ← ∇ + λ·w; v ← μ·v + g; w ← w − lr·v}. Weight decay is not applied to biases and normalisation
 * parameters (1-D tensors), as in the SSL reference code.
 */
public class SgdMomentum implements ParameterOptimizer {

    private final float momentum;
    private final Map<String, NDArray> velocity = new LinkedHashMap<>();
    private FlatTrainable flat;
    private NDArray flatVelocity;

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
        if (flat != null) {
            flatStep(lr, weightDecay);
            return;
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

    @Override
    public void useFlatBuffer(FlatTrainable trainable) {
        if (!velocity.isEmpty()) {
            throw new IllegalStateException("use the flat buffer before the slots are created");
        }
        this.flat = trainable;
    }

    /**
     * The same update as the per-tensor path, element for element, over the whole flat buffer: weight decay
     * and adaptation on the runs of weight tensors only, then momentum and the step over everything.
     */
    private void flatStep(float lr, float weightDecay) {
        createSlots(Map.of());
        try (NDArray g = flat.gradients()) {
            if (weightDecay > 0) {
                List<long[]> runs = flat.decayRuns();
                for (int i = 0; i < runs.size(); i++) {
                    long[] r = runs.get(i);
                    try (NDArray gr = FlatParameters.slice(g, r[0], r[0] + r[1]);
                            NDArray decay = flat.decayWeights().get(i).mul(weightDecay)) {
                        gr.addi(decay);
                    }
                }
            }
            adaptFlatGradient(flat, g);
            flatVelocity.muli(momentum).addi(g);
            try (NDArray update = flatVelocity.mul(lr)) {
                flat.weights().subi(update);
            }
        }
        flat.zeroGradients();
    }

    /**
     * The flat counterpart of {@link #adaptGradient}: rescales, in place, the parts of {@code gradients} (laid out
     * like {@code trainable.weights()}) that belong to weight tensors; plain SGD leaves them as they are.
     */
    protected void adaptFlatGradient(FlatTrainable trainable, NDArray gradients) {}

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
        if (flat != null) {
            if (flatVelocity == null) {
                flatVelocity = flat.newSlot("momentum/", velocity);
            }
            return;
        }
        parameters.forEach((name, p) -> velocity.computeIfAbsent("momentum/" + name, k -> p.getArray().zerosLike()));
    }
}
