package io.streamssl.pipeline.replay;

/**
 * The buffer's counters (keyed state {@value ReplayBuffer#STATE_COUNTERS}): with the run seed they determine
 * every later choice, so a restore continues exactly. A Flink POJO.
 */
public class ReplayCounters {

    /** Records that reached the buffer's admission rule. */
    public long arrivals;
    /** Replay draws made (the draw's seed). */
    public long draws;
    /** Entries held (slots 0 … size − 1). */
    public int size;
    /** Unspent fractions of a fresh use and of a replay, in millionths ({@link ReplayBudget}). */
    public long freshCredit;
    public long replayCredit;
    /** Samples drawn from the buffer so far, and records admitted (for metrics). */
    public long replayed;
    public long admitted;

    public ReplayCounters() {}
}
