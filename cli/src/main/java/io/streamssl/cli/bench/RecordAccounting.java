package io.streamssl.cli.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where every record of the images topic went, at a consistent cut of the job: trained, dead-lettered, or
 * pending (in the trainer's partial batch, or not yet consumed from Kafka).
 *
 * <pre>{@code
 * RecordAccounting acc = new RecordAccounting();
 * // in the order of the metrics topic (read_committed) and the dead-letter topic:
 * acc.trained(ids, epochs);  acc.checkpoint(checkpointId, pending);  acc.deadLetter(partition, offset);
 * RecordAccounting.Balance b = acc.balance(produced, committedOffsets);   // b.exact(): in = trained + dead + pending
 * }</pre>
 *
 * <p>Why a cut exists and how it is found: with aligned checkpoints, checkpoint {@code C} snapshots the source at
 * its read positions {@code P_C} after every record before them has passed the decode + augment operator and
 * reached the trainer. So each of those records was, at {@code C}, either trained (its id is in a {@code trained}
 * audit event before the trainer's {@code checkpoint} event for {@code C}, the two being in the same Kafka
 * transaction), dead-lettered (the dead-letter sink flushes at every checkpoint), or in the trainer's partial batch
 * (the {@code pending} of that {@code checkpoint} event): {@code Σ P_C = trained(C) + dead(< P_C) + pending(C)}.
 * When {@code C} completes, the source commits {@code P_C} as the consumer group's offsets. Given the committed
 * offsets {@code G}, the accounting looks for the checkpoint whose own figures add up to {@code Σ G}; a record
 * lost or trained twice inside the job leaves no checkpoint that does, and {@link Balance#exact()} is false.
 * The records from {@code G} to the end of the topic are the lag: produced, not yet consumed, still in Kafka.
 * Then {@code in = trained + dead + pending} holds exactly, with {@code pending = pending(C) + (in − Σ G)}.
 *
 * <p>Dead letters are counted once per source position (the sink is at-least-once: a restart may write one
 * twice). A {@code trained} id seen twice with the same epoch is a duplicate and fails the balance.
 */
public final class RecordAccounting {

    /** A trainer {@code checkpoint} event and the trained count of the events before it. */
    private record Mark(long checkpointId, long trainedBefore, int pending) {}

    private final Set<String> trainedKeys = new HashSet<>();
    private long trained;
    private long duplicates;
    private final List<Mark> checkpoints = new ArrayList<>();
    /** Dead-lettered source offsets per partition of the images topic. */
    private final Map<Integer, TreeSet<Long>> dead = new HashMap<>();

    /**
     * One step's {@code trained} audit event, in the order of the metrics topic.
     *
     * @param ids the batch's image ids
     * @param epochs each image's epoch (pass over the data set): an id recurs once per pass
     */
    public void trained(List<String> ids, List<Long> epochs) {
        if (ids.size() != epochs.size()) {
            throw new IllegalArgumentException(ids.size() + " ids but " + epochs.size() + " epochs");
        }
        for (int i = 0; i < ids.size(); i++) {
            if (trainedKeys.add(ids.get(i) + '#' + epochs.get(i))) {
                trained++;
            } else {
                duplicates++;
            }
        }
    }

    /** The trainer's {@code checkpoint} event for {@code checkpointId}, with its partial batch's size. */
    public void checkpoint(long checkpointId, int pending) {
        checkpoints.add(new Mark(checkpointId, trained, pending));
    }

    /** A record of the dead-letter topic, by its source position in the images topic ({@code dlq-source}). */
    public void deadLetter(int partition, long offset) {
        dead.computeIfAbsent(partition, p -> new TreeSet<>()).add(offset);
    }

    /** A {@code dlq-source} header ({@code topic-partition@offset}) as partition and offset; empty if malformed. */
    public static Optional<long[]> parseSource(String position) {
        int at = position.lastIndexOf('@');
        int dash = at < 0 ? -1 : position.lastIndexOf('-', at);
        if (dash < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new long[] {Integer.parseInt(position.substring(dash + 1, at)),
                    Long.parseLong(position.substring(at + 1))});
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Distinct images trained so far (as far as the events read go). */
    public long trained() {
        return trained;
    }

    /** Images trained more than once in the same epoch. */
    public long duplicates() {
        return duplicates;
    }

    /** Distinct records dead-lettered so far. */
    public long deadLettered() {
        return dead.values().stream().mapToLong(TreeSet::size).sum();
    }

    /** The trainer's checkpoint events read so far. */
    public int checkpointsSeen() {
        return checkpoints.size();
    }

    /**
     * The accounting at the cut the committed offsets define.
     *
     * @param produced records in the images topic (its end offsets, summed)
     * @param committed the job's consumer group's committed offsets, by partition (empty: nothing committed yet)
     */
    public Balance balance(long produced, Map<Integer, Long> committed) {
        long consumed = committed.values().stream().mapToLong(Long::longValue).sum();
        long deadBelow = 0;
        for (Map.Entry<Integer, Long> e : committed.entrySet()) {
            TreeSet<Long> offsets = dead.get(e.getKey());
            deadBelow += offsets == null ? 0 : offsets.headSet(e.getValue(), false).size();
        }
        // the newest checkpoint whose figures add up to the committed offsets; none before the first commit
        for (int i = checkpoints.size() - 1; i >= 0 && !committed.isEmpty(); i--) {
            Mark m = checkpoints.get(i);
            if (m.trainedBefore() + deadBelow + m.pending() == consumed) {
                return new Balance(produced, m.trainedBefore(), deadBelow, m.pending(), produced - consumed,
                        m.checkpointId(), duplicates, true);
            }
        }
        Mark last = checkpoints.isEmpty() ? new Mark(-1, 0, 0) : checkpoints.get(checkpoints.size() - 1);
        return new Balance(produced, last.trainedBefore(), deadBelow, last.pending(), produced - consumed,
                last.checkpointId(), duplicates, false);
    }

    /**
     * The records of the images topic at one cut: {@code in = trained + dead + pending}.
     *
     * @param pendingInJob the trainer's partial batch at the cut's checkpoint
     * @param pendingInKafka records not yet consumed at the cut: the committed offsets to the topic's end
     * @param checkpointId the trainer checkpoint of the cut (-1: none read yet)
     * @param matched whether a checkpoint's figures add up to the committed offsets
     */
    public record Balance(long in, long trained, long dead, long pendingInJob, long pendingInKafka,
            long checkpointId, long duplicates, boolean matched) {

        public long pending() {
            return pendingInJob + pendingInKafka;
        }

        /** {@code in = trained + dead + pending}, every image trained at most once per epoch. */
        public boolean exact() {
            return matched && duplicates == 0 && in == trained + dead + pending();
        }

        @Override
        public String toString() {
            String sum = String.format(Locale.ROOT, "in %d %s trained %d + dead %d + pending %d (%d in the job, %d in"
                    + " Kafka)", in, exact() ? "=" : "≠", trained, dead, pending(), pendingInJob, pendingInKafka);
            if (!matched) {
                return sum + (checkpointId < 0 ? " — no checkpoint committed yet"
                        : " — no checkpoint's figures add up to the committed offsets");
            }
            return sum + " at checkpoint " + checkpointId + (duplicates > 0 ? ", " + duplicates + " trained twice"
                    : "");
        }
    }
}
