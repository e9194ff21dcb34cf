package io.streamssl.deploy;

import io.streamssl.connectors.event.TrainerEventReader;
import io.streamssl.connectors.event.TrainerRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The trainer's events on the metrics topic ({@code metrics}, {@code checkpoint}, {@code restored}, …), in topic
 * order as they arrive, through the shared {@link TrainerEventReader}. {@link #asWritten} reads
 * {@code read_uncommitted}: a failure's rolled-back records stay visible, which lets the test see the last steps
 * before a kill and the first after the restore, with their timestamps. {@link #asCommitted} reads what
 * downstream consumers see: only records of completed checkpoints.
 */
final class TrainerEvents implements AutoCloseable {

    private final TrainerEventReader reader;
    private final List<TrainerRecord> seen = new ArrayList<>();

    static TrainerEvents asWritten(String bootstrapServers, String topic) {
        return new TrainerEvents(TrainerEventReader.builder().setBootstrapServers(bootstrapServers).setTopic(topic)
                .optReadUncommitted().build());
    }

    static TrainerEvents asCommitted(String bootstrapServers, String topic) {
        return new TrainerEvents(TrainerEventReader.builder().setBootstrapServers(bootstrapServers).setTopic(topic)
                .build());
    }

    private TrainerEvents(TrainerEventReader reader) {
        this.reader = reader;
    }

    /** Every event so far of run {@code runId} and type {@code type}, in order. */
    <T extends TrainerRecord> List<T> of(String runId, Class<T> type) {
        poll();
        return TrainerEventReader.select(seen, runId, type);
    }

    /** The first event of run {@code runId} and type {@code type} that {@code match} accepts, waiting up to {@code timeout}. */
    <T extends TrainerRecord> T await(String what, Duration timeout, String runId, Class<T> type,
            Predicate<? super T> match) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            poll();
            Optional<T> hit = TrainerEventReader.select(seen, runId, type).stream().filter(match).findFirst();
            if (hit.isPresent()) {
                return hit.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what
                        + "; run " + runId + " published " + summary(runId));
            }
            Thread.sleep(200);
        }
    }

    /** Position of {@code event} in the topic (by identity: two records may be equal). */
    int indexOf(TrainerRecord event) {
        for (int i = 0; i < seen.size(); i++) {
            if (seen.get(i) == event) {
                return i;
            }
        }
        return -1;
    }

    private String summary(String runId) {
        List<String> kinds = TrainerEventReader.select(seen, runId, TrainerRecord.class).stream()
                .map(e -> e.kind().wireName() + "@" + e.step()).toList();
        return kinds.size() <= 40 ? kinds.toString()
                : kinds.subList(0, 10) + " … " + kinds.subList(kinds.size() - 30, kinds.size());
    }

    private void poll() {
        seen.addAll(reader.poll(Duration.ofMillis(100)));
    }

    @Override
    public void close() {
        reader.close();
    }
}
