package io.streamssl.pipeline.replay;

import java.util.SplittableRandom;

/**
 * Reservoir sampling (Vitter 1985, algorithm R): after n arrivals every one of them is in the buffer with
 * probability capacity / n. Arrival n (0-based) beyond the capacity draws j uniformly from [0, n] and replaces
 * slot j when j < capacity. The draw is seeded by (run seed, n) alone, so it needs no generator state.
 */
final class ReservoirRule implements EvictionRule {

    private final int capacity;
    private final long seed;

    ReservoirRule(int capacity, long seed) {
        this.capacity = capacity;
        this.seed = seed;
    }

    @Override
    public int slotFor(long arrivals, int size, float[] embedding) {
        if (size < capacity) {
            return size;
        }
        long j = new SplittableRandom(ReplayDraws.mix(seed, ReplayDraws.RESERVOIR, arrivals)).nextLong(arrivals + 1);
        return j < capacity ? (int) j : REJECT;
    }
}
