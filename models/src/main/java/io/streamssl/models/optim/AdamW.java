package io.streamssl.models.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov &amp; Hutter 2019, "Decoupled Weight Decay Regularization"), the optimiser of DINO and
 * MoCo v3 for vision transformers: {@code m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
 * w ← w − lr·λ·w − lr·m̂/(√v̂ + ε)} with bias-corrected m̂, v̂. The decay is decoupled from the gradient and,
 * as in DINO, skips biases and normalisation parameters (1-D tensors).
 *
 * <p>Slots: {@code adam-m/…}, {@code adam-v/…} per parameter and {@code adam-step}, the step count used for bias
 * correction. Valid values: β₁, β₂ in [0, 1), ε &gt; 0.
 */
public final class AdamW implements ParameterOptimizer {

    private final float beta1;
    private final float beta2;
    private final float eps;
    private final Map<String, NDArray> slots = new LinkedHashMap<>();

    public AdamW(float beta1, float beta2, float eps) {
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("adamw betas must be in [0, 1) (0.9, 0.999), got " + beta1 + ", "
                    + beta2);
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("adamw epsilon must be > 0 (1e-8), got " + eps);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    @Override
    public void step(Map<String, Parameter> parameters, float lr, float weightDecay) {
        if (weightDecay < 0) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
        createSlots(parameters);
        NDArray count = slots.get("adam-step");
        long t = count.getLong(0) + 1;
        count.set(new long[] {t});
        float correction1 = (float) (1 - Math.pow(beta1, t));
        float correction2 = (float) (1 - Math.pow(beta2, t));
        parameters.forEach((name, p) -> {
            NDArray w = p.getArray();
            try (NDArray g = w.getGradient()) {
                if (weightDecay > 0 && !ParameterOptimizer.isBiasOrNorm(w)) {
                    w.muli(1 - lr * weightDecay);
                }
                NDArray m = slots.get("adam-m/" + name);
                NDArray v = slots.get("adam-v/" + name);
                try (NDArray g1 = g.mul(1 - beta1); NDArray g2 = g.square()) {
                    m.muli(beta1).addi(g1);
                    v.muli(beta2).addi(g2.muli(1 - beta2));
                }
                try (NDArray vHat = v.div(correction2); NDArray root = vHat.sqrt();
                        NDArray step = m.mul(lr / correction1)) {
                    root.addi(eps);
                    w.subi(step.divi(root));
                }
                g.muli(0);
            }
        });
    }

    @Override
    public void createSlots(Map<String, Parameter> parameters) {
        if (parameters.isEmpty()) {
            return;
        }
        NDManager manager = parameters.values().iterator().next().getArray().getManager();
        slots.computeIfAbsent("adam-step", k -> manager.zeros(new Shape(1), ai.djl.ndarray.types.DataType.INT64));
        parameters.forEach((name, p) -> {
            slots.computeIfAbsent("adam-m/" + name, k -> p.getArray().zerosLike());
            slots.computeIfAbsent("adam-v/" + name, k -> p.getArray().zerosLike());
        });
    }

    @Override
    public Map<String, NDArray> slots() {
        return slots;
    }
}
