package io.streamssl.serving;

import io.streamssl.connectors.KafkaClientProperties;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.connectors.event.TrainerEventCodec;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes snapshot announcements in Kafka transactions, as the training job's exactly-once sink does. */
final class TransactionalAnnouncer implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;

    TransactionalAnnouncer(String bootstrapServers, String topic, String transactionalId) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(KafkaClientProperties.of(bootstrapServers,
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId)).producer());
        producer.initTransactions();
    }

    /** The announcements in one committed transaction: what a completed checkpoint publishes. */
    void commit(SnapshotEvent... announcements) {
        producer.beginTransaction();
        send(announcements);
        producer.commitTransaction();
    }

    /** The announcements in one aborted transaction: what a failure before the checkpoint completed leaves. */
    void abort(SnapshotEvent... announcements) {
        producer.beginTransaction();
        send(announcements);
        producer.flush();
        producer.abortTransaction();
    }

    private void send(SnapshotEvent... announcements) {
        for (SnapshotEvent a : announcements) {
            producer.send(new ProducerRecord<>(topic, a.header().model().getBytes(StandardCharsets.UTF_8),
                    TrainerEventCodec.encode(a).getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
