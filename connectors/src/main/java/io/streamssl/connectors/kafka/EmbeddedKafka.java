package io.streamssl.connectors.kafka;

import io.streamssl.connectors.KafkaClientProperties;
import io.streamssl.connectors.TopicLimits;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A single-node Kafka (KRaft, combined broker and controller) inside this JVM on loopback, from Kafka's own
 * test kit: no Docker, no ZooKeeper. The demo's default broker and the tests' real broker.
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** The broker's (inter-broker) SASL user of {@link #startSaslPlain}, Kafka's test kit's super user. */
    private static final String BROKER_USER = "plain-admin";
    private static final String BROKER_PASSWORD = "plain-admin-secret";

    private final KafkaClusterTestKit cluster;
    private final Map<String, String> clientProperties;

    private EmbeddedKafka(KafkaClusterTestKit cluster, Map<String, String> clientProperties) {
        this.cluster = cluster;
        this.clientProperties = clientProperties;
    }

    /** Starts a broker whose logs live under {@code baseDir}. */
    public static EmbeddedKafka start(Path baseDir) throws Exception {
        return start(baseDir, SecurityProtocol.PLAINTEXT, Map.of(), Map.of());
    }

    /**
     * Starts a broker whose client listener takes SASL/PLAIN only (no TLS), knowing one user {@code user} with
     * {@code password} (no ACLs); the controller listener stays PLAINTEXT. Clients need
     * {@link #clientProperties()} (security.protocol, sasl.mechanism, sasl.jaas.config) to connect.
     * Kafka's test kit also sets a JVM-wide JAAS file with the broker's own login; it has no client section,
     * so a client without its own {@code sasl.jaas.config} cannot log in.
     */
    public static EmbeddedKafka startSaslPlain(Path baseDir, String user, String password) throws Exception {
        String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + BROKER_USER
                + "\" password=\"" + BROKER_PASSWORD + "\" user_" + BROKER_USER + "=\"" + BROKER_PASSWORD + "\" user_"
                + user + "=\"" + password + "\";";
        Map<String, String> broker = Map.of(
                // listener-scoped: wins over the test kit's JVM-wide JAAS file, and adds the user
                "listener.name.external.plain.sasl.jaas.config", jaas,
                // authentication is what this broker is for: no ACLs (the test kit's authorizer would also refuse
                // the PLAINTEXT controller listener's anonymous registration)
                "authorizer.class.name", "");
        return start(baseDir, SecurityProtocol.SASL_PLAINTEXT, broker, saslPlainClient(user, password));
    }

    /** The client properties of a SASL/PLAIN login as {@code user} with {@code password}. */
    public static Map<String, String> saslPlainClient(String user, String password) {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";");
    }

    private static EmbeddedKafka start(Path baseDir, SecurityProtocol protocol, Map<String, String> brokerProperties,
            Map<String, String> clientProperties) throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBaseDirectory(baseDir)
                .setBrokerSecurityProtocol(protocol)
                .setControllerSecurityProtocol(SecurityProtocol.PLAINTEXT)
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        brokerProperties.forEach(builder::setConfigProp);
        KafkaClusterTestKit cluster = builder
                // one broker: internal topics must have replication factor 1 and min ISR 1
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false")
                // lean on a 2-core machine
                .setConfigProp("num.network.threads", "2")
                .setConfigProp("num.io.threads", "2")
                .setConfigProp("log.cleaner.enable", "false")
                .build();
        // the formatter prints its bootstrap metadata to stdout: keep the demo's console for the demo
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            cluster.format();
        } finally {
            System.setOut(stdout);
        }
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new EmbeddedKafka(cluster, clientProperties);
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** The cluster id this broker was formatted with: new at every {@link #start}. */
    public String clusterId() {
        return cluster.nodes().clusterId();
    }

    /** What a client needs besides the bootstrap servers: empty for PLAINTEXT, the login for SASL/PLAIN. */
    public Map<String, String> clientProperties() {
        return clientProperties;
    }

    /** This broker's client settings ({@link #clientProperties()} included). */
    public KafkaClientProperties client() {
        return KafkaClientProperties.of(bootstrapServers(), clientProperties);
    }

    public Admin admin() {
        return Admin.create(client().admin());
    }

    /**
     * Creates topics (replication 1) that do not exist yet, with the {@code max.message.bytes} the README
     * documents for a dead-letter topic ({@link TopicLimits#DEAD_LETTER_TOPIC_BYTES}), which fits every record of
     * the default image limit. The broker keeps Kafka's default {@code message.max.bytes} (1 MB).
     */
    public void createTopics(int partitions, String... names) throws Exception {
        for (String name : names) {
            createTopic(name, partitions, Map.of("max.message.bytes", Long.toString(TopicLimits.DEAD_LETTER_TOPIC_BYTES)));
        }
    }

    /** Creates a topic (replication 1) with {@code configs} unless it exists. */
    public void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
