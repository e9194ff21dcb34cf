package io.streamssl.pipeline.augment;

import io.streamssl.connectors.decode.RgbImage;
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
     * {@code count[i]} inputs from {@code first[i]} with weights {@code weights[i·taps + k]}. {@code window} is
     * the common count when every output reads the same number of inputs (see
     * {@link #weights(int, int, boolean)}), else 0.
     */
    public record Weights(int[] first, int[] count, float[] weights, int taps, int window) {
    }

    /** The antialiased bilinear weights for resizing {@code inLength} samples to {@code outLength}. */
    public static Weights weights(int inLength, int outLength) {
        return weights(inLength, outLength, false);
    }

    /**
     * @param fixedWindow give every output the same number of inputs, the largest any output needs, when the
     *     input is that long: windows that would pass the end move left and the inputs they gain get weight 0
     *     (adding {@code 0·x} leaves a float sum bit-identical). A fixed count lets the horizontal pass run
     *     straight-line code; it is also smaller than {@code taps}, the bound used for the array stride (e.g. 3
     *     rather than 5 inputs for 256 → 224).
     */
    static Weights weights(int inLength, int outLength, boolean fixedWindow) {
        double scale = (double) inLength / outLength;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale; // bilinear support is 1, stretched by the filter scale
        int taps = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outLength];
        int[] count = new int[outLength];
        double[] w = new double[outLength * taps];
        int widest = 0;
        for (int i = 0; i < outLength; i++) {
            double center = (i + 0.5) * scale;
            // (int) truncates toward zero, as the C code does; the max() then clamps
            int lo = Math.max((int) (center - support + 0.5), 0);
            int hi = Math.min((int) (center + support + 0.5), inLength);
            int n = hi - lo;
            double sum = 0;
            for (int k = 0; k < n; k++) {
                w[i * taps + k] = Math.max(0.0, 1.0 - Math.abs((k + lo - center + 0.5) / filterScale));
                sum += w[i * taps + k];
            }
            for (int k = 0; k < n; k++) {
                w[i * taps + k] = sum != 0 ? w[i * taps + k] / sum : 0;
            }
            first[i] = lo;
            count[i] = n;
            widest = Math.max(widest, n);
        }
        boolean fixed = fixedWindow && inLength >= widest;
        float[] weights = new float[outLength * taps];
        for (int i = 0; i < outLength; i++) {
            int start = fixed ? Math.min(first[i], inLength - widest) : first[i];
            for (int k = 0; k < count[i]; k++) {
                weights[i * taps + (first[i] - start) + k] = (float) w[i * taps + k];
            }
            first[i] = start;
            if (fixed) {
                count[i] = widest;
            }
        }
        return new Weights(first, count, weights, taps, fixed ? widest : 0);
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
        // fixed windows (see weights(..., true)) of the common widths get straight-line code: 2 inputs when
        // upscaling, 3–5 when downscaling by up to 2 (every preset's usual case)
        int window = wx.window();
        int rowLength = box.width() * 3;
        // each source row is widened to floats once, rather than once per tap that reads it (2–5 times)
        float[] in = ViewScratch.current().line(ViewScratch.Slot.RESAMPLE_SOURCE, rowLength);
        for (int y = 0; y < box.height(); y++) {
            int srcRow = ((box.top() + y) * src.width() + box.left()) * 3;
            for (int i = 0; i < rowLength; i++) {
                in[i] = px[srcRow + i] & 0xFF;
            }
            float[] row = rows[y];
            for (int x = 0; x < size; x++) {
                int p = first[x] * 3;
                int wi = x * taps;
                int o = (flip ? size - 1 - x : x) * 3;
                for (int c = 0; c < 3; c++, p++) {
                    float v;
                    switch (window) {
                        case 2 -> v = w[wi] * in[p] + w[wi + 1] * in[p + 3];
                        case 3 -> v = w[wi] * in[p] + w[wi + 1] * in[p + 3] + w[wi + 2] * in[p + 6];
                        case 4 -> v = w[wi] * in[p] + w[wi + 1] * in[p + 3] + w[wi + 2] * in[p + 6]
                                + w[wi + 3] * in[p + 9];
                        case 5 -> v = w[wi] * in[p] + w[wi + 1] * in[p + 3] + w[wi + 2] * in[p + 6]
                                + w[wi + 3] * in[p + 9] + w[wi + 4] * in[p + 12];
                        default -> {
                            v = 0;
                            for (int k = 0, q = p; k < count[x]; k++, q += 3) {
                                v += w[wi + k] * in[q];
                            }
                        }
                    }
                    row[o + c] = v;
                }
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
