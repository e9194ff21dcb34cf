package io.streamssl.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.dataset.StreamOrder;
import io.streamssl.connectors.dataset.StreamSchedule;
import io.streamssl.connectors.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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

    /** Class-incremental, 5 phases of 2 classes, each phase twice in a row: the topic holds exactly the plan. */
    @Test
    void publishesAClassIncrementalStreamPhaseAfterPhase() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp)) {
            kafka.createTopics(1, "images");
            GeneratedShapes shapes = new GeneratedShapes(40, 1, 16);
            StreamOrder order = StreamOrder.classIncremental(2, 3);
            List<ImageProducer.Progress> progress = new ArrayList<>();
            long sent = ImageProducer.builder().setBootstrapServers(kafka.bootstrapServers()).setDataset(shapes)
                    .optOrder(order).optRepeat(2).optProgress(progress::add).build().run();
            assertThat(sent).isEqualTo(80);

            StreamSchedule plan = order.schedule(shapes.labels());
            int[] expected = plan.sequence(2);
            List<ConsumerRecord<byte[], byte[]>> records = readAll(kafka, "images", 80);
            assertThat(records).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                    .containsExactly(Arrays.stream(expected).mapToObj(i -> "generated/1/" + i).toArray(String[]::new));
            for (int p = 0; p < 5; p++) {
                List<Integer> classes = plan.phases().get(p).classes();
                // phase p: 8 images (2 classes of 4) with epoch 0, then the same 8 reshuffled with epoch 1
                for (int k = 0; k < 16; k++) {
                    ConsumerRecord<byte[], byte[]> r = records.get(16 * p + k);
                    assertThat(Integer.parseInt(header(r, ImageRecordHeaders.LABEL))).isIn(classes);
                    assertThat(header(r, ImageRecordHeaders.EPOCH)).isEqualTo(k < 8 ? "0" : "1");
                }
            }
            assertThat(progress).extracting(ImageProducer.Progress::phase).filteredOn(Objects::nonNull)
                    .extracting(StreamSchedule.Phase::index).containsSubsequence(0, 1, 2, 3, 4);
            assertThat(progress.get(0).phase().toString()).isEqualTo("phase 1/5 classes "
                    + plan.phases().get(0).classes());
        }
    }

    @Test
    void aClassIncrementalOrderCannotRepeatForever() {
        assertThatThrownBy(() -> ImageProducer.builder().setBootstrapServers("localhost:9092")
                .setDataset(new GeneratedShapes(10, 1, 16)).optOrder(StreamOrder.classIncremental(2, 1)).optRepeat(0)
                .build()).hasMessageContaining("repeat 0 (forever) cannot go with a class-incremental order");
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
