package io.streamssl.models.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.ByteBuffer;

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
            ByteBuffer data = src.toByteBuffer();
            target.set(data);
        }
    }
}
