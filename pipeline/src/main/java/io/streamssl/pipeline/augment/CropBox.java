package io.streamssl.pipeline.augment;

/**
 * An integer crop rectangle inside an image, in torchvision's {@code (i, j, h, w)} order: top row, left column,
 * height, width.
 */
public record CropBox(int top, int left, int height, int width) {

    public CropBox {
        if (top < 0 || left < 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("a crop box needs top, left >= 0 and a positive size, got top=" + top
                    + " left=" + left + " " + width + "x" + height);
        }
    }

    /** Whether the box lies inside a {@code width × height} image. */
    public boolean fitsIn(int imageWidth, int imageHeight) {
        return left + width <= imageWidth && top + height <= imageHeight;
    }
}
