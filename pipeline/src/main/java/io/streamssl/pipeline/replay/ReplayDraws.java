package io.streamssl.pipeline.replay;

import java.util.SplittableRandom;

/**
 * The buffer's random choices as pure functions of (run seed, purpose, counter): a restored job that reaches the
 * same counter makes the same choice, with no generator state to checkpoint.
 */
final class ReplayDraws {

    /** Purposes, so the reservoir's and the replay draws' streams are unrelated. */
    static final long RESERVOIR = 0x5265_7365_7276_6f69L;
    static final long REPLAY = 0x5265_706c_6179_4472L;

    private ReplayDraws() {}

    /**
     * A seed for draw {@code counter}: SplittableRandom's 64-bit finaliser (the one its {@code split} uses) over the
     * three numbers, so neighbouring counters give unrelated generators.
     */
    static long mix(long seed, long purpose, long counter) {
        return new SplittableRandom(seed ^ Long.rotateLeft(purpose, 17)).split().nextLong() ^ stafford(counter + purpose);
    }

    /** Stafford's variant 13 of the MurmurHash3 finaliser: a bijection that spreads every input bit. */
    private static long stafford(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The slot of replay draw {@code draw} from a buffer of {@code size} entries: uniform over them. */
    static int replaySlot(long seed, long draw, int size) {
        return new SplittableRandom(mix(seed, REPLAY, draw)).nextInt(size);
    }
}
