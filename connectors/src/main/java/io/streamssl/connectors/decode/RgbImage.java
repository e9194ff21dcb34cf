package io.streamssl.connectors.decode;

/**
 * A decoded image: 8-bit RGB, row-major HWC ({@code pixels[(y·width + x)·3 + c]}). What {@link ImageDecoder}
 * makes and the pipeline's augmentation turns into views; needs no Flink type.
 */
public record RgbImage(int width, int height, byte[] pixels) {

    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image dimensions must be positive, got " + width + "x" + height);
        }
        if (pixels.length != width * height * 3) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB image has " + (width * height * 3)
                    + " bytes, got " + pixels.length);
        }
    }

    /** Channel {@code c} of pixel (x, y), 0–255. */
    public int get(int x, int y, int c) {
        return pixels[(y * width + x) * 3 + c] & 0xFF;
    }
}
