package io.streamssl.models.eval;

/**
 * One decoded, labelled image for {@link FeatureExtractor}.
 *
 * @param rgb height × width × 3 uint8, interleaved (HWC)
 * @param label class index
 */
public record LabeledPixels(byte[] rgb, int height, int width, int label) {

    public LabeledPixels {
        if (rgb.length != height * width * 3) {
            throw new IllegalArgumentException("an RGB image of " + height + "x" + width + " has "
                    + (height * width * 3) + " bytes, got " + rgb.length);
        }
    }
}
