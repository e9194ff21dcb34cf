package io.streamssl.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicLimitsTest {

    @Test
    void theDocumentedTopicLimitsAreTheDefaultImageLimitPlusHeadroom() {
        // 16 MiB + 1 MiB and + 2 MiB, computed independently of the class's arithmetic
        assertThat(TopicLimits.imageRecordBytes(TopicLimits.DEFAULT_MAX_IMAGE_BYTES))
                .isEqualTo(17 * 1024 * 1024L).isEqualTo(TopicLimits.IMAGE_TOPIC_BYTES);
        assertThat(TopicLimits.deadLetterRecordBytes(TopicLimits.DEFAULT_MAX_IMAGE_BYTES))
                .isEqualTo(18 * 1024 * 1024L).isEqualTo(TopicLimits.DEAD_LETTER_TOPIC_BYTES);
    }

    @Test
    void producerRequestSizeFollowsTheImageLimitUnlessTheUserSetOne() {
        assertThat(TopicLimits.imageProducer(Map.of("security.protocol", "SSL"), 16 << 20))
                .containsEntry("max.request.size", "17825792").containsEntry("security.protocol", "SSL")
                .doesNotContainKey("buffer.memory");
        assertThat(TopicLimits.deadLetterProducer(Map.of(), 16 << 20)).containsEntry("max.request.size", "18874368");
        assertThat(TopicLimits.imageProducer(Map.of("max.request.size", "5000000"), 16 << 20))
                .containsEntry("max.request.size", "5000000");
        // a limit beyond the producer's default 32 MiB buffer gets a buffer that holds one record
        assertThat(TopicLimits.imageProducer(Map.of(), 64 << 20))
                .containsEntry("max.request.size", Long.toString((64 << 20) + (1 << 20)))
                .containsEntry("buffer.memory", Long.toString(2L * ((64 << 20) + (1 << 20))));
    }
}
