package io.streamssl.pipeline.replay;

/** First in, first out: once full, arrival {@code n} overwrites arrival {@code n − capacity}. */
final class FifoRule implements EvictionRule {

    private final int capacity;

    FifoRule(int capacity) {
        this.capacity = capacity;
    }

    @Override
    public int slotFor(long arrivals, int size, float[] embedding) {
        // slots fill 0, 1, …, capacity − 1 in arrival order, so arrival n's slot is n mod capacity throughout
        return size < capacity ? size : (int) (arrivals % capacity);
    }
}
