package io.streamssl.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class TrainerEventSinkTest {

    @Test
    void buildNamesEveryMissingOption() {
        assertThatThrownBy(() -> TrainerEventSink.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("TrainerEventSink cannot be built:")
                .hasMessageContaining("bootstrap servers (setBootstrapServers)")
                .hasMessageContaining("metrics topic (setMetricsTopic)")
                .hasMessageContaining("snapshots topic (setSnapshotsTopic)")
                .hasMessageContaining("transactional-id prefix (setTransactionalIdPrefix)");
    }

    @Test
    void writesExactlyOnceInTransactionsThatTheBrokerAccepts() {
        KafkaSink<TrainerEvent> sink = valid().build();

        assertThat(ConnectorInternals.deliveryGuarantee(sink)).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(ConnectorInternals.transactionalIdPrefix(sink)).isEqualTo("streamssl-byol");
        // the broker's transaction.max.timeout.ms is 15 min by default; Flink's own default (1 h) would be refused
        assertThat(ConnectorInternals.clientProperties(sink))
                .containsEntry(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "600000")
                .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092");
    }

    @Test
    void clientPropertiesReachTheProducersAndMayChangeTheTimeout() {
        KafkaSink<TrainerEvent> sink = valid()
                .optClientProperties(Map.of("security.protocol", "SSL", ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "300000"))
                .build();

        assertThat(ConnectorInternals.clientProperties(sink))
                .containsEntry("security.protocol", "SSL")
                .containsEntry(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "300000");
    }

    @Test
    void rejectsReservedClientProperties() {
        assertThatThrownBy(() -> valid().optClientProperties(Map.of("bootstrap.servers", "other:9092")).build())
                .hasMessageContaining("'bootstrap.servers' is not allowed: set the bootstrap servers instead");
    }

    private static TrainerEventSink.Builder valid() {
        return TrainerEventSink.builder().setBootstrapServers("broker:9092").setMetricsTopic("metrics")
                .setSnapshotsTopic("snapshots").setTransactionalIdPrefix("streamssl-byol");
    }
}
