package io.streamssl.pipeline.augment;

/**
 * Crop-and-resize with the antialiased bilinear ("triangle") filter of PIL's {@code Image.resize(BILINEAR)} and
 * PyTorch's {@code interpolate(mode="bilinear", antialias=True, align_corners=False)} — what torchvision's
 * {@code RandomResizedCrop} uses.
 *
 * <p>For an input of length {@code n} resized to {@code m}, with {@code scale = n/m}: output sample {@code i} is
 * centred at {@code c = (i + 0.5)·scale}; the filter is stretched by {@code fs = max(scale, 1)} so that
 * downscaling averages over the whole footprint (the antialiasing), giving support {@code fs}; input samples
 * {@code j ∈ [max(0, trunc(c − fs + 0.5)), min(n, trunc(c + fs + 0.5)))} get weight
 * {@code max(0, 1 − |(j − c + 0.5)/fs|)}, normalised to sum 1. When upscaling ({@code fs = 1}) this is plain
 * half-pixel bilinear interpolation with edge clamping.
 *
 * <p>Two separable passes over float rows (horizontal over the crop's rows, then vertical), with the weights
 * computed once per view rather than per pixel. Unlike PIL, the intermediate is not rounded to 8 bits: the
 * result is PyTorch's float result. A horizontal flip is folded into the horizontal pass by writing output
 * columns mirrored, which is exactly {@code hflip(resize(crop))}.
 */
public final class BilinearResampler {

    private BilinearResampler() {
    }

    /**
     * Resampling weights from {@code inLength} samples to {@code outLength}: output {@code i} reads
     * {@code count[i]} inputs from {@code first[i]} with weights {@code weights[i·taps + k]}.
     */
    public record Weights(int[] first, int[] count, float[] weights, int taps) {
    }

    /** The antialiased bilinear weights for resizing {@code inLength} samples to {@code outLength}. */
    public static Weights weights(int inLength, int outLength) {
        return weights(inLength, outLength, false);
    }

