package io.streamssl.pipeline.job;

import io.streamssl.connectors.decode.RgbImage;
import io.streamssl.pipeline.augment.BilinearResampler;
import io.streamssl.pipeline.augment.CropBox;

/**
 * The image the online probe sees: the whole record image resized to the view size (antialiased bilinear),
 * with no augmentation, so probe accuracy measures the encoder, not the luck of the crop. Held-out evaluation
 * ({@code streamssl eval}) sees its images the same way.
 */
public final class ProbeView {

    private ProbeView() {}

    public static byte[] of(RgbImage src, int size) {
        if (src.width() == size && src.height() == size) {
            return src.pixels();
        }
        float[] resized = new float[size * size * 3];
        BilinearResampler.resizeCrop(src, new CropBox(0, 0, src.height(), src.width()), size, false, resized);
        byte[] out = new byte[resized.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Math.max(0, Math.min(255, Math.round(resized[i])));
        }
        return out;
    }
}
