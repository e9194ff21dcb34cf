package io.streamssl.connectors.event;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import io.streamssl.connectors.KafkaClientProperties;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the trainer's events from the metrics or the snapshots topic as {@link TrainerRecord}s, in the order of
 * each partition. By default it reads {@code read_committed} from the beginning: what a downstream consumer sees,
 * only records of completed checkpoints.
 *
 * <pre>{@code
 * try (TrainerEventReader reader = TrainerEventReader.builder().setBootstrapServers("localhost:9092")
 *         .setTopic("metrics").build()) {
 *     List<MetricsEvent> metrics = TrainerEventReader.select(reader.readToEnd(), runId, MetricsEvent.class);
 * }
 * }</pre>
 *
 * <p>Required: {@code setBootstrapServers}, {@code setTopic}. {@link Builder#optReadUncommitted()} shows records
 * as the trainer writes them (also those a failure then rolls back): for following progress live;
 * {@link Builder#optStartAtEnd()} skips what is on the topic already.
 */
public final class TrainerEventReader implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;

    private TrainerEventReader(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions) {
        this.consumer = consumer;
        this.partitions = partitions;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The records that arrived within {@code timeout} (none if nothing did). */
    public List<TrainerRecord> poll(Duration timeout) {
        List<TrainerRecord> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            out.add(decode(r));
        }
        return out;
    }

    /**
     * Every record up to the end of the topic as it is now (for {@code read_committed}: up to the last stable
     * offset), waiting at most {@code timeout} for them.
     */
    public List<TrainerRecord> readToEnd(Duration timeout) {
        return readToEnd(timeout, TrainerEventReader::decode);
    }

    /**
     * {@link #readToEnd(Duration)} as the JSON text that was written, not decoded: for a reader that must keep
     * records of kinds newer than this build (a saved log, a report), which {@link TrainerEventCodec} rejects.
     */
    public List<String> readJsonToEnd(Duration timeout) {
        return readToEnd(timeout, r -> new String(r.value(), StandardCharsets.UTF_8));
    }

    private <T> List<T> readToEnd(Duration timeout, Function<ConsumerRecord<byte[], byte[]>, T> value) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        long deadline = System.nanoTime() + timeout.toNanos();
        List<T> out = new ArrayList<>();
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + partitions + " to offsets " + end + " within "
                        + timeout.toSeconds() + " s");
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                out.add(value.apply(r));
            }
        }
        return out;
    }

    private static TrainerRecord decode(ConsumerRecord<byte[], byte[]> r) {
        try {
            return TrainerEventCodec.decode(r.value());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a trainer event at " + r.topic() + "-" + r.partition() + "@"
                    + r.offset() + ": " + e.getMessage(), e);
        }
    }

    /** {@link #readToEnd(Duration)} within 30 s. */
    public List<TrainerRecord> readToEnd() {
        return readToEnd(Duration.ofSeconds(30));
    }

    /** The records of run {@code runId} (null: every run) of one type, in order. */
    public static <T extends TrainerRecord> List<T> select(List<? extends TrainerRecord> records, String runId,
            Class<T> type) {
        return records.stream().filter(r -> runId == null || r.runId().equals(runId)).filter(type::isInstance)
                .map(type::cast).toList();
    }

    @Override
    public void close() {
        consumer.close();
    }

    /** Configures a {@link TrainerEventReader}; {@link #build()} checks it and that the topic exists. */
    public static final class Builder {
        private String bootstrapServers;
        private String topic;
        private final Map<String, String> clientProperties = new LinkedHashMap<>();
        private boolean readUncommitted;
        private boolean startAtEnd;

        private Builder() {}

        public Builder setBootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        /** The metrics or the snapshots topic. */
        public Builder setTopic(String topic) {
            this.topic = topic;
            return this;
        }

        /**
         * Extra Kafka consumer settings (security, timeouts), as for every client ({@link KafkaClientProperties});
         * the reader's own ones (deserializers, isolation, offset commits) win over them.
         */
        public Builder optClientProperties(Map<String, String> properties) {
            clientProperties.putAll(Objects.requireNonNull(properties, "properties"));
            return this;
        }

        /** {@code read_uncommitted}: records as written, before (or without) their checkpoint completing. */
        public Builder optReadUncommitted() {
            this.readUncommitted = true;
            return this;
        }

        /** Starts after the records on the topic now, instead of at its beginning. */
        public Builder optStartAtEnd() {
            this.startAtEnd = true;
            return this;
        }

        public TrainerEventReader build() {
            List<String> missing = new ArrayList<>();
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                missing.add("setBootstrapServers");
            }
            if (topic == null || topic.isBlank()) {
                missing.add("setTopic");
            }
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("TrainerEventReader needs " + String.join(" and ", missing));
            }
            // assigned partitions, no group, no offset commits: a reader never moves anyone's offsets
            KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(KafkaClientProperties.of(bootstrapServers,
                    clientProperties).consumer(readUncommitted ? IsolationLevel.READ_UNCOMMITTED
                            : IsolationLevel.READ_COMMITTED));
            try {
                List<PartitionInfo> parts = c.partitionsFor(topic, Duration.ofSeconds(30));
                if (parts == null || parts.isEmpty()) {
                    throw new IllegalArgumentException("topic '" + topic + "' does not exist at " + bootstrapServers
                            + ": create it (see README \"Topics and records\")");
                }
                List<TopicPartition> tps = parts.stream().map(pi -> new TopicPartition(topic, pi.partition())).toList();
                c.assign(tps);
                if (startAtEnd) {
                    c.seekToEnd(tps);
                    tps.forEach(c::position); // resolve the end now, before the job writes
                } else {
                    c.seekToBeginning(tps);
                }
                return new TrainerEventReader(c, tps);
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
        }
    }
}