    /**
     * @param fixedTaps when the input has at least {@code taps} samples, give every output exactly {@code taps}
     *     inputs: the window is moved left where it would pass the end, and the extra inputs get weight 0 (adding
     *     {@code 0·x} leaves a float sum bit-identical). A fixed count lets the horizontal pass run unrolled code.
     */
    static Weights weights(int inLength, int outLength, boolean fixedTaps) {
        double scale = (double) inLength / outLength;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale; // bilinear support is 1, stretched by the filter scale
        int taps = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outLength];
        int[] count = new int[outLength];
        float[] weights = new float[outLength * taps];
        double[] w = new double[taps];
        for (int i = 0; i < outLength; i++) {
            double center = (i + 0.5) * scale;
            // (int) truncates toward zero, as the C code does; the max() then clamps
            int lo = Math.max((int) (center - support + 0.5), 0);
            int hi = Math.min((int) (center + support + 0.5), inLength);
            int n = hi - lo;
            double sum = 0;
            for (int k = 0; k < n; k++) {
                w[k] = Math.max(0.0, 1.0 - Math.abs((k + lo - center + 0.5) / filterScale));
                sum += w[k];
            }
            int start = fixedTaps && inLength >= taps ? Math.min(lo, inLength - taps) : lo;
            for (int k = 0; k < n; k++) {
                weights[i * taps + (lo - start) + k] = (float) (sum != 0 ? w[k] / sum : 0);
            }
            first[i] = start;
            count[i] = fixedTaps && inLength >= taps ? taps : n;
        }
        return new Weights(first, count, weights, taps);
    }

    /**
     * Resizes {@code box} of {@code src} to {@code size × size}, optionally mirrored left-right, into
     * {@code dst} (HWC floats on the 0–255 scale, length {@code size·size·3}).
     */
    public static void resizeCrop(RgbImage src, CropBox box, int size, boolean flip, float[] dst) {
        if (!box.fitsIn(src.width(), src.height())) {
            throw new IllegalArgumentException(box + " does not fit in a " + src.width() + "x" + src.height()
                    + " image");
        }
        Weights wx = weights(box.width(), size, true);
        Weights wy = weights(box.height(), size);
        ViewScratch scratch = ViewScratch.current();
        float[][] rows = scratch.grid(ViewScratch.Slot.RESAMPLE_ROWS, box.height(), size * 3);
        horizontal(src, box, size, flip, wx, rows);
        vertical(rows, size, wy, dst, scratch.line(ViewScratch.Slot.RESAMPLE_LINE, size * 3));
    }

    private static void horizontal(RgbImage src, CropBox box, int size, boolean flip, Weights wx, float[][] rows) {
        byte[] px = src.pixels();
        int[] first = wx.first();
        int[] count = wx.count();
        float[] w = wx.weights();
        int taps = wx.taps();
        // fixed-tap weights (see weights(..., true)) of the common sizes get straight-line code: 3 taps when
        // upscaling, 5 for downscaling by up to 2 (every preset's usual case)
        boolean fixed = box.width() >= taps;
        for (int y = 0; y < box.height(); y++) {
            int srcRow = ((box.top() + y) * src.width() + box.left()) * 3;
            float[] row = rows[y];
            for (int x = 0; x < size; x++) {
                float r;
                float g;
                float b;
                int p = srcRow + first[x] * 3;
                int wi = x * taps;
                if (fixed && taps == 3) {
                    float w0 = w[wi];
                    float w1 = w[wi + 1];
                    float w2 = w[wi + 2];
                    r = w0 * (px[p] & 0xFF) + w1 * (px[p + 3] & 0xFF) + w2 * (px[p + 6] & 0xFF);
                    g = w0 * (px[p + 1] & 0xFF) + w1 * (px[p + 4] & 0xFF) + w2 * (px[p + 7] & 0xFF);
                    b = w0 * (px[p + 2] & 0xFF) + w1 * (px[p + 5] & 0xFF) + w2 * (px[p + 8] & 0xFF);
                } else if (fixed && taps == 5) {
                    float w0 = w[wi];
                    float w1 = w[wi + 1];
                    float w2 = w[wi + 2];
                    float w3 = w[wi + 3];
                    float w4 = w[wi + 4];
                    r = w0 * (px[p] & 0xFF) + w1 * (px[p + 3] & 0xFF) + w2 * (px[p + 6] & 0xFF)
                            + w3 * (px[p + 9] & 0xFF) + w4 * (px[p + 12] & 0xFF);
                    g = w0 * (px[p + 1] & 0xFF) + w1 * (px[p + 4] & 0xFF) + w2 * (px[p + 7] & 0xFF)
                            + w3 * (px[p + 10] & 0xFF) + w4 * (px[p + 13] & 0xFF);
                    b = w0 * (px[p + 2] & 0xFF) + w1 * (px[p + 5] & 0xFF) + w2 * (px[p + 8] & 0xFF)
                            + w3 * (px[p + 11] & 0xFF) + w4 * (px[p + 14] & 0xFF);
                } else {
                    r = 0;
                    g = 0;
                    b = 0;
                    for (int k = 0; k < count[x]; k++, p += 3) {
                        float wk = w[wi + k];
                        r += wk * (px[p] & 0xFF);
                        g += wk * (px[p + 1] & 0xFF);
                        b += wk * (px[p + 2] & 0xFF);
                    }
                }
                int o = (flip ? size - 1 - x : x) * 3;
                row[o] = r;
                row[o + 1] = g;
                row[o + 2] = b;
            }
        }
    }

    private static void vertical(float[][] rows, int size, Weights wy, float[] dst, float[] out) {
        int[] first = wy.first();
        int[] count = wy.count();
        float[] w = wy.weights();
        int taps = wy.taps();
        int n = size * 3;
        for (int y = 0; y < size; y++) {
            // tap by tap over whole rows at the same index: a multiply-add C2 vectorises (see GaussianBlur)
            float[] src = rows[first[y]];
            float w0 = w[y * taps];
            for (int i = 0; i < n; i++) {
                out[i] = w0 * src[i];
            }
            for (int k = 1; k < count[y]; k++) {
                float wk = w[y * taps + k];
                float[] s = rows[first[y] + k];
                for (int i = 0; i < n; i++) {
                    out[i] += wk * s[i];
                }
            }
            System.arraycopy(out, 0, dst, y * n, n);
        }
    }
}
