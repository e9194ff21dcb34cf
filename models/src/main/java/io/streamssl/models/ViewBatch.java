package io.streamssl.models;

/**
 * A batch of augmented views as they arrive from augmentation: uint8 RGB, laid out (N, V, H, W, 3), i.e.
 * image-major, then view, then HWC pixels. Normalisation to float happens on the trainer's device.
 *
 * @param labels N labels, -1 where the image has none
 * @param probePixels optional (N, H, W, 3): each image itself, resized but not augmented, for the online
 *     probe; {@code null} makes the probe use the features of view 0
 * @param instanceIds optional N 64-bit ids of the images, equal for two uses of one image (a hash of its record
 *     key): what methods with a per-instance memory (InstDisc, PIRL) look their bank up by; {@code null} when
 *     the ids are unknown, which such a method treats as every image being new
 * @param viewTargets optional N·V pretext targets, image-major like the pixels ({@code [i * V + v]} is view v of
 *     image i): the label the augmentation gave a view (a rotation's quarter turns, a jigsaw's permutation index),
 *     {@link #NO_TARGET} for a view without one; {@code null} when no view has one
 */
public record ViewBatch(int size, int views, int height, int width, byte[] pixels, int[] labels,
        byte[] probePixels, long[] instanceIds, int[] viewTargets) {

    /** The target of a view whose augmentation gives none. */
    public static final int NO_TARGET = -1;

    public ViewBatch(int size, int views, int height, int width, byte[] pixels, int[] labels) {
        this(size, views, height, width, pixels, labels, null, null, null);
    }

    public ViewBatch(int size, int views, int height, int width, byte[] pixels, int[] labels, byte[] probePixels) {
        this(size, views, height, width, pixels, labels, probePixels, null, null);
    }

    public ViewBatch(int size, int views, int height, int width, byte[] pixels, int[] labels, byte[] probePixels,
            long[] instanceIds) {
        this(size, views, height, width, pixels, labels, probePixels, instanceIds, null);
    }

    public ViewBatch {
        long expected = (long) size * views * height * width * 3;
        if (size <= 0 || views <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("batch dimensions must be positive: N=" + size + " V=" + views
                    + " H=" + height + " W=" + width);
        }
        if (pixels.length != expected) {
            throw new IllegalArgumentException("a batch of N=" + size + " V=" + views + " " + height + "x" + width
                    + " RGB views has " + expected + " bytes, got " + pixels.length);
        }
        if (probePixels != null && probePixels.length != (long) size * height * width * 3) {
            throw new IllegalArgumentException("probe images of a batch of N=" + size + " " + height + "x" + width
                    + " need " + ((long) size * height * width * 3) + " bytes, got " + probePixels.length);
        }
        if (labels.length != size) {
            throw new IllegalArgumentException("need " + size + " labels, got " + labels.length);
        }
        if (instanceIds != null && instanceIds.length != size) {
            throw new IllegalArgumentException("need " + size + " instance ids (or none), got " + instanceIds.length);
        }
        if (viewTargets != null && viewTargets.length != (long) size * views) {
            throw new IllegalArgumentException("need N·V = " + ((long) size * views) + " view targets (or none), got "
                    + viewTargets.length);
        }
    }
}
