package io.streamssl.pipeline.job;

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
    /** For labelled images: the image itself resized to (S, S, 3), not augmented, for the online probe. */
    public byte[] probe;

    public TrainingSample() {}
}
