package io.streamssl.pipeline.program;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.connectors.TopicLimits;
import io.streamssl.connectors.kafka.EmbeddedKafka;
import io.streamssl.pipeline.config.JobConfig;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check {@code run} makes before submitting, against a real broker: a missing topic and an unreachable broker
 * fail at once with the key, its value and the fix.
 */
class KafkaStartupCheckITCase {

    @TempDir
    static Path work;

    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start(work.resolve("kafka"));
        kafka.createTopics(1, "metrics", "snapshots");
        // as the README creates them: room for an image of augment.max-image-bytes (16 MiB) and its headers
        kafka.createTopic("images", 1, Map.of("max.message.bytes", Long.toString(TopicLimits.IMAGE_TOPIC_BYTES)));
        kafka.createTopic("images.dlq", 1,
                Map.of("max.message.bytes", Long.toString(TopicLimits.DEAD_LETTER_TOPIC_BYTES)));
        kafka.createTopic("small-images", 1, Map.of()); // the broker's default: 1 MB
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @Test
    void existingTopicsPassAndTooFewImagePartitionsWarn() {
        assertThat(check(Map.of())).isEmpty();

        List<String> warnings = check(Map.of("augment.parallelism", "2"));

        assertThat(warnings).singleElement().asString().contains("'images' (kafka.images-topic) has 1 partition(s)")
                .contains("augment.parallelism=2").contains("--alter --topic images --partitions 2");
    }

    @Test
    void aTopicThatCannotTakeTheLargestImageWarnsWithTheCommandThatRaisesItsLimit() {
        List<String> warnings = check(Map.of("kafka.images-topic", "small-images"));

        assertThat(warnings).singleElement().asString().contains("topic 'small-images' takes records of at most")
                .contains("needs " + TopicLimits.IMAGE_TOPIC_BYTES)
                .contains("--entity-name small-images --add-config max.message.bytes=" + TopicLimits.IMAGE_TOPIC_BYTES);
        assertThat(check(Map.of("kafka.images-topic", "small-images", "augment.max-image-bytes", "2000000")))
                .singleElement().asString().contains("needs " + (2_000_000 + TopicLimits.RECORD_HEADROOM_BYTES));
    }

    @Test
    void aMissingTopicNamesTheKeyTheValueAndTheCommandThatCreatesIt() {
        // the broker's answer, not a timeout: the message is the one for UnknownTopicOrPartition
        assertThatThrownBy(() -> check(Map.of("kafka.images-topic", "no-such-images")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topic 'no-such-images' (config key kafka.images-topic) does not exist")
                .hasMessageContaining("kafka-topics.sh --bootstrap-server " + kafka.bootstrapServers()
                        + " --create --topic no-such-images --partitions 1");
        assertThatThrownBy(() -> check(Map.of("kafka.dead-letter-topic", "dlq-missing")))
                .hasMessageContaining("(config key kafka.dead-letter-topic)");
    }

    @Test
    void anUnreachableBrokerFailsWithinTheTimeoutNamingKeyAndAddress() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String address = "127.0.0.1:" + closedPort;
        long start = System.nanoTime();

        assertThatThrownBy(() -> new KafkaStartupCheck(config(Map.of("kafka.bootstrap-servers", address)), Map.of(),
                Duration.ofSeconds(3)).check())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no Kafka broker answered at kafka.bootstrap-servers='" + address + "' within 3 s")
                .hasMessageContaining("--set kafka.bootstrap-servers=HOST:PORT");
        // not the 30 s of Kafka's default metadata timeout that the user saw before (the check's bound is 3 + 1 s;
        // the margin is for a loaded machine)
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(25));
    }

    private static List<String> check(Map<String, String> more) {
        return new KafkaStartupCheck(config(more), Map.of(), Duration.ofSeconds(10)).check();
    }

    private static JobConfig config(Map<String, String> more) {
        Map<String, String> m = new HashMap<>(Map.of("kafka.bootstrap-servers", kafka.bootstrapServers()));
        m.putAll(more);
        return JobConfig.of(m);
    }
}
