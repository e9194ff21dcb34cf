package io.streamssl.cli.bench;

import java.util.Locale;

/**
 * How many records can be inside the job at once — taken in by decode + augment, not yet trained or dead-lettered —
 * when the trainer is the bottleneck: backpressure stops the source once the network buffers between the augment
 * subtasks and the trainer are full, so the rest of the backlog stays in Kafka.
 *
 * <p>Buffers: each augment subtask's output to the one trainer channel holds at most {@value #BACKLOG_PER_CHANNEL}
 * buffers plus {@value #OVERDRAFT_PER_GATE} overdraft buffers; the trainer's input gate {@value #EXCLUSIVE_PER_CHANNEL}
 * exclusive buffers per channel plus {@value #FLOATING_PER_GATE} floating ones (Flink 2.2's values; local channels,
 * as in a MiniCluster, use the sender's only, so this over-counts). A record is at least its pixel bytes, so a
 * buffer of {@code segmentBytes} holds at most {@code segmentBytes / sampleBytes + 2} records (a record may start
 * in one buffer and end in another). Then the trainer's partial batch ({@code batchSize − 1}) and one record in
 * each augment subtask's hands.
 *
 * @param sampleBytes the smallest serialized sample: its views' and probe image's pixel bytes
 */
public record InFlightBound(int augmentParallelism, int batchSize, long sampleBytes, long segmentBytes) {

    static final int BACKLOG_PER_CHANNEL = 10;
    static final int OVERDRAFT_PER_GATE = 5;
    static final int EXCLUSIVE_PER_CHANNEL = 2;
    static final int FLOATING_PER_GATE = 8;

    public InFlightBound {
        if (augmentParallelism < 1 || batchSize < 1 || sampleBytes < 1 || segmentBytes < 1) {
            throw new IllegalArgumentException("all figures must be positive: " + augmentParallelism + ", "
                    + batchSize + ", " + sampleBytes + ", " + segmentBytes);
        }
    }

    public long buffers() {
        return (long) augmentParallelism * (BACKLOG_PER_CHANNEL + OVERDRAFT_PER_GATE)
                + (long) augmentParallelism * EXCLUSIVE_PER_CHANNEL + FLOATING_PER_GATE;
    }

    public long recordsPerBuffer() {
        return segmentBytes / sampleBytes + 2;
    }

    /** The most records inside the job at any moment. */
    public long records() {
        return buffers() * recordsPerBuffer() + (batchSize - 1) + augmentParallelism;
    }

    public String describe() {
        return String.format(Locale.ROOT, "%d network buffers x %d records (%d KiB buffers, samples >= %d B) + %d in the"
                + " trainer's partial batch + %d in the augment operators = %d records", buffers(), recordsPerBuffer(),
                segmentBytes >> 10, sampleBytes, batchSize - 1, augmentParallelism, records());
    }
}
