package io.streamssl.connectors;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * {@link DeadLetter} → Kafka: key = image id, value = the original bytes, headers {@code dlq-stage},
 * {@code dlq-reason}, {@code dlq-detail}, {@code dlq-source} (topic-partition@offset) and the original
 * {@code content-type}.
 */
public final class DeadLetterSerializationSchema implements KafkaRecordSerializationSchema<DeadLetter> {

    private static final long serialVersionUID = 1L;

    public static final String STAGE = "dlq-stage";
    public static final String REASON = "dlq-reason";
    public static final String DETAIL = "dlq-detail";
    public static final String SOURCE = "dlq-source";

    private final String topic;

    public DeadLetterSerializationSchema(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext context, Long timestamp) {
        RecordHeaders h = new RecordHeaders();
        h.add(STAGE, utf8(d.stage));
        h.add(REASON, utf8(d.reason));
        h.add(DETAIL, utf8(d.detail));
        h.add(SOURCE, utf8(d.position));
        if (d.contentType != null) {
            h.add(ImageRecordHeaders.CONTENT_TYPE, utf8(d.contentType));
        }
        return new ProducerRecord<>(topic, null, timestamp, d.id == null ? null : utf8(d.id), d.data, h);
    }

    private static byte[] utf8(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }
}
