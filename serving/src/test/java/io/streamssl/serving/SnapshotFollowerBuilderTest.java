package io.streamssl.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

/** Options are checked all at once, before any connection is made. */
class SnapshotFollowerBuilderTest {

    @Test
    void everyBadOptionIsNamedInOneMessage() {
        assertThatThrownBy(() -> SnapshotFollower.builder().optTopic(" ").optModel("")
                .optClientProperties(Map.of("group.id", "g", "isolation.level", "read_uncommitted")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("SnapshotFollower: ")
                .hasMessageContaining("setBootstrapServers is required")
                .hasMessageContaining("optTopic must name a topic (default 'snapshots')")
                .hasMessageContaining("optModel must name a model")
                .hasMessageContaining("extra client property 'group.id' is not allowed")
                .hasMessageContaining("'isolation.level' may only be 'read_committed', got 'read_uncommitted'");
    }

    @Test
    void secretClientPropertiesAreMaskedInTheLog() {
        Map<String, String> sasl = Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"svc\" password=\"s3cr3t-pw\";");
        try (CapturedLog log = new CapturedLog(SnapshotFollower.class, Level.INFO)) {
            // no broker there: it logs its settings, then gives up finding the topic
            assertThatThrownBy(() -> SnapshotFollower.builder().setBootstrapServers("127.0.0.1:1")
                    .optClientProperties(sasl).optMetadataTimeout(Duration.ofMillis(200)).build())
                    .isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
            assertThat(log.messages()).singleElement().asString()
                    .contains("topic 'snapshots' at 127.0.0.1:1")
                    .contains("sasl.jaas.config=***").contains("security.protocol=SASL_PLAINTEXT")
                    .doesNotContain("s3cr3t-pw");
        }
    }

    @Test
    void readCommittedMayBeSpelledOut() {
        // passes validation, then fails to find a broker quickly: the isolation level was accepted
        assertThatThrownBy(() -> SnapshotFollower.builder().setBootstrapServers("127.0.0.1:1")
                .optClientProperties(Map.of("isolation.level", "read_committed"))
                .optMetadataTimeout(Duration.ofMillis(200)).build())
                .isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
    }
}
