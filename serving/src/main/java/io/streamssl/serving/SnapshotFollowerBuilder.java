package io.streamssl.serving;

import ai.djl.Device;
import io.streamssl.connectors.ConfigRedaction;
import io.streamssl.connectors.KafkaClientProperties;
import io.streamssl.connectors.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configures a {@link SnapshotFollower} ({@link SnapshotFollower#builder()}): {@code set*} for the required
 * bootstrap servers, {@code opt*} for the rest. {@link #build()} checks every option at once, naming each one that
 * is wrong, and then that the topic exists.
 */
public final class SnapshotFollowerBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotFollower.class);

    private String bootstrapServers;
    private String topic = Topics.SNAPSHOTS;
    private final Map<String, String> clientProperties = new LinkedHashMap<>();
    private Device device = Device.cpu();
    private String model;
    private SnapshotFollower.Listener listener = new SnapshotFollower.Listener() {};
    private Duration metadataTimeout = Duration.ofSeconds(30);

    SnapshotFollowerBuilder() {}

    /** The Kafka brokers (host:port[,host:port]). Required. */
    public SnapshotFollowerBuilder setBootstrapServers(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        return this;
    }

    /** The snapshots topic; default {@value Topics#SNAPSHOTS} (the job's {@code kafka.snapshots-topic}). */
    public SnapshotFollowerBuilder optTopic(String topic) {
        this.topic = topic;
        return this;
    }

    /**
     * Extra Kafka consumer settings: security ({@code security.protocol}, {@code sasl.jaas.config}, …) and
     * timeouts, as for every streamssl client ({@link KafkaClientProperties}). Logged with secret values
     * masked ({@link ConfigRedaction}). {@code isolation.level} may only be {@code read_committed}.
     */
    public SnapshotFollowerBuilder optClientProperties(Map<String, String> properties) {
        clientProperties.putAll(Objects.requireNonNull(properties, "properties"));
        return this;
    }

    /** Where the encoders run; default the CPU. */
    public SnapshotFollowerBuilder optDevice(Device device) {
        this.device = Objects.requireNonNull(device, "device");
        return this;
    }

    /**
     * Follows only the announcements of this model name (their {@code model} field, the job's
     * {@code trainer.model-name}); default every announcement on the topic, right when one job writes it.
     */
    public SnapshotFollowerBuilder optModel(String model) {
        this.model = model;
        return this;
    }

    /** Told of every swap and refusal. */
    public SnapshotFollowerBuilder optListener(SnapshotFollower.Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /** How long {@link #build()} waits for the topic's partitions; default 30 s. */
    public SnapshotFollowerBuilder optMetadataTimeout(Duration timeout) {
        this.metadataTimeout = Objects.requireNonNull(timeout, "timeout");
        return this;
    }

    public SnapshotFollower build() {
        List<String> problems = new ArrayList<>();
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            problems.add("setBootstrapServers is required (host:port[,host:port])");
        }
        if (topic == null || topic.isBlank()) {
            problems.add("optTopic must name a topic (default '" + Topics.SNAPSHOTS + "')");
        }
        if (model != null && model.isBlank()) {
            problems.add("optModel must name a model, or be left unset to follow every announcement");
        }
        if (metadataTimeout.isNegative() || metadataTimeout.isZero()) {
            problems.add("optMetadataTimeout must be positive, got " + metadataTimeout);
        }
        problems.addAll(KafkaClientProperties.problems(clientProperties));
        String isolation = clientProperties.get(ConsumerConfig.ISOLATION_LEVEL_CONFIG);
        if (isolation != null && !isolation.equals(IsolationLevel.READ_COMMITTED.toString())) {
            problems.add("extra client property '" + ConsumerConfig.ISOLATION_LEVEL_CONFIG + "' may only be '"
                    + IsolationLevel.READ_COMMITTED + "', got '" + isolation + "': the follower loads only"
                    + " snapshots whose checkpoint completed");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("SnapshotFollower: " + String.join("; ", problems));
        }
        Properties props = KafkaClientProperties.of(bootstrapServers, clientProperties)
                .consumer(IsolationLevel.READ_COMMITTED);
        // a follower reads the topic the training job writes; it never creates it
        props.putIfAbsent(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        // secrets (sasl.jaas.config, ssl passwords) masked
        LOG.info("SnapshotFollower of topic '{}' at {}{}, client properties {}, encoders on {}", topic,
                bootstrapServers, model == null ? "" : " for model '" + model + "'",
                ConfigRedaction.redact(clientProperties), device);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
        try {
            List<PartitionInfo> parts = consumer.partitionsFor(topic, metadataTimeout);
            if (parts == null || parts.isEmpty()) {
                throw new IllegalArgumentException("SnapshotFollower: topic '" + topic + "' does not exist at "
                        + bootstrapServers + ": name the training job's kafka.snapshots-topic with optTopic,"
                        + " or create it (README \"Topics and records\")");
            }
            List<TopicPartition> tps = parts.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            LOG.info("following snapshot announcements on topic '{}' ({} partition(s))", topic, tps.size());
            return new SnapshotFollower(bootstrapServers, topic, model, device, listener, consumer, tps);
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }
}
