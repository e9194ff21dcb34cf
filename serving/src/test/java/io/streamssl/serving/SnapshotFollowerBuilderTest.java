package io.streamssl.serving;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
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
    void readCommittedMayBeSpelledOut() {
        // passes validation, then fails to find a broker quickly: the isolation level was accepted
        assertThatThrownBy(() -> SnapshotFollower.builder().setBootstrapServers("127.0.0.1:1")
                .optClientProperties(Map.of("isolation.level", "read_committed"))
                .optMetadataTimeout(java.time.Duration.ofMillis(200)).build())
                .isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
    }
}
