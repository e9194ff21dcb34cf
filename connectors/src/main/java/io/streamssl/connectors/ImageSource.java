package io.streamssl.connectors;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The job's source of images: a {@link KafkaSource} that reads one topic of the streamssl record format (see
 * {@link ImageRecordHeaders}) into {@link ImageRecord}s with {@link ImageRecordDeserializationSchema}.
 *
 * <pre>{@code
 * KafkaSource<ImageRecord> source = ImageSource.builder()
 *         .setBootstrapServers("localhost:9092").setTopic("images").setGroupId("streamssl")
 *         .build();
 * }</pre>
 *
 * Required: bootstrap servers, topic, group id. Optional: starting offsets (default earliest) and extra Kafka
 * client properties (see {@link KafkaClientProperties}).
 */
public final class ImageSource {

    /** The values of {@link Builder#optStartingOffsets}. */
    public static final List<String> STARTING_OFFSETS = List.of("earliest", "latest", "committed");

    private ImageSource() {}

    public static Builder builder() {
        return new Builder();
    }

    /** Builder; {@code set*} are required, {@code opt*} optional. */
    public static final class Builder {
        private String bootstrapServers;
        private String topic;
        private String groupId;
        private String startingOffsets = "earliest";
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

        /** The consumer group; its committed offsets are where {@code committed} starts. */
        public Builder setGroupId(String groupId) {
            this.groupId = groupId;
            return this;
        }

        /**
         * Where a job without a checkpoint starts reading: {@code earliest}, {@code latest}, or {@code committed}
         * (the group's committed offsets, else earliest). A restored job resumes from its checkpoint.
         */
        public Builder optStartingOffsets(String mode) {
            this.startingOffsets = mode;
            return this;
        }

        /** Other Kafka consumer properties (e.g. security settings); added to those given before. */
        public Builder optClientProperties(Map<String, String> properties) {
            clientProperties.putAll(properties);
            return this;
        }

        public KafkaSource<ImageRecord> build() {
            InvalidOptions invalid = new InvalidOptions("ImageSource")
                    .requireText(bootstrapServers, "bootstrap servers (setBootstrapServers)")
                    .requireText(topic, "topic (setTopic)")
                    .requireText(groupId, "group id (setGroupId)")
                    .add(KafkaClientProperties.problems(clientProperties));
            if (!STARTING_OFFSETS.contains(startingOffsets)) {
                invalid.add("starting offsets must be one of " + String.join(", ", STARTING_OFFSETS) + ", got '"
                        + startingOffsets + "' (optStartingOffsets)");
            }
            invalid.throwIfAny();
            KafkaClientProperties client = KafkaClientProperties.of(bootstrapServers, clientProperties);
            return KafkaSource.<ImageRecord>builder()
                    .setProperties(client.connector(Map.of()))
                    .setTopics(topic)
                    .setGroupId(groupId)
                    .setStartingOffsets(startingOffsets(startingOffsets))
                    .setDeserializer(new ImageRecordDeserializationSchema())
                    .build();
        }

        private static OffsetsInitializer startingOffsets(String mode) {
            return switch (mode) {
                case "latest" -> OffsetsInitializer.latest();
                case "committed" -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                default -> OffsetsInitializer.earliest();
            };
        }
    }
}
