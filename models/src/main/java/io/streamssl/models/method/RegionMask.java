package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * The context encoder's dropped regions (Pathak et al. 2016, §3.3): per image of side S, a 0/1 mask over its
 * pixels, 1 where the region is removed. Two of the paper's shapes: the central square (side S/2, a quarter of the
 * image) and random blocks (possibly overlapping squares of side {@code block} at random places, added until one
 * more would take the removed area past {@code coverage} of the image, the paper's "up to 1/4"; at least one).
 * Random blocks are a function of the step alone (a generator seeded from it, as MAE's {@link PatchMask}), a
 * different draw for every image, so a resumed run masks exactly as the uninterrupted one.
 *
 * @param masked per image, row-major over (S, S), 1 = removed
 * @param side S
 */
public record RegionMask(float[][] masked, int side) {

    /** The central square of side S/2 in every image. */
    public static RegionMask central(int images, int side) {
        float[][] out = new float[images][side * side];
        int from = side / 4;
        int to = from + side / 2;
        for (float[] m : out) {
            for (int y = from; y < to; y++) {
                for (int x = from; x < to; x++) {
                    m[y * side + x] = 1;
                }
            }
        }
        return new RegionMask(out, side);
    }

    /** Random blocks of side {@code block} covering up to {@code coverage} of each image, drawn for {@code step}. */
    public static RegionMask randomBlocks(int images, int side, int block, double coverage, long step) {
        if (block < 1 || block > side) {
            throw new IllegalArgumentException("a block's side must be in [1, " + side + "], got " + block);
        }
        SplittableRandom random = new SplittableRandom(0x43544558L ^ (step * 0x9E3779B97F4A7C15L));
        int limit = (int) Math.floor(coverage * side * side);
        float[][] out = new float[images][side * side];
        for (float[] m : out) {
            int covered = 0;
            // each try adds one block unless it would overshoot; the tries are bounded so tiny blocks end too
            for (int tries = 0; tries < 4 * side * side; tries++) {
                int y0 = random.nextInt(side - block + 1);
                int x0 = random.nextInt(side - block + 1);
                int added = 0;
                for (int y = y0; y < y0 + block; y++) {
                    for (int x = x0; x < x0 + block; x++) {
                        added += m[y * side + x] == 0 ? 1 : 0;
                    }
                }
                if (covered > 0 && covered + added > limit) {
                    break;
                }
                for (int y = y0; y < y0 + block; y++) {
                    for (int x = x0; x < x0 + block; x++) {
                        m[y * side + x] = 1;
                    }
                }
                covered += added;
            }
        }
        return new RegionMask(out, side);
    }

    /** The mask as an (N, 1, S, S) float array of {@code m}. */
    public NDArray toArray(NDManager m) {
        float[] flat = new float[masked.length * side * side];
        for (int i = 0; i < masked.length; i++) {
            System.arraycopy(masked[i], 0, flat, i * side * side, side * side);
        }
        return m.create(flat, new Shape(masked.length, 1, side, side));
    }

    /** The removed fraction of image {@code i}. */
    public double coverage(int i) {
        double s = 0;
        for (float v : masked[i]) {
            s += v;
        }
        return s / masked[i].length;
    }
}
