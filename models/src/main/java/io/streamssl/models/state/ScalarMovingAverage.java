package io.streamssl.models.state;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/**
 * A running mean of one number, {@code m ← decay·m + (1 − decay)·x} once per step, held in a (1) float tensor so
 * that it checkpoints with the rest of the state: OBoW's mean distance to the nearest visual word, which sets
 * the sharpness of its soft assignment (decay 0.99, start 0.5, as the released code). {@link #next} gives the
 * value after one more update without making it, so a forward pass can use it and the step commit it later.
 * Valid decay: [0, 1).
 */
public final class ScalarMovingAverage implements TensorState {

    private final String name;
    private final NDArray value; // (1) float32
    private final double decay;

    public ScalarMovingAverage(String name, NDManager manager, double initial, double decay) {
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException(name + ": decay must be in [0, 1), got " + decay);
        }
        this.name = name;
        this.value = manager.create(new float[] {(float) initial});
        this.decay = decay;
    }

    public float value() {
        return value.getFloat(0);
    }

    /**
     * The value after an update with {@code x}, in float arithmetic as stored; nothing changes. A non-finite
     * {@code x} (from a poisoned batch) gives a non-finite value: the step's loss is then not finite either and the
     * trainer skips the step without storing it.
     */
    public float next(double x) {
        return (float) (decay * value() + (1 - decay) * x);
    }

    /** Stores {@code v}, a value {@link #next} gave. */
    public void set(float v) {
        value.set(new float[] {v});
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        return Map.of("value", value);
    }
}
