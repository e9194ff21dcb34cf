package io.streamssl.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The producer against a real in-process KRaft broker. */
class ImageProducerITCase {

    @TempDir
    Path tmp;

    @Test
    void publishesEveryPassWithItsEpochAndLabels() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp)) {
            kafka.createTopics(1, "images");
            List<ImageProducer.Progress> progress = new ArrayList<>();
            long sent = ImageProducer.builder().setBootstrapServers(kafka.bootstrapServers())
                    .setDataset(new GeneratedShapes(25, 1, 32)).optRepeat(2).optProgress(progress::add).build().run();
            assertThat(sent).isEqualTo(50);
            assertThat(progress.get(progress.size() - 1)).extracting(ImageProducer.Progress::sent,
                    ImageProducer.Progress::done).containsExactly(50L, true);

            List<ConsumerRecord<byte[], byte[]>> records = readAll(kafka, "images", 50);
            assertThat(records).hasSize(50);
            ConsumerRecord<byte[], byte[]> first = records.get(0);
            assertThat(new String(first.key(), StandardCharsets.UTF_8)).isEqualTo("generated/1/0");
            assertThat(header(first, ImageRecordHeaders.CONTENT_TYPE)).isEqualTo(ImageRecordHeaders.RAW_RGB8);
            assertThat(header(first, ImageRecordHeaders.WIDTH)).isEqualTo("32");
            assertThat(header(first, ImageRecordHeaders.LABEL)).isEqualTo("0");
            assertThat(header(first, ImageRecordHeaders.EPOCH)).isEqualTo("0");
            assertThat(header(records.get(25), ImageRecordHeaders.EPOCH)).isEqualTo("1");
            assertThat(header(records.get(37), ImageRecordHeaders.LABEL)).isEqualTo("2");
            assertThat(first.value()).isEqualTo(new GeneratedShapes(25, 1, 32).pixels(0));

            long limited = ImageProducer.builder().setBootstrapServers(kafka.bootstrapServers())
                    .setDataset(new GeneratedShapes(25, 1, 32)).optRepeat(0).optMaxRecords(7).optLabels(false).build()
                    .run();
            assertThat(limited).isEqualTo(7);
            assertThat(readAll(kafka, "images", 57).get(50).headers().lastHeader(ImageRecordHeaders.LABEL)).isNull();
        }
    }

    @Test
    void builderNamesWhatIsMissing() {
        assertThatThrownBy(() -> ImageProducer.builder().optClientProperties(Map.of("key.serializer", "x.Serializer"))
                .build()).hasMessageContaining("bootstrap servers")
                .hasMessageContaining("data set")
                .hasMessageContaining("'key.serializer' is not allowed");
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(EmbeddedKafka kafka, String topic, int n) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(
                KafkaClientProperties.of(kafka.bootstrapServers()).consumer(IsolationLevel.READ_UNCOMMITTED))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < n && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
