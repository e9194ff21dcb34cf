package io.streamssl.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamssl.connectors.KafkaClientProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * The trainer's records on the metrics topic ({@code metrics}, {@code checkpoint}, {@code restored} events), in
 * topic order as they arrive. {@link #asWritten} reads {@code read_uncommitted}: a failure's rolled-back records stay
 * visible, which lets the test see the last steps before a kill and the first after the restore, with their
 * timestamps. {@link #asCommitted} reads what downstream consumers see: only records of completed checkpoints.
 */
final class TrainerEvents implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<JsonNode> seen = new ArrayList<>();

    static TrainerEvents asWritten(String bootstrapServers, String topic) {
        return new TrainerEvents(bootstrapServers, topic, IsolationLevel.READ_UNCOMMITTED);
    }

    static TrainerEvents asCommitted(String bootstrapServers, String topic) {
        return new TrainerEvents(bootstrapServers, topic, IsolationLevel.READ_COMMITTED);
    }

    private TrainerEvents(String bootstrapServers, String topic, IsolationLevel isolation) {
        consumer = new KafkaConsumer<>(KafkaClientProperties.of(bootstrapServers).consumer(isolation));
        TopicPartition tp = new TopicPartition(topic, 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
    }

    /** Every event so far of run {@code runId} and kind {@code event}, in order. */
    List<JsonNode> of(String runId, String event) {
        poll();
        return seen.stream().filter(e -> e.path("run_id").asText().equals(runId))
                .filter(e -> e.path("event").asText().equals(event)).toList();
    }

    /** The first event of run {@code runId} that {@code match} accepts, waiting up to {@code timeout}. */
    JsonNode await(String what, Duration timeout, String runId, Predicate<JsonNode> match) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            poll();
            Optional<JsonNode> hit = seen.stream().filter(e -> e.path("run_id").asText().equals(runId))
                    .filter(match).findFirst();
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

    /** Position of {@code event} in the topic (events are JSON trees compared by identity). */
    int indexOf(JsonNode event) {
        for (int i = 0; i < seen.size(); i++) {
            if (seen.get(i) == event) {
                return i;
            }
        }
        return -1;
    }

    /** Events of run {@code runId} after {@code after} (by topic position). */
    List<JsonNode> after(JsonNode after, String runId, String event) {
        poll();
        int from = indexOf(after);
        return seen.subList(from + 1, seen.size()).stream().filter(e -> e.path("run_id").asText().equals(runId))
                .filter(e -> e.path("event").asText().equals(event)).toList();
    }

    private String summary(String runId) {
        List<String> kinds = seen.stream().filter(e -> e.path("run_id").asText().equals(runId))
                .map(e -> e.path("event").asText() + "@" + e.path("step").asLong()).toList();
        return kinds.size() <= 40 ? kinds.toString()
                : kinds.subList(0, 10) + " … " + kinds.subList(kinds.size() - 30, kinds.size());
    }

    private void poll() {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            try {
                seen.add(JSON.readTree(new String(r.value(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON on the metrics topic at offset " + r.offset(), e);
            }
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
