package io.streamssl.connectors;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The settings of every Kafka client streamssl creates: the job's source and sinks, the image producer, the
 * consumers that follow the trainer's events. Each client gets the bootstrap servers, its defaults and then the
 * extra properties (security settings such as {@code security.protocol} or {@code sasl.jaas.config} go there),
 * so a setting added to the extras reaches every client.
 *
 * <pre>{@code
 * KafkaClientProperties kafka = KafkaClientProperties.of("broker:9092", Map.of("security.protocol", "SSL"));
 * KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.consumer(IsolationLevel.READ_COMMITTED));
 * }</pre>
 *
 * Extra properties override a client's defaults (acks, linger, isolation level, transaction timeout), but may not
 * name the settings that have their own setter or that the record format fixes: {@link #RESERVED}.
 */
public final class KafkaClientProperties {

    /** Keys the extras may not set: bootstrap servers and group id have setters, keys and values are bytes. */
    public static final List<String> RESERVED = List.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            ConsumerConfig.GROUP_ID_CONFIG,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);

    private final String bootstrapServers;
    private final Map<String, String> extra;

    private KafkaClientProperties(String bootstrapServers, Map<String, String> extra) {
        this.bootstrapServers = bootstrapServers;
        this.extra = extra;
    }

    /** Clients of the brokers at {@code bootstrapServers} (host:port[,host:port]) with their default settings. */
    public static KafkaClientProperties of(String bootstrapServers) {
        return of(bootstrapServers, Map.of());
    }

    /** Clients of the brokers at {@code bootstrapServers} with {@code extra} over their defaults. */
    public static KafkaClientProperties of(String bootstrapServers, Map<String, String> extra) {
        List<String> problems = new ArrayList<>();
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            problems.add("bootstrap servers are required (host:port[,host:port])");
        }
        problems.addAll(problems(extra));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Kafka client properties: " + String.join("; ", problems));
        }
        return new KafkaClientProperties(bootstrapServers, Collections.unmodifiableMap(new TreeMap<>(extra)));
    }

    /**
     * What is wrong with {@code extra} as extra client properties (empty if nothing): for builders that report
     * every problem of their options at once.
     */
    public static List<String> problems(Map<String, String> extra) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : extra.entrySet()) {
            if (RESERVED.contains(e.getKey())) {
                problems.add("extra client property '" + e.getKey() + "' is not allowed: "
                        + (e.getKey().equals(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG) ? "set the bootstrap servers instead"
                                : e.getKey().equals(ConsumerConfig.GROUP_ID_CONFIG) ? "set the group id instead"
                                : "streamssl's records have byte[] keys and values"));
            } else if (e.getValue() == null) {
                problems.add("extra client property '" + e.getKey() + "' has no value");
            }
        }
        return problems;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The extra properties, sorted by key. */
    public Map<String, String> extra() {
        return extra;
    }

    /** An admin client. */
    public Properties admin() {
        return build(Map.of(), Map.of());
    }

    /**
     * For Flink's {@code KafkaSource} and {@code KafkaSink} builders, which set the byte[] (de)serializers
     * themselves: {@code defaults} (e.g. a sink's transaction timeout) with the extras over them.
     */
    public Properties connector(Map<String, String> defaults) {
        return build(defaults, Map.of());
    }

    /** A {@code KafkaProducer<byte[], byte[]>}: acks from all replicas, batches of up to 5 ms. */
    public Properties producer() {
        return build(Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "5"),
                Map.of(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
    }

    /**
     * A {@code KafkaConsumer<byte[], byte[]>} that is assigned partitions (no group, no offset commits) and reads
     * at {@code isolation}: {@code READ_COMMITTED} sees a transactional sink's records only once its checkpoint
     * completed, {@code READ_UNCOMMITTED} as they are written.
     */
    public Properties consumer(IsolationLevel isolation) {
        return build(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString(),
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                Map.of(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
    }

    /** {@code defaults}, the extras over them, then what no extra may change: {@code fixed} and the servers. */
    private Properties build(Map<String, String> defaults, Map<String, String> fixed) {
        Properties p = new Properties();
        p.putAll(defaults);
        p.putAll(extra);
        p.putAll(fixed);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }

    @Override
    public String toString() {
        // the extras may hold secrets (sasl.jaas.config, ssl passwords): keys only
        return "KafkaClientProperties{bootstrap.servers=" + bootstrapServers + ", extra keys=" + extra.keySet() + "}";
    }
}
