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
    private FlatTrainable flat;
    private NDArray flatM;
    private NDArray flatV;

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
        if (flat != null) {
            flatStep(lr, weightDecay, correction1, correction2);
            return;
        }
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

    /** The per-tensor update, element for element, over the whole flat buffer (decay on weight tensors only). */
    private void flatStep(float lr, float weightDecay, float correction1, float correction2) {
        try (NDArray g = flat.gradients()) {
            if (weightDecay > 0) {
                for (NDArray w : flat.decayWeights()) {
                    w.muli(1 - lr * weightDecay);
                }
            }
            try (NDArray g1 = g.mul(1 - beta1); NDArray g2 = g.square()) {
                flatM.muli(beta1).addi(g1);
                flatV.muli(beta2).addi(g2.muli(1 - beta2));
            }
            try (NDArray vHat = flatV.div(correction2); NDArray root = vHat.sqrt();
                    NDArray step = flatM.mul(lr / correction1)) {
                root.addi(eps);
                flat.weights().subi(step.divi(root));
            }
        }
        flat.zeroGradients();
    }

    @Override
    public void useFlatBuffer(FlatTrainable trainable) {
        if (!slots.isEmpty()) {
            throw new IllegalStateException("use the flat buffer before the slots are created");
        }
        this.flat = trainable;
    }

    @Override
    public void createSlots(Map<String, Parameter> parameters) {
        if (flat != null) {
            if (flatM == null) {
                NDArray w = flat.weights();
                slots.put("adam-step", w.getManager().zeros(new Shape(1), ai.djl.ndarray.types.DataType.INT64));
                flatM = w.zerosLike();
                flatV = w.zerosLike();
                for (String name : flat.names()) {
                    slots.put("adam-m/" + name, flat.slotView(flatM, name));
                    slots.put("adam-v/" + name, flat.slotView(flatV, name));
                }
            }
            return;
        }
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
