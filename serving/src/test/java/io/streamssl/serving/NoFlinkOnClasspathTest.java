package io.streamssl.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The module's classpath (streamssl-connectors with its Flink connector excluded) holds no Flink, and what the
 * follower uses of connectors still loads without it. SnapshotFollowerITCase runs the follower itself there.
 */
class NoFlinkOnClasspathTest {

    static void assertNoFlink() {
        for (String flinkClass : new String[] {"org.apache.flink.api.common.JobID",
                "org.apache.flink.streaming.api.environment.StreamExecutionEnvironment",
                "org.apache.flink.connector.kafka.source.KafkaSource"}) {
            assertThatThrownBy(() -> Class.forName(flinkClass)).as(flinkClass)
                    .isInstanceOf(ClassNotFoundException.class);
        }
        assertThat(NoFlinkOnClasspathTest.class.getClassLoader().getResource("org/apache/flink/api/common/JobID.class"))
                .isNull();
    }

    @Test
    void noFlinkClassIsOnTheClasspathAndTheFollowersPartsLoad() throws Exception {
        assertNoFlink();
        for (String used : new String[] {"io.streamssl.serving.SnapshotFollower",
                "io.streamssl.connectors.event.TrainerEventCodec", "io.streamssl.connectors.event.SnapshotEvent",
                "io.streamssl.connectors.KafkaClientProperties", "io.streamssl.connectors.ConfigRedaction",
                "io.streamssl.connectors.kafka.EmbeddedKafka"}) {
            assertThat(Class.forName(used, true, getClass().getClassLoader())).as(used).isNotNull();
        }
    }
}
