package io.streamssl.pipeline.job;

import io.streamssl.connectors.decode.RgbImage;

/**
 * One image's augmented views on their way to the trainer: uint8 RGB HWC, view after view in {@link #pixels}
 * (view v is {@code viewSizes[v]²·3} bytes; multi-crop views differ in size), 4× smaller than float and
 * normalised on the trainer's device. A Flink POJO.
 */
public class TrainingSample {

    public String id;
    /** Where the record came from, {@code topic-partition@offset}: what a dead letter of the trainer points at. */
    public String position;
    /** Class index, or -1. */
    public int label = -1;
    public long epoch;
    public int views;
    /** Side of the first (global) views, which the probe image also has. */
    public int size;
    public int[] viewSizes;
    public byte[] pixels;
    /**
     * For labelled images: the image itself resized to (S, S, 3), not augmented, for the online probe. With reuse
     * ({@code replay.*}) every sample has it: replays and repeated uses are augmented from it.
     */
    public byte[] probe;
    /**
     * The pretext target of each view ({@link io.streamssl.pipeline.augment.MultiViewAugmenter#targets}), -1 for a
     * view without one, or {@code null} when the augmentation makes none.
     */
    public int[] viewTargets;
    /** Use number of this sample's views: 0 for a record's first use, k for its k-th reuse. */
    public int uses;
    /** Drawn from the replay buffer: its slot there, else -1. */
    public int replaySlot = -1;
    /** For a replay: the entry's arrival number, to tell it from a later entry in the same slot. */
    public long replaySequence;

    public TrainingSample() {}

    /** A sample of {@code views}, laid out one after the other. */
    public static TrainingSample of(String id, String position, int label, long epoch, int size, int[] viewSizes,
            RgbImage[] views, byte[] probe) {
        TrainingSample s = new TrainingSample();
        s.id = id;
        s.position = position;
        s.label = label;
        s.epoch = epoch;
        s.views = views.length;
        s.size = size;
        s.viewSizes = viewSizes;
        int total = 0;
        for (RgbImage v : views) {
            total += v.pixels().length;
        }
        s.pixels = new byte[total];
        for (int v = 0, offset = 0; v < views.length; offset += views[v].pixels().length, v++) {
            System.arraycopy(views[v].pixels(), 0, s.pixels, offset, views[v].pixels().length);
        }
        s.probe = probe;
        return s;
    }

    /** Drawn from the replay buffer (not a fresh record or a repeat of one). */
    public boolean replayed() {
        return replaySlot >= 0;
    }
}
