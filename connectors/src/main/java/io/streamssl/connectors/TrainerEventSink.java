package io.streamssl.connectors;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The trainer's events to Kafka, exactly once: a {@link KafkaSink} with {@link TrainerEventSerializationSchema}
 * (metrics to the metrics topic, snapshot announcements to the snapshots topic) in Kafka transactions that
 * commit with Flink's checkpoints: the events become visible (to read_committed consumers) only when the
 * checkpoint holding the state they describe has completed, so nobody sees a rolled-back snapshot.
 *
 * <pre>{@code
 * KafkaSink<TrainerEvent> sink = TrainerEventSink.builder().setBootstrapServers("localhost:9092")
 *         .setMetricsTopic("metrics").setSnapshotsTopic("snapshots").setTransactionalIdPrefix("streamssl-byol")
 *         .build();
 * }</pre>
 *
 * Required: bootstrap servers, metrics topic, snapshots topic, transactional-id prefix. Optional: extra Kafka
 * client properties (see {@link KafkaClientProperties}), which may also replace the transaction timeout.
 */
public final class TrainerEventSink {

    // below the broker's transaction.max.timeout.ms (15 min by default)
    static final String TRANSACTION_TIMEOUT_MS = "600000";

    private TrainerEventSink() {}

    public static Builder builder() {
        return new Builder();
    }

    /** Builder; {@code set*} are required, {@code opt*} optional. */
    public static final class Builder {
        private String bootstrapServers;
        private String metricsTopic;
        private String snapshotsTopic;
        private String transactionalIdPrefix;
        private final Map<String, String> clientProperties = new LinkedHashMap<>();

        private Builder() {}

        /** host:port[,host:port] */
        public Builder setBootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        public Builder setMetricsTopic(String topic) {
            this.metricsTopic = topic;
            return this;
        }

        public Builder setSnapshotsTopic(String topic) {
            this.snapshotsTopic = topic;
            return this;
        }

        /**
         * The prefix of the sink's Kafka transactional ids: unique per job writing to the cluster, and stable
         * across restarts, or a restarted job cannot abort the transactions its predecessor left open.
         */
        public Builder setTransactionalIdPrefix(String prefix) {
            this.transactionalIdPrefix = prefix;
            return this;
        }

        /** Other Kafka producer properties (e.g. security settings); added to those given before. */
        public Builder optClientProperties(Map<String, String> properties) {
            clientProperties.putAll(properties);
            return this;
        }

        public KafkaSink<TrainerEvent> build() {
            new InvalidOptions("TrainerEventSink")
                    .requireText(bootstrapServers, "bootstrap servers (setBootstrapServers)")
                    .requireText(metricsTopic, "metrics topic (setMetricsTopic)")
                    .requireText(snapshotsTopic, "snapshots topic (setSnapshotsTopic)")
                    .requireText(transactionalIdPrefix, "transactional-id prefix (setTransactionalIdPrefix)")
                    .add(KafkaClientProperties.problems(clientProperties))
                    .throwIfAny();
            KafkaClientProperties client = KafkaClientProperties.of(bootstrapServers, clientProperties);
            return KafkaSink.<TrainerEvent>builder()
                    .setKafkaProducerConfig(client.connector(
                            Map.of(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS)))
                    .setRecordSerializer(new TrainerEventSerializationSchema(metricsTopic, snapshotsTopic))
                    .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                    .setTransactionalIdPrefix(transactionalIdPrefix)
                    .build();
        }
    }
}
