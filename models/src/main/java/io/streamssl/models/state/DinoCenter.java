package io.streamssl.models.state;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;

/**
 * DINO's centre (Caron et al. 2021, eq. 4): an exponential moving average of the teacher's outputs,
 * {@code c ← m·c + (1 − m)·mean(teacher outputs over the batch and the teacher's views)}. Subtracting it from
 * the teacher's logits stops one dimension from dominating; with sharpening this avoids collapse.
 *
 * <p>Shape (1, K), starting at zero. Valid momentum: [0, 1) (DINO: 0.9).
 */
public final class DinoCenter implements TensorState {

    private final NDArray center; // (1, K)
    private final float momentum;

    public DinoCenter(NDManager manager, int dim, double momentum) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("dino center momentum must be in [0, 1) (DINO: 0.9), got " + momentum);
        }
        this.center = manager.zeros(new Shape(1, dim));
        this.momentum = (float) momentum;
    }

    /** The centre, (1, K): live. */
    public NDArray value() {
        return center;
    }

    /** One EMA step from the teacher outputs of all teacher views of a batch, each (N, K). Gradients off. */
    public void update(Iterable<NDArray> teacherOutputs) {
        NDArray sum = null;
        long rows = 0;
        for (NDArray t : teacherOutputs) {
            NDArray s = t.stopGradient().sum(new int[] {0}, true);
            sum = sum == null ? s : sum.add(s);
            rows += t.getShape().get(0);
        }
        if (sum == null || rows == 0) {
            throw new IllegalArgumentException("dino center: no teacher outputs to update from");
        }
        NDArray batchCenter = sum.div(rows).mul(1 - momentum);
        center.muli(momentum).addi(batchCenter);
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        return Map.of("center", center);
    }
}
