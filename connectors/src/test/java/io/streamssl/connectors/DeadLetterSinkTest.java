package io.streamssl.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class DeadLetterSinkTest {

    @Test
    void buildNamesEveryMissingOption() {
        assertThatThrownBy(() -> DeadLetterSink.builder().setTopic(" ").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("DeadLetterSink cannot be built:")
                .hasMessageContaining("bootstrap servers (setBootstrapServers)")
                .hasMessageContaining("topic (setTopic)");
    }

    @Test
    void writesAtLeastOnceWithTheClientProperties() {
        KafkaSink<DeadLetter> sink = DeadLetterSink.builder().setBootstrapServers("broker:9092").setTopic("images.dlq")
                .optClientProperties(Map.of("security.protocol", "SSL"))
                .build();

        assertThat(ConnectorInternals.deliveryGuarantee(sink)).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
        assertThat(ConnectorInternals.clientProperties(sink))
                .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092")
                .containsEntry("security.protocol", "SSL");
    }
}
