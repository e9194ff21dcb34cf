package io.streamssl.pipeline.job;

import io.streamssl.pipeline.augment.RgbImage;

/**
 * The image the online probe sees: the whole record image resized to the view size (bilinear, pixel centres
 * aligned), with no augmentation, so probe accuracy measures the encoder, not the crop luck.
 */
final class ProbeView {

    private ProbeView() {}

    static byte[] of(RgbImage src, int size) {
        if (src.width() == size && src.height() == size) {
            return src.pixels();
        }
        byte[] out = new byte[size * size * 3];
        double sx = (double) src.width() / size;
        double sy = (double) src.height() / size;
        for (int y = 0; y < size; y++) {
            double fy = Math.max(0, (y + 0.5) * sy - 0.5);
            int y0 = Math.min((int) fy, src.height() - 1);
            int y1 = Math.min(y0 + 1, src.height() - 1);
            double wy = fy - y0;
            for (int x = 0; x < size; x++) {
                double fx = Math.max(0, (x + 0.5) * sx - 0.5);
                int x0 = Math.min((int) fx, src.width() - 1);
                int x1 = Math.min(x0 + 1, src.width() - 1);
                double wx = fx - x0;
                for (int c = 0; c < 3; c++) {
                    double v = (1 - wy) * ((1 - wx) * src.get(x0, y0, c) + wx * src.get(x1, y0, c))
                            + wy * ((1 - wx) * src.get(x0, y1, c) + wx * src.get(x1, y1, c));
                    out[(y * size + x) * 3 + c] = (byte) Math.round(v);
                }
            }
        }
        return out;
    }
}
