package io.streamssl.models.snapshot;

/**
 * A fixed, generated RGB image (no data set needed) whose embedding a snapshot records, so anyone loading the
 * snapshot can check they get the trainer's encoder back bit for bit.
 */
public final class ReferenceImage {

    public static final String NAME = "reference-v1";

    private ReferenceImage() {}

    /** size×size×3 uint8, HWC: red rises left to right, green top to bottom, blue is a checkerboard. */
    public static byte[] pixels(int size) {
        byte[] out = new byte[size * size * 3];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int i = (y * size + x) * 3;
                out[i] = (byte) (x * 255 / Math.max(1, size - 1));
                out[i + 1] = (byte) (y * 255 / Math.max(1, size - 1));
                out[i + 2] = (byte) ((((x / 4) + (y / 4)) & 1) == 0 ? 40 : 220);
            }
        }
        return out;
    }
}
