package io.streamssl.models.method;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * MAE's per-image random masking (He et al. 2022): of each image's T patches, a uniformly random subset of
 * {@code ⌊T · (1 − ratio)⌋} stays visible, a different subset for every image. The subsets are a function of
 * the step alone (a generator seeded from it), so a resumed run masks exactly as the uninterrupted one, with no
 * generator state to checkpoint.
 *
 * @param visible per image, the visible patches' indices, ascending (N × K)
 * @param restore per image and patch position, its index in [visible…, masked…] (N × T): the decoder's un-shuffle
 * @param masked per image and patch, 1 if masked (N × T)
 */
public record PatchMask(long[][] visible, long[][] restore, float[][] masked) {

    /** The mask of step {@code step} for {@code images} images of {@code patches} patches. */
    public static PatchMask random(int images, int patches, double ratio, long step) {
        int keep = visibleCount(patches, ratio);
        SplittableRandom random = new SplittableRandom(0x4D41455FL ^ (step * 0x9E3779B97F4A7C15L));
        long[][] visible = new long[images][];
        long[][] restore = new long[images][patches];
        float[][] masked = new float[images][patches];
        for (int i = 0; i < images; i++) {
            int[] order = new int[patches];
            for (int t = 0; t < patches; t++) {
                order[t] = t;
            }
            for (int t = patches - 1; t > 0; t--) { // Fisher-Yates
                int j = random.nextInt(t + 1);
                int swap = order[t];
                order[t] = order[j];
                order[j] = swap;
            }
            int[] kept = Arrays.copyOf(order, keep);
            Arrays.sort(kept);
            boolean[] isKept = new boolean[patches];
            visible[i] = new long[keep];
            for (int k = 0; k < keep; k++) {
                visible[i][k] = kept[k];
                isKept[kept[k]] = true;
                restore[i][kept[k]] = k;
            }
            int next = keep;
            for (int t = 0; t < patches; t++) {
                if (!isKept[t]) {
                    restore[i][t] = next++;
                    masked[i][t] = 1;
                }
            }
        }
        return new PatchMask(visible, restore, masked);
    }

    /** K, the visible patches of an image: {@code ⌊T · (1 − ratio)⌋} as MAE's {@code len_keep}, at least 1. */
    public static int visibleCount(int patches, double ratio) {
        return Math.max(1, (int) (patches * (1 - ratio)));
    }
}
