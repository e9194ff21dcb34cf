package io.streamssl.pipeline.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The {@code embed.*} keys are checked at load, naming the key; the record format, byte by byte. */
class EmbedConfigAndRecordTest {

    @Test
    void defaultsAndBadValuesNameTheKey() {
        JobConfig defaults = JobConfig.of(Map.of());
        assertThat(defaults.get(StreamsslOptions.EMBED_OUTPUT_TOPIC)).isEqualTo("embeddings");
        assertThat(defaults.get(StreamsslOptions.EMBED_BATCH_SIZE)).isEqualTo(32);
        assertThat(defaults.embedFailAfter()).isEmpty();
        assertThatThrownBy(() -> JobConfig.of(Map.of("embed.batch-size", "0")))
                .hasMessageContaining("'embed.batch-size'").hasMessageContaining(">= 1");
        assertThatThrownBy(() -> JobConfig.of(Map.of("embed.parallelism", "x")))
                .hasMessageContaining("'embed.parallelism'");
        assertThatThrownBy(() -> JobConfig.of(Map.of("embed.output-topic", " ")))
                .hasMessageContaining("'embed.output-topic'");
        assertThatThrownBy(() -> JobConfig.of(Map.of("testing.embed-fail-after", "5,zero")))
                .hasMessageContaining("'testing.embed-fail-after'");
        assertThat(JobConfig.of(Map.of("testing.embed-fail-after", "50, 20")).embedFailAfter())
                .containsExactly(50L, 20L);
    }

    @Test
    void recordIsKeyedByIdWithLittleEndianFloatsAndSnapshotHeaders() {
        Embedding e = new Embedding("img/7", new float[] {1.0f, -2.5f}, 40, "ab12", "resnet18", "byol");
        ProducerRecord<byte[], byte[]> r = new EmbeddingSerializationSchema("embeddings").serialize(e, null, 123L);
        assertThat(r.topic()).isEqualTo("embeddings");
        assertThat(r.partition()).isNull();
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("img/7");
        // 1.0f = 0x3F800000, -2.5f = 0xC0200000, least significant byte first
        assertThat(r.value()).containsExactly(0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0);
        assertThat(EmbeddingSerializationSchema.vector(r.value())).containsExactly(1.0f, -2.5f);
        assertThat(List.of(r.headers().toArray())).extracting(h -> h.key() + "=" + new String(h.value(),
                StandardCharsets.UTF_8)).containsExactly("snapshot-step=40", "snapshot-sha256=ab12", "model=resnet18",
                        "method=byol");
    }
}
