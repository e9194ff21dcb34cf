package io.streamssl.models.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.Locale;
import java.util.Map;

/**
 * Updates parameters from their gradients. Unlike DJL's optimizers, its slots (momentum buffers …) are named
 * and exposed by {@link #slots()}, so they can be checkpointed and restored bit-exactly. Learning rate and
 * weight decay are given per step, so that both can follow a schedule.
 *
 * <p>Every optimiser here leaves biases and normalisation parameters (1-D tensors) out of weight decay (and
 * LARS out of its adaptation), as the SSL reference code does.
 */
public interface ParameterOptimizer {

    /** The optimiser names users select: {@code sgd}, {@code lars}, {@code adamw}. */
    String NAMES = "sgd, lars, adamw";

    /** Applies one update with learning rate {@code lr} and weight decay {@code weightDecay}, zeroing the gradients. */
    void step(Map<String, Parameter> parameters, float lr, float weightDecay);

    /** Creates every slot now, so that a restore has tensors to copy into before the first step. */
    void createSlots(Map<String, Parameter> parameters);

    /**
     * From now on, update {@code trainable}'s flat buffer with a few operators over the whole buffer (results
     * equal to the per-tensor path); the slots become views of flat slot buffers under the same names. Call
     * before {@link #createSlots}; {@link #step}'s map is then not consulted.
     */
    void useFlatBuffer(FlatTrainable trainable);

    /** Every state tensor by a stable name. */
    Map<String, NDArray> slots();

    /**
     * An optimiser by name with the usual SSL settings: {@code sgd} (momentum {@code momentum}), {@code lars}
     * (momentum {@code momentum}, trust coefficient {@code larsEta}), {@code adamw} (β = 0.9, 0.999).
     */
    static ParameterOptimizer create(String name, double momentum, double larsEta) {
        return create(name, momentum, larsEta, 0.9, 0.999);
    }

    /** As {@link #create(String, double, double)}, with AdamW's betas {@code adamBeta1}, {@code adamBeta2}. */
    static ParameterOptimizer create(String name, double momentum, double larsEta, double adamBeta1,
            double adamBeta2) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "sgd":
                return new SgdMomentum((float) momentum);
            case "lars":
                return new Lars((float) momentum, (float) larsEta);
            case "adamw":
                return new AdamW((float) adamBeta1, (float) adamBeta2, 1e-8f);
            default:
                throw new IllegalArgumentException("unknown optimizer '" + name + "': allowed are " + NAMES);
        }
    }

    /** Biases and normalisation parameters: excluded from weight decay and from LARS adaptation. */
    static boolean isBiasOrNorm(NDArray w) {
        return w.getShape().dimension() <= 1;
    }
}
