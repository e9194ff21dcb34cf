package io.streamssl.models.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.function.Function;

/**
 * Arithmetic between a tensor and a number, with the number held in libtorch's own memory. Use it for every
 * such operation a forward pass records for backward.
 *
 * <p>Why: DJL's {@code NDArray.mul(Number)} (and {@code div}, {@code add}, {@code sub}, {@code maximum}, …)
 * wraps the number in a 0-d tensor over a Java direct buffer ({@code torch::from_blob}, which does not own the
 * memory) and closes it as soon as the op returns. Autograd keeps that tensor when the op needs it for the
 * gradient (mul, div and maximum do), and reads it again in backward; if the JVM collected in between, the
 * buffer is freed and possibly re-used, and the gradient is computed with whatever lies there now. Training
 * then depends on GC timing: DINO runs diverged at random, and every method's gradients change when a
 * collection is forced between forward and backward ({@code GradientsSurviveGarbageCollectionTest}). A number
 * made by {@code NDManager.full} lives in libtorch's reference-counted storage, which autograd keeps alive for
 * as long as it needs it, so the DJL handle can be closed at once.
 *
 * <p>Outside a recorded forward pass (optimiser updates, EMA, statistics) DJL's overloads are safe: the op
 * reads the number immediately.
 */
public final class NativeScalar {

    private NativeScalar() {}

    /** {@code x · v}. */
    public static NDArray mul(NDArray x, double v) {
        return apply(x, v, x::mul);
    }

    /** {@code x / v}. */
    public static NDArray div(NDArray x, double v) {
        return apply(x, v, x::div);
    }

    /** {@code x + v}. */
    public static NDArray add(NDArray x, double v) {
        return apply(x, v, x::add);
    }

    /** {@code x − v}. */
    public static NDArray sub(NDArray x, double v) {
        return apply(x, v, x::sub);
    }

    /** {@code max(x, v)} element-wise. */
    public static NDArray maximum(NDArray x, double v) {
        return apply(x, v, x::maximum);
    }

    /**
     * {@code op} applied to a 0-d tensor of {@code x}'s type on {@code x}'s manager holding {@code v}, in
     * libtorch-owned memory; the handle is closed at once, autograd keeps its own reference.
     */
    private static NDArray apply(NDArray x, double v, Function<NDArray, NDArray> op) {
        try (NDArray s = x.getManager().full(new Shape(), (float) v, x.getDataType())) {
            return op.apply(s);
        }
    }
}
