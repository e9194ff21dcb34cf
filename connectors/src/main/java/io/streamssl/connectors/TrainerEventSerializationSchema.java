package io.streamssl.connectors;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Routes {@link TrainerEvent}s: metrics to the metrics topic, snapshot announcements to the snapshots topic. */
public final class TrainerEventSerializationSchema implements KafkaRecordSerializationSchema<TrainerEvent> {

    private static final long serialVersionUID = 1L;

    private final String metricsTopic;
    private final String snapshotsTopic;

    public TrainerEventSerializationSchema(String metricsTopic, String snapshotsTopic) {
        this.metricsTopic = metricsTopic;
        this.snapshotsTopic = snapshotsTopic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(TrainerEvent event, KafkaSinkContext context, Long timestamp) {
        String topic = switch (event.kind) {
            case TrainerEvent.METRICS -> metricsTopic;
            case TrainerEvent.SNAPSHOT -> snapshotsTopic;
            default -> throw new IllegalArgumentException("unknown trainer event kind '" + event.kind + "'");
        };
        return new ProducerRecord<>(topic, null, timestamp, event.key.getBytes(StandardCharsets.UTF_8),
                event.json.getBytes(StandardCharsets.UTF_8));
    }
}
