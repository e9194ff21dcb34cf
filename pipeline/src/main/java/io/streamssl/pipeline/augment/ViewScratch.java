package io.streamssl.pipeline.augment;

/**
 * Per-thread working memory for making views: a 224 px view needs about 3 MB of float buffers, and allocating
 * (and zeroing) them per view cost about as much as the colour jitter. Buffers only grow, to the largest view a
 * thread has made; nothing in them outlives one call, so the transforms stay stateless and thread-safe.
 *
 * <p>Each buffer has one owner (a {@link Slot}), so the stages of one view never hand each other the same array.
 */
final class ViewScratch {

    /** Who uses a buffer. */
    enum Slot { VIEW, RESAMPLE_SOURCE, RESAMPLE_ROWS, RESAMPLE_LINE, BLUR_COLUMNS, BLUR_BLURRED_COLUMNS, BLUR_ROWS, BLUR_LINE }

    private static final ThreadLocal<ViewScratch> CURRENT = ThreadLocal.withInitial(ViewScratch::new);

    private final float[][] lines = new float[Slot.values().length][];
    private final float[][][] grids = new float[Slot.values().length][][];

    private ViewScratch() {
    }

    static ViewScratch current() {
        return CURRENT.get();
    }

    /** A float array of at least {@code length}, contents undefined. */
    float[] line(Slot slot, int length) {
        float[] a = lines[slot.ordinal()];
        if (a == null || a.length < length) {
            a = new float[length];
            lines[slot.ordinal()] = a;
        }
        return a;
    }

    /** At least {@code count} arrays of at least {@code length} floats each, contents undefined. */
    float[][] grid(Slot slot, int count, int length) {
        float[][] g = grids[slot.ordinal()];
        if (g == null || g.length < count || g[0].length < length) {
            g = new float[Math.max(count, g == null ? 0 : g.length)][Math.max(length, g == null ? 0 : g[0].length)];
            grids[slot.ordinal()] = g;
        }
        return g;
    }
}
