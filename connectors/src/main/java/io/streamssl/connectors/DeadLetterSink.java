package io.streamssl.connectors;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/**
 * Records that could not become training samples, to Kafka at least once: a {@link KafkaSink} with
 * {@link DeadLetterSerializationSchema} (the original bytes with the stage and reason in headers). A dead letter
 * repeated after a restart is harmless, so no transactions.
 *
 * <pre>{@code
 * KafkaSink<DeadLetter> sink = DeadLetterSink.builder()
 *         .setBootstrapServers("localhost:9092").setTopic("images.dlq")
 *         .build();
 * }</pre>
 *
 * Required: bootstrap servers, topic. Optional: extra Kafka client properties (see {@link KafkaClientProperties}).
 */
public final class DeadLetterSink {

    private DeadLetterSink() {}

    public static Builder builder() {
        return new Builder();
    }

    /** Builder; {@code set*} are required, {@code opt*} optional. */
    public static final class Builder {
        private String bootstrapServers;
        private String topic;
        private final Map<String, String> clientProperties = new LinkedHashMap<>();

        private Builder() {}

        /** host:port[,host:port] */
        public Builder setBootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        public Builder setTopic(String topic) {
            this.topic = topic;
            return this;
        }

        /** Other Kafka producer properties (e.g. security settings); added to those given before. */
        public Builder optClientProperties(Map<String, String> properties) {
            clientProperties.putAll(properties);
            return this;
        }

        public KafkaSink<DeadLetter> build() {
            new InvalidOptions("DeadLetterSink")
                    .requireText(bootstrapServers, "bootstrap servers (setBootstrapServers)")
                    .requireText(topic, "topic (setTopic)")
                    .add(KafkaClientProperties.problems(clientProperties))
                    .throwIfAny();
            KafkaClientProperties client = KafkaClientProperties.of(bootstrapServers, clientProperties);
            return KafkaSink.<DeadLetter>builder()
                    .setKafkaProducerConfig(client.connector(Map.of()))
                    .setRecordSerializer(new DeadLetterSerializationSchema(topic))
                    .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                    .build();
        }
    }
}
