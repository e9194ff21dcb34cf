package io.streamssl.models.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * Bytes for one tensor and back, bit-exact: DJL's encoding (shape, data type, raw little-endian data). This
 * is the unit a checkpoint stores, one entry per tensor.
 */
public final class TensorCodec {

    private TensorCodec() {}

    public static byte[] encode(NDArray array) {
        return array.encode();
    }

    /** Decodes into a new array owned by {@code manager}. */
    public static NDArray decode(NDManager manager, byte[] bytes) {
        return NDArray.decode(manager, bytes);
    }

    /**
     * Overwrites {@code target} in place with the decoded tensor, keeping its identity (so blocks and
     * optimizers that hold it see the new values). Shapes and types must match.
     */
    public static void copyInto(NDArray target, byte[] bytes, NDManager scratch) {
        try (NDArray src = decode(scratch, bytes)) {
            if (!src.getShape().equals(target.getShape()) || src.getDataType() != target.getDataType()) {
                throw new IllegalArgumentException("stored tensor is " + src.getDataType() + src.getShape()
                        + " but the model's is " + target.getDataType() + target.getShape()
                        + ": the checkpoint was written by a different model configuration");
            }
            copy(src, target);
        }
    }

    /**
     * Copies {@code source}'s values into {@code target}'s own storage (same shape and type), with gradients
     * off. DJL's {@code set(Buffer)} would instead make a Java direct buffer {@code target}'s storage, kept
     * alive only by that one Java object and aligned as the JVM's allocator happens to place it; an in-place
     * copy keeps libtorch's allocation, so a restored model computes on memory laid out as a fresh one.
     */
    public static void copy(NDArray source, NDArray target) {
        target.set(new NDIndex("..."), source);
    }
}
