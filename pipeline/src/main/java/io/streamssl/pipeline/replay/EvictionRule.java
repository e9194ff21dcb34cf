package io.streamssl.pipeline.replay;

/**
 * Where an arriving record goes in a buffer of fixed capacity: the policy's only decision. A pure, deterministic
 * function of the arrival count, the run seed and (for {@link MinRedRule}) the embeddings it was told of, so a
 * restored job decides as the failed one did. Rules hold only what they can rebuild from the buffer's entries:
 * on restore the buffer calls {@link #written} once per stored entry.
 */
public interface EvictionRule {

    /** Not admitted: the buffer stays as it is. */
    int REJECT = -1;

    /**
     * The slot for arrival number {@code arrivals} (0-based, counting every arrival before this one, admitted or
     * not): {@code size} while the buffer is not full, else an occupied slot to overwrite or {@link #REJECT}.
     *
     * @param embedding the arrival's encoder embedding, for rules that {@link #needsEmbeddings}; else null
     */
    int slotFor(long arrivals, int size, float[] embedding);

    /**
     * Slot {@code slot} now holds an entry with this embedding (null for rules without embeddings) that entered the
     * buffer as arrival number {@code sequence} (a replayed entry whose embedding is refreshed keeps its number).
     */
    default void written(int slot, float[] embedding, long sequence) {}

    /** Whether {@link #slotFor} and {@link #written} need the entries' encoder embeddings. */
    default boolean needsEmbeddings() {
        return false;
    }

    /** The rule of {@code policy} for {@code capacity} samples. */
    static EvictionRule of(ReplayPolicy policy, int capacity, long seed) {
        return switch (policy) {
            case FIFO -> new FifoRule(capacity);
            case RESERVOIR -> new ReservoirRule(capacity, seed);
            case MINRED -> new MinRedRule(capacity);
            case NONE -> throw new IllegalArgumentException("replay.policy=none has no buffer");
        };
    }
}
