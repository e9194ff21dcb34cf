package io.streamssl.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security settings given as extra client properties reach the producer and the consumers: a broker whose only
 * client listener takes SASL/PLAIN lets them in with the right password and turns them away, clearly, with a
 * wrong one or none.
 */
class KafkaSecurityITCase {

    private static final String USER = "trainer";
    private static final String PASSWORD = "pw-7f3a9c1e-not-in-logs";
    private static final String TOPIC = "images";

    @TempDir
    static Path tmp;
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.startSaslPlain(tmp, USER, PASSWORD);
        kafka.createTopics(1, TOPIC);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void producerAndConsumerWorkThroughSaslPlainWithTheConfiguredLogin() throws Exception {
        long sent = ImageProducer.builder().setBootstrapServers(kafka.bootstrapServers())
                .optClientProperties(EmbeddedKafka.saslPlainClient(USER, PASSWORD))
                .setDataset(new GeneratedShapes(12, 3, 16)).build().run();
        assertThat(sent).isEqualTo(12);
        List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(KafkaClientProperties.of(kafka.bootstrapServers(),
                EmbeddedKafka.saslPlainClient(USER, PASSWORD)).consumer(IsolationLevel.READ_COMMITTED))) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (read.size() < 12 && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(read::add);
            }
        }
        assertThat(read).hasSize(12);
        assertThat(read.get(5).value()).isEqualTo(new GeneratedShapes(12, 3, 16).pixels(5));
    }

    @Test
    void aWrongPasswordFailsTheProducerWithAnAuthenticationErrorThatHidesThePassword() {
        Map<String, String> wrong = new HashMap<>(EmbeddedKafka.saslPlainClient(USER, "not-the-password"));
        wrong.put("max.block.ms", "20000"); // bounds the wait should the failure not surface at once
        assertThatThrownBy(() -> ImageProducer.builder().setBootstrapServers(kafka.bootstrapServers())
                .optClientProperties(wrong).setDataset(new GeneratedShapes(3, 3, 16)).build().run())
                .hasMessageContaining("Authentication failed")
                .hasMessageNotContaining("not-the-password")
                .hasRootCauseInstanceOf(SaslAuthenticationException.class);
    }

    @Test
    void aWrongPasswordFailsTheConsumerAndNoLoginFailsToo() {
        Map<String, String> wrong = new HashMap<>(EmbeddedKafka.saslPlainClient(USER, "not-the-password"));
        wrong.put("default.api.timeout.ms", "20000");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(KafkaClientProperties.of(kafka.bootstrapServers(),
                wrong).consumer(IsolationLevel.READ_COMMITTED))) {
            assertThatThrownBy(() -> c.partitionsFor(TOPIC)).isInstanceOf(SaslAuthenticationException.class)
                    .hasMessageContaining("Authentication failed");
        }
        // SASL without a login of its own: the JVM-wide JAAS file of the test broker holds no client login
        Map<String, String> none = Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN");
        assertThatThrownBy(() -> new KafkaConsumer<>(KafkaClientProperties.of(kafka.bootstrapServers(), none)
                .consumer(IsolationLevel.READ_COMMITTED))).hasStackTraceContaining("KafkaClient");
    }
}
