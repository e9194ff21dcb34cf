package io.streamssl.models.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.Map;

/**
 * Updates parameters from their gradients. Unlike DJL's optimizers, its slots (momentum buffers …) are named
 * and exposed by {@link #slots()}, so they can be checkpointed and restored bit-exactly.
 */
public interface ParameterOptimizer {

    /** Applies one update with learning rate {@code lr} and zeroes the gradients. */
    void step(Map<String, Parameter> parameters, float lr);

    /** Every state tensor by a stable name, created on first use. */
    Map<String, NDArray> slots();
}
