package io.streamssl.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

class ImageSourceTest {

    @Test
    void buildNamesEveryMissingOption() {
        assertThatThrownBy(() -> ImageSource.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ImageSource cannot be built:")
                .hasMessageContaining("bootstrap servers (setBootstrapServers)")
                .hasMessageContaining("topic (setTopic)")
                .hasMessageContaining("group id (setGroupId)");
    }

    @Test
    void rejectsUnknownStartingOffsetsListingTheValidOnes() {
        assertThatThrownBy(() -> valid().optStartingOffsets("middle").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("starting offsets must be one of earliest, latest, committed, got 'middle'");
    }

    @Test
    void reportsBadOffsetsAndMissingOptionsTogether() {
        assertThatThrownBy(() -> ImageSource.builder().setTopic("images").optStartingOffsets("newest").build())
                .hasMessageContaining("bootstrap servers").hasMessageContaining("group id")
                .hasMessageContaining("got 'newest'");
    }

    @Test
    void buildsForEveryStartingOffset() {
        for (String mode : ImageSource.STARTING_OFFSETS) {
            assertThat(valid().optStartingOffsets(mode).build().getProducedType().getTypeClass())
                    .isEqualTo(ImageRecord.class);
        }
    }

    @Test
    void clientPropertiesReachTheConsumers() {
        KafkaSource<ImageRecord> source = valid()
                .optClientProperties(Map.of("security.protocol", "SASL_SSL"))
                .optClientProperties(Map.of("sasl.mechanism", "PLAIN"))
                .build();

        assertThat(ConnectorInternals.clientProperties(source))
                .containsEntry(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092")
                .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "streamssl")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN");
    }

    @Test
    void rejectsClientPropertiesThatHaveTheirOwnSetter() {
        assertThatThrownBy(() -> valid().optClientProperties(Map.of("group.id", "other")).build())
                .hasMessageContaining("'group.id' is not allowed: set the group id instead");
    }

    private static ImageSource.Builder valid() {
        return ImageSource.builder().setBootstrapServers("broker:9092").setTopic("images").setGroupId("streamssl");
    }
}
