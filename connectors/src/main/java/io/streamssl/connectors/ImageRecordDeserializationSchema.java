package io.streamssl.connectors;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Kafka record → {@link ImageRecord}. Never throws: a record with a malformed envelope (a header that is not
 * a number, no key) is passed on with {@link ImageRecord#problem} set, so one bad record cannot stop the job
 * and still reaches the dead-letter topic with its reason.
 */
public final class ImageRecordDeserializationSchema implements KafkaRecordDeserializationSchema<ImageRecord> {

    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ImageRecord> out) {
        ImageRecord r = new ImageRecord();
        r.topic = record.topic();
        r.partition = record.partition();
        r.offset = record.offset();
        r.timestamp = record.timestamp();
        r.data = record.value();
        if (record.key() == null || record.key().length == 0) {
            // still a usable image: give it a stable id from its position so augmentation stays deterministic
            r.id = r.position();
        } else {
            r.id = new String(record.key(), StandardCharsets.UTF_8);
        }
        for (Header h : record.headers()) {
            String value = h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8).trim();
            try {
                switch (h.key()) {
                    case ImageRecordHeaders.CONTENT_TYPE -> r.contentType = value;
                    case ImageRecordHeaders.WIDTH -> r.width = Integer.parseInt(value);
                    case ImageRecordHeaders.HEIGHT -> r.height = Integer.parseInt(value);
                    case ImageRecordHeaders.LABEL -> r.label = Integer.parseInt(value);
                    case ImageRecordHeaders.SOURCE -> r.source = value;
                    case ImageRecordHeaders.TIMESTAMP -> r.timestamp = Long.parseLong(value);
                    case ImageRecordHeaders.EPOCH -> r.epoch = Long.parseLong(value);
                    default -> {
                        // other headers are the producer's business
                    }
                }
            } catch (NumberFormatException e) {
                r.problem = "header '" + h.key() + "' must be a decimal number, got '" + value + "'";
            }
        }
        if (r.label < ImageRecord.NO_LABEL && r.problem == null) {
            r.problem = "header 'label' must be >= 0, got " + r.label;
        }
        out.collect(r);
    }

    @Override
    public TypeInformation<ImageRecord> getProducedType() {
        return TypeInformation.of(ImageRecord.class);
    }
}
