package io.streamssl.models.method;

import java.util.SplittableRandom;

/**
 * iBOT's masks for masked image modelling (Zhou et al. 2022, §4 and its {@code ImageFolderMask}): each image draws
 * its prediction ratio r uniformly from [ratio − var, ratio + var] (iBOT: 0.3 ± 0.2) and masks ⌊r·T⌋ of its T
 * patches (at least 1), either as blocks (BEiT's blockwise masking, iBOT's default: rectangles of at least 4
 * patches, area up to what is left to mask, aspect ratio log-uniform in [0.3, 1/0.3], until the count is reached
 * or 10 tries in a row add nothing) or as a uniformly random subset. A function of the seed alone, which a method
 * derives from the step and the view, so a resumed run masks as the uninterrupted one.
 *
 * @param masked per image and patch (row-major), 1 if masked (N × T)
 * @param counts per image, its masked patches (≥ 1)
 */
public record BlockwiseMask(float[][] masked, int[] counts) {

    private static final int MIN_BLOCK = 4;
    private static final double MIN_ASPECT = 0.3;

    /** Masks for {@code images} images of side × side patches. */
    public static BlockwiseMask sample(int images, int side, double ratio, double ratioVar, boolean blocks,
            long seed) {
        if (!(ratio - ratioVar >= 0 && ratio + ratioVar < 1)) {
            throw new IllegalArgumentException("mask ratio " + ratio + " ± " + ratioVar + " must lie in [0, 1)");
        }
        SplittableRandom random = new SplittableRandom(seed);
        int patches = side * side;
        float[][] masked = new float[images][patches];
        int[] counts = new int[images];
        for (int i = 0; i < images; i++) {
            double r = ratio - ratioVar + 2 * ratioVar * random.nextDouble();
            int target = Math.max(1, (int) (r * patches));
            int count = blocks ? blocks(masked[i], side, target, random) : 0;
            count = fillRandomly(masked[i], count, count == 0 ? target : count, random);
            counts[i] = count;
        }
        return new BlockwiseMask(masked, counts);
    }

    /** BEiT's blockwise masking of one image: returns how many patches it masked (at most {@code target}). */
    private static int blocks(float[] mask, int side, int target, SplittableRandom random) {
        int count = 0;
        int idle = 0;
        while (count < target && idle < 10) {
            int left = target - count;
            int added = 0;
            if (left >= Math.min(MIN_BLOCK, target)) {
                double area = Math.min(MIN_BLOCK, left) + random.nextDouble() * (left - Math.min(MIN_BLOCK, left));
                double aspect = Math.exp(Math.log(MIN_ASPECT) + random.nextDouble() * -2 * Math.log(MIN_ASPECT));
                int h = (int) Math.round(Math.sqrt(area * aspect));
                int w = (int) Math.round(Math.sqrt(area / aspect));
                if (h >= 1 && w >= 1 && h <= side && w <= side) {
                    int top = random.nextInt(side - h + 1);
                    int x0 = random.nextInt(side - w + 1);
                    int fresh = 0;
                    for (int y = top; y < top + h; y++) {
                        for (int x = x0; x < x0 + w; x++) {
                            fresh += mask[y * side + x] == 0 ? 1 : 0;
                        }
                    }
                    if (fresh > 0 && fresh <= left) {
                        for (int y = top; y < top + h; y++) {
                            for (int x = x0; x < x0 + w; x++) {
                                mask[y * side + x] = 1;
                            }
                        }
                        added = fresh;
                    }
                }
            }
            count += added;
            idle = added == 0 ? idle + 1 : 0;
        }
        return count;
    }

    /** Masks random unmasked patches until {@code target} are masked; returns the count. */
    private static int fillRandomly(float[] mask, int count, int target, SplittableRandom random) {
        while (count < target) {
            int t = random.nextInt(mask.length);
            if (mask[t] == 0) {
                mask[t] = 1;
                count++;
            }
        }
        return count;
    }
}
