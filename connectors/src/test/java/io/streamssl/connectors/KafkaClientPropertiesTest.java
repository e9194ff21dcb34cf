package io.streamssl.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class KafkaClientPropertiesTest {

    private static final Map<String, String> SSL = Map.of("security.protocol", "SSL",
            "ssl.truststore.location", "/etc/kafka/truststore.jks");

    @Test
    void producerHasByteSerializersDefaultsAndTheExtras() {
        Properties p = KafkaClientProperties.of("broker:9092", SSL).producer();

        assertThat(p).containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092")
                .containsEntry(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName())
                .containsEntry(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName())
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "5")
                .containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.jks")
                .hasSize(7);
    }

    @Test
    void extrasOverrideTheDefaults() {
        Properties p = KafkaClientProperties.of("broker:9092", Map.of(ProducerConfig.ACKS_CONFIG, "1")).producer();

        assertThat(p).containsEntry(ProducerConfig.ACKS_CONFIG, "1");
    }

    @Test
    void consumerReadsAtTheIsolationLevelWithoutCommittingOffsets() {
        KafkaClientProperties kafka = KafkaClientProperties.of("broker:9092", SSL);

        assertThat(kafka.consumer(IsolationLevel.READ_COMMITTED))
                .containsEntry(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092")
                .containsEntry(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName())
                .containsEntry(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName())
                .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                .containsEntry("security.protocol", "SSL");
        assertThat(kafka.consumer(IsolationLevel.READ_UNCOMMITTED))
                .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    }

    @Test
    void adminAndConnectorGetServersAndExtrasOnly() {
        KafkaClientProperties kafka = KafkaClientProperties.of("broker:9092", SSL);

        assertThat(kafka.admin()).containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092")
                .containsAllEntriesOf(SSL).hasSize(3);
        assertThat(kafka.connector(Map.of("transaction.timeout.ms", "600000", "security.protocol", "PLAINTEXT")))
                .containsEntry("transaction.timeout.ms", "600000")
                .containsEntry("security.protocol", "SSL")
                .hasSize(4);
    }

    @Test
    void rejectsMissingServersAndEveryReservedKeyByName() {
        assertThatThrownBy(() -> KafkaClientProperties.of(" ", Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "other:9092",
                ConsumerConfig.GROUP_ID_CONFIG, "g",
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "x.Serializer")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bootstrap servers are required")
                .hasMessageContaining("'bootstrap.servers' is not allowed: set the bootstrap servers instead")
                .hasMessageContaining("'group.id' is not allowed: set the group id instead")
                .hasMessageContaining("'value.serializer' is not allowed");
    }

    @Test
    void toStringKeepsSecretsOut() {
        String s = KafkaClientProperties.of("broker:9092", Map.of("sasl.jaas.config", "password=\"hunter2\"")).toString();

        assertThat(s).contains("broker:9092").contains("sasl.jaas.config").doesNotContain("hunter2");
    }
}
