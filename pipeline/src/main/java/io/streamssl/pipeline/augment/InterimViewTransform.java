package io.streamssl.pipeline.augment;

import java.util.SplittableRandom;

/**
 * The walking skeleton's view transform: random resized crop (scale 0.08–1, ratio 3/4–4/3, bilinear),
 * horizontal flip (p 0.5) and brightness/contrast/saturation jitter (p 0.8). Interim: the exact torchvision
 * pipelines and presets replace it.
 */
public final class InterimViewTransform implements ViewTransform {

    private final int size;

    public InterimViewTransform(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("crop size must be positive, got " + size);
        }
        this.size = size;
    }

    @Override
    public RgbImage apply(RgbImage src, SplittableRandom r) {
        int w = src.width();
        int h = src.height();
        double area = (double) w * h;
        double cw = w;
        double ch = h;
        double cx = 0;
        double cy = 0;
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (0.08 + r.nextDouble() * 0.92);
            double logRatio = Math.log(3.0 / 4) + r.nextDouble() * (Math.log(4.0 / 3) - Math.log(3.0 / 4));
            double ratio = Math.exp(logRatio);
            double tw = Math.sqrt(target * ratio);
            double th = Math.sqrt(target / ratio);
            if (tw <= w && th <= h) {
                cw = tw;
                ch = th;
                cx = r.nextDouble() * (w - tw);
                cy = r.nextDouble() * (h - th);
                break;
            }
        }
        boolean flip = r.nextDouble() < 0.5;
        boolean jitter = r.nextDouble() < 0.8;
        double brightness = jitter ? 0.6 + r.nextDouble() * 0.8 : 1;
        double contrast = jitter ? 0.6 + r.nextDouble() * 0.8 : 1;
        double saturation = jitter ? 0.6 + r.nextDouble() * 0.8 : 1;
        float[] out = new float[size * size * 3];
        double meanGray = 0;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int xo = flip ? size - 1 - x : x;
                double sx = cx + (x + 0.5) * cw / size - 0.5;
                double sy = cy + (y + 0.5) * ch / size - 0.5;
                int x0 = clamp((int) Math.floor(sx), w);
                int y0 = clamp((int) Math.floor(sy), h);
                int x1 = clamp(x0 + 1, w);
                int y1 = clamp(y0 + 1, h);
                double fx = Math.min(1, Math.max(0, sx - Math.floor(sx)));
                double fy = Math.min(1, Math.max(0, sy - Math.floor(sy)));
                double gray = 0;
                for (int c = 0; c < 3; c++) {
                    double v = (1 - fy) * ((1 - fx) * src.get(x0, y0, c) + fx * src.get(x1, y0, c))
                            + fy * ((1 - fx) * src.get(x0, y1, c) + fx * src.get(x1, y1, c));
                    v *= brightness;
                    out[(y * size + xo) * 3 + c] = (float) v;
                    gray += v * (c == 0 ? 0.299 : c == 1 ? 0.587 : 0.114);
                }
                meanGray += gray;
            }
        }
        meanGray /= size * size;
        byte[] px = new byte[out.length];
        for (int i = 0; i < out.length; i += 3) {
            double g = 0.299 * out[i] + 0.587 * out[i + 1] + 0.114 * out[i + 2];
            for (int c = 0; c < 3; c++) {
                double v = g + saturation * (out[i + c] - g);
                v = meanGray + contrast * (v - meanGray);
                px[i + c] = (byte) Math.max(0, Math.min(255, Math.round(v)));
            }
        }
        return new RgbImage(size, size, px);
    }

    private static int clamp(int v, int n) {
        return Math.max(0, Math.min(n - 1, v));
    }
}
