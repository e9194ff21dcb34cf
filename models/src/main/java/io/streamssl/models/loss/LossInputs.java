package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;

/** Checks of a loss's inputs and hyper-parameters; each message names the loss and the offending value. */
final class LossInputs {

    private LossInputs() {}

    /** Fails unless {@code x} is (N, d) with N ≥ {@code minRows}. */
    static void requireMatrix(String loss, String what, NDArray x, int minRows) {
        if (x.getShape().dimension() != 2) {
            throw new IllegalArgumentException(loss + ": " + what + " must be (N, d), got " + x.getShape());
        }
        if (x.getShape().get(0) < minRows) {
            throw new IllegalArgumentException(loss + ": " + what + " needs at least " + minRows
                    + " rows (batch size), got " + x.getShape().get(0));
        }
    }

    static void requireSameShape(String loss, NDArray a, NDArray b) {
        if (!a.getShape().equals(b.getShape())) {
            throw new IllegalArgumentException(
                    loss + ": both inputs must have the same shape, got " + a.getShape() + " and " + b.getShape());
        }
    }

    /** A temperature must be a positive finite number. */
    static void requireTemperature(String loss, String name, double t) {
        if (!(t > 0 && Double.isFinite(t))) {
            throw new IllegalArgumentException(loss + ": " + name + " must be > 0, got " + t);
        }
    }
}
