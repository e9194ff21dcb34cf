package io.streamssl.pipeline.job;

/**
 * One image's augmented views on their way to the trainer: uint8 RGB, (V, S, S, 3) in {@link #pixels}
 * (4× smaller than float; normalised on the trainer's device). A Flink POJO.
 */
public class TrainingSample {

    public String id;
    /** Class index, or -1. */
    public int label = -1;
    public long epoch;
    public int views;
    public int size;
    public byte[] pixels;
    /** For labelled images: the image itself resized to (S, S, 3), not augmented, for the online probe. */
    public byte[] probe;

    public TrainingSample() {}
}
