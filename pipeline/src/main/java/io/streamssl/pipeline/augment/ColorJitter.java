package io.streamssl.pipeline.augment;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * torchvision's {@code ColorJitter(brightness, contrast, saturation, hue)}: per sample, the four adjustments in
 * a random order ({@code randperm(4)}), each with a factor drawn uniformly from
 * <ul>
 *   <li>brightness {@code b ~ U(max(0, 1−B), 1+B)}: {@code x ← clamp(b·x)};</li>
 *   <li>contrast {@code c ~ U(max(0, 1−C), 1+C)}: {@code x ← clamp(c·x + (1−c)·m)}, {@code m} the mean of the
 *       image's grayscale ({@link Grayscale#luma});</li>
 *   <li>saturation {@code s ~ U(max(0, 1−S), 1+S)}: {@code x ← clamp(s·x + (1−s)·gray(pixel))};</li>
 *   <li>hue {@code h ~ U(−H, H)}, {@code H ≤ 0.5}: RGB → HSV, {@code hue ← (hue + h) mod 1}, HSV → RGB, with
 *       torchvision's {@code _rgb2hsv}/{@code _hsv2rgb} (saturation and value are kept).</li>
 * </ul>
 * An adjustment whose strength is 0 is skipped and draws no factor, as in torchvision. Pixels are HWC floats on
 * the 0–255 scale and clamping is to [0, 255] after every adjustment (torchvision's {@code _blend}), so the
 * result is the float-tensor result, rounded once at the end of the view. Immutable and thread-safe.
 */
public final class ColorJitter implements ViewOp {

    /** The four adjustments, in torchvision's {@code fn_idx} numbering. */
    public enum Adjustment { BRIGHTNESS, CONTRAST, SATURATION, HUE }

    /** The factors drawn for one sample, and the order to apply them in. */
    public record Factors(List<Adjustment> order, double brightness, double contrast, double saturation,
            double hue) {
    }

    private final double brightness;
    private final double contrast;
    private final double saturation;
    private final double hue;

    /**
     * @param brightness B ≥ 0
     * @param contrast C ≥ 0
     * @param saturation S ≥ 0
     * @param hue H in [0, 0.5]
     */
    public ColorJitter(double brightness, double contrast, double saturation, double hue) {
        if (!(brightness >= 0 && contrast >= 0 && saturation >= 0)) {
            throw new IllegalArgumentException("brightness, contrast and saturation must be >= 0, got " + brightness
                    + ", " + contrast + ", " + saturation);
        }
        if (!(hue >= 0 && hue <= 0.5)) {
            throw new IllegalArgumentException("hue must be in [0, 0.5], got " + hue);
        }
        this.brightness = brightness;
        this.contrast = contrast;
        this.saturation = saturation;
        this.hue = hue;
    }

    public double brightness() {
        return brightness;
    }

    public double contrast() {
        return contrast;
    }

    public double saturation() {
        return saturation;
    }

    public double hue() {
        return hue;
    }

    /** Draws the order and factors for one sample (torchvision's {@code get_params}). */
    public Factors sample(SplittableRandom random) {
        Adjustment[] order = Adjustment.values().clone();
        for (int i = order.length - 1; i > 0; i--) { // Fisher–Yates: each of the 24 orders equally likely
            int j = random.nextInt(i + 1);
            Adjustment t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        double b = brightness > 0 ? uniform(random, Math.max(0, 1 - brightness), 1 + brightness) : 1;
        double c = contrast > 0 ? uniform(random, Math.max(0, 1 - contrast), 1 + contrast) : 1;
        double s = saturation > 0 ? uniform(random, Math.max(0, 1 - saturation), 1 + saturation) : 1;
        double h = hue > 0 ? uniform(random, -hue, hue) : 0;
        return new Factors(List.of(order), b, c, s, h);
    }

    /** Draws the order and factors ({@link #sample}), then applies them. */
    @Override
    public void apply(float[] px, int size, SplittableRandom random) {
        apply(px, size * size, sample(random));
    }

    @Override
    public ViewPipeline.Stage stage() {
        return ViewPipeline.Stage.COLOR_JITTER;
    }

    /** Applies {@code factors} to the first {@code pixels} pixels of {@code px} in their order. */
    public void apply(float[] px, int pixels, Factors factors) {
        for (Adjustment a : factors.order()) {
            switch (a) {
                case BRIGHTNESS -> {
                    if (brightness > 0) {
                        adjustBrightness(px, pixels, factors.brightness());
                    }
                }
                case CONTRAST -> {
                    if (contrast > 0) {
                        adjustContrast(px, pixels, factors.contrast());
                    }
                }
                case SATURATION -> {
                    if (saturation > 0) {
                        adjustSaturation(px, pixels, factors.saturation());
                    }
                }
                case HUE -> {
                    if (hue > 0) {
                        adjustHue(px, pixels, factors.hue());
                    }
                }
                default -> throw new IllegalStateException("unknown adjustment " + a);
            }
        }
    }

    /** {@code x ← min(255, f·x)} (a blend with black). */
    public static void adjustBrightness(float[] px, int pixels, double factor) {
        float f = (float) factor;
        int n = pixels * 3;
        if (f <= 1f) { // cannot leave [0, 255]: no clamp (see adjustSaturation)
            for (int i = 0; i < n; i++) {
                px[i] = f * px[i];
            }
        } else {
            for (int i = 0; i < n; i++) {
                px[i] = Math.min(255f, f * px[i]);
            }
        }
    }

    /** {@code x ← clamp(f·x + (1−f)·m)}, {@code m} the mean grayscale value of the image. */
    public static void adjustContrast(float[] px, int pixels, double factor) {
        double sum = 0;
        for (int i = 0, n = pixels * 3; i < n; i += 3) {
            sum += Grayscale.luma(px[i], px[i + 1], px[i + 2]);
        }
        float f = (float) factor;
        float offset = (float) ((1 - factor) * sum / pixels);
        int n = pixels * 3;
        if (f <= 1f) { // a convex blend of values in [0, 255]: no clamp (see adjustSaturation)
            for (int i = 0; i < n; i++) {
                px[i] = f * px[i] + offset;
            }
        } else {
            for (int i = 0; i < n; i++) {
                px[i] = clamp(f * px[i] + offset);
            }
        }
    }

    /**
     * {@code x ← clamp(f·x + (1−f)·gray)} per pixel (a blend with the pixel's grayscale). For {@code f ≤ 1} the
     * blend is a convex combination of two values in [0, 255] and the clamp is skipped: half the draws, and the
     * clamps (Math.min/max on floats) were half the cost of this stride-3 loop, which C2 does not vectorise.
     */
    public static void adjustSaturation(float[] px, int pixels, double factor) {
        float f = (float) factor;
        float g1 = 1 - f;
        if (f <= 1f) {
            for (int i = 0, n = pixels * 3; i < n; i += 3) {
                float gray = g1 * Grayscale.luma(px[i], px[i + 1], px[i + 2]);
                px[i] = f * px[i] + gray;
                px[i + 1] = f * px[i + 1] + gray;
                px[i + 2] = f * px[i + 2] + gray;
            }
            return;
        }
        for (int i = 0, n = pixels * 3; i < n; i += 3) {
            float gray = g1 * Grayscale.luma(px[i], px[i + 1], px[i + 2]);
            px[i] = clamp(f * px[i] + gray);
            px[i + 1] = clamp(f * px[i + 1] + gray);
            px[i + 2] = clamp(f * px[i + 2] + gray);
        }
    }

    /**
     * Rotates every pixel's hue by {@code shift} turns (in [−0.5, 0.5]); torchvision's {@code adjust_hue} for float
     * tensors. Gray pixels (max = min) have no hue and are unchanged.
     *
     * <p>torchvision converts to HSV ({@code _rgb2hsv}), adds the shift to the hue and converts back
     * ({@code _hsv2rgb}). In sixths of a turn the hue is {@code u = s + f}: the sector {@code s} is fixed by the
     * channel order (R≥G≥B is 0, G≥R≥B 1, G≥B≥R 2, B≥G≥R 3, B≥R≥G 4, R≥B≥G 5) and the fraction is
     * {@code f = (mid − min)/C} in even sectors, {@code (max − mid)/C} in odd ones, {@code C = max − min}. The way
     * back puts V = max and p = min into the channels the sector names and {@code min + C·f} (even) or
     * {@code max − C·f} (odd) into the third. A rotation keeps max and min; with the shift split into whole
     * sectors {@code D} and a fraction {@code δ}, the new sector is {@code s + D} plus a carry when
     * {@code f + δ ≥ 1}, and the new {@code C·f' = C·f + C·δ − carry·C}: no division is needed. The channel
     * order becomes a 3-bit code and every case an index into small tables, so the loop has no data-dependent
     * branch (on textured images about every other pixel would mispredict).
     */
    public static void adjustHue(float[] px, int pixels, double shift) {
        double turns = shift * 6.0;
        turns -= 6.0 * Math.floor(turns / 6.0); // into [0, 6)
        int whole = Math.min(5, (int) turns);
        float delta = (float) (turns - whole);
        for (int i = 0, n = pixels * 3; i < n; i += 3) {
            float r = px[i];
            float g = px[i + 1];
            float b = px[i + 2];
            int code = (r >= g ? 4 : 0) | (r >= b ? 2 : 0) | (g >= b ? 1 : 0);
            float max = px[i + ORDER_MAX[code]];
            float mid = px[i + ORDER_MID[code]];
            float min = px[i + ORDER_MIN[code]];
            float chroma = max - min;
            int sector = ORDER_SECTOR[code];
            float even = EVEN[sector];
            float cf = even * (mid - min) + (1f - even) * (max - mid) + chroma * delta; // C·(f + δ)
            int carry = cf >= chroma ? 1 : 0; // gray (C = 0) carries too, harmlessly: all three values are equal
            cf -= carry * chroma;
            int to = MOD6[sector + whole + carry];
            float evenTo = EVEN[to];
            px[i + SECTOR_MAX[to]] = max;
            px[i + SECTOR_MID[to]] = evenTo * (min + cf) + (1f - evenTo) * (max - cf);
            px[i + SECTOR_MIN[to]] = min;
        }
    }

    // By comparison code (r≥g)·4 + (r≥b)·2 + (g≥b): the channels holding max, mid and min, and the HSV sector.
    // Codes 2 and 5 cannot occur. Ties land on a sector boundary, where both neighbours give the same colour.
    private static final int[] ORDER_MAX = {2, 1, 0, 1, 2, 0, 0, 0};
    private static final int[] ORDER_MID = {1, 2, 1, 0, 0, 1, 2, 1};
    private static final int[] ORDER_MIN = {0, 0, 2, 2, 1, 2, 1, 2};
    private static final int[] ORDER_SECTOR = {3, 2, 0, 1, 4, 0, 5, 0};
    // By HSV sector: the channels receiving max, the middle value and min ((v,t,p), (q,v,p), (p,v,t), (p,q,v),
    // (t,p,v), (v,p,q) in _hsv2rgb), and whether the middle value rises (even) or falls (odd) with the hue
    private static final int[] SECTOR_MAX = {0, 1, 1, 2, 2, 0};
    private static final int[] SECTOR_MID = {1, 0, 2, 1, 0, 2};
    private static final int[] SECTOR_MIN = {2, 2, 0, 0, 1, 1};
    private static final float[] EVEN = {1f, 0f, 1f, 0f, 1f, 0f};
    private static final int[] MOD6 = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5};

    /** Clamps to [0, 255]; Math.min/max rather than branches, so that C2 can vectorise the loops using it. */
    static float clamp(float v) {
        return Math.max(0f, Math.min(255f, v));
    }

    private static double uniform(SplittableRandom random, double lo, double hi) {
        return lo + (hi - lo) * random.nextDouble();
    }

    @Override
    public String toString() {
        return "ColorJitter" + Arrays.toString(new double[] {brightness, contrast, saturation, hue});
    }
}
