package io.streamssl.pipeline.replay;

/**
 * One sample in the replay buffer (keyed state {@value ReplayBuffer#STATE_ENTRIES}, one RocksDB entry per slot):
 * the record's image at the training size, what identifies it, how often it was used, and (minred) its
 * embedding. A Flink POJO.
 */
public class ReplayEntry {

    public String id;
    /** Where the record came from, {@code topic-partition@offset}. */
    public String position;
    public int label = -1;
    public long epoch;
    /** Uses so far: the next replay is use number {@code uses} (its augmentation seed). */
    public int uses;
    /** Arrival number at which it entered the buffer (minred's tie rule: the older goes). */
    public long sequence;
    /** The image resized to (S, S, 3), uint8 RGB: what replays are augmented from. */
    public byte[] pixels;
    /** The encoder embedding minred compares (null for the other policies). */
    public float[] embedding;

    public ReplayEntry() {}
}
