package io.streamssl.connectors.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.connectors.KafkaClientProperties;
import io.streamssl.connectors.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reader against a real broker and a transactional producer, as the trainer's exactly-once sink writes. */
class TrainerEventReaderITCase {

    @TempDir
    Path tmp;

    private static CheckpointEvent checkpoint(String run, long step) {
        return new CheckpointEvent(new EventHeader(run, "m", step, step * 4, 0, 0, Instant.EPOCH), step, "ab", 8, 0, 1);
    }

    @Test
    void readCommittedSeesOnlyCommittedTransactionsAsWrittenSeesAll() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp)) {
            kafka.createTopics(1, "metrics");
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClientProperties.of(
                    kafka.bootstrapServers(), Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "trainer-test")).producer())) {
                producer.initTransactions();
                producer.beginTransaction();
                send(producer, checkpoint("a", 1));
                send(producer, checkpoint("b", 1));
                producer.commitTransaction();
                producer.beginTransaction();
                send(producer, checkpoint("a", 2)); // rolled back, like a failed attempt's records
                producer.flush();
                producer.abortTransaction();
                producer.beginTransaction();
                send(producer, checkpoint("a", 3)); // still open
                producer.flush();

                Map<String, String> extra = Map.of(ConsumerConfig.CLIENT_ID_CONFIG, "reader-test");
                try (TrainerEventReader committed = TrainerEventReader.builder()
                        .setBootstrapServers(kafka.bootstrapServers()).setTopic("metrics").optClientProperties(extra)
                        .build()) {
                    List<TrainerRecord> all = committed.readToEnd(Duration.ofSeconds(30));
                    assertThat(all).extracting(TrainerRecord::runId).containsExactly("a", "b");
                    assertThat(TrainerEventReader.select(all, "a", CheckpointEvent.class)).singleElement()
                            .isEqualTo(checkpoint("a", 1));
                }
                try (TrainerEventReader written = TrainerEventReader.builder()
                        .setBootstrapServers(kafka.bootstrapServers()).setTopic("metrics").optReadUncommitted()
                        .build()) {
                    assertThat(TrainerEventReader.select(written.readToEnd(), "a", CheckpointEvent.class))
                            .extracting(CheckpointEvent::step).containsExactly(1L, 2L, 3L);
                }
                try (TrainerEventReader tail = TrainerEventReader.builder()
                        .setBootstrapServers(kafka.bootstrapServers()).setTopic("metrics").optReadUncommitted()
                        .optStartAtEnd().build()) {
                    send(producer, checkpoint("a", 4));
                    producer.commitTransaction();
                    List<TrainerRecord> seen = List.of();
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (seen.isEmpty() && System.nanoTime() < deadline) {
                        seen = tail.poll(Duration.ofMillis(200));
                    }
                    assertThat(seen).as("from the end: only what came after").extracting(TrainerRecord::step)
                            .containsExactly(4L);
                }
            }
        }
    }

    @Test
    void aMissingTopicOrSettingIsNamed() throws Exception {
        assertThatThrownBy(() -> TrainerEventReader.builder().build())
                .hasMessage("TrainerEventReader needs setBootstrapServers and setTopic");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp)) {
            Map<String, String> noAutoCreate = Map.of(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
            assertThatThrownBy(() -> TrainerEventReader.builder().setBootstrapServers(kafka.bootstrapServers())
                    .setTopic("nowhere").optClientProperties(noAutoCreate).build())
                    .hasMessageContaining("topic 'nowhere' does not exist");
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, TrainerRecord r) {
        producer.send(new ProducerRecord<>("metrics", r.header().model().getBytes(StandardCharsets.UTF_8),
                TrainerEventCodec.encode(r).getBytes(StandardCharsets.UTF_8)));
    }
}
