package io.streamssl.pipeline.embed;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * {@link Embedding} → Kafka: key = image id (UTF-8), value = the vector as float32 little-endian (numpy:
 * {@code np.frombuffer(value, '<f4')}), headers {@value #STEP} (decimal), {@value #SHA256} (hex), {@value #MODEL},
 * {@value #METHOD}. The partition follows from the key (Kafka's default partitioner).
 */
public final class EmbeddingSerializationSchema implements KafkaRecordSerializationSchema<Embedding> {

    private static final long serialVersionUID = 1L;

    public static final String STEP = "snapshot-step";
    public static final String SHA256 = "snapshot-sha256";
    public static final String MODEL = "model";
    public static final String METHOD = "method";

    private final String topic;

    public EmbeddingSerializationSchema(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Embedding e, KafkaSinkContext context, Long timestamp) {
        RecordHeaders h = new RecordHeaders();
        h.add(STEP, utf8(Long.toString(e.step)));
        h.add(SHA256, utf8(e.sha256));
        h.add(MODEL, utf8(e.model));
        h.add(METHOD, utf8(e.method));
        return new ProducerRecord<>(topic, null, timestamp, utf8(e.id), littleEndian(e.vector), h);
    }

    /** The vector as float32 little-endian bytes. */
    public static byte[] littleEndian(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    /** The inverse of {@link #littleEndian}: what a consumer of the topic does. */
    public static float[] vector(byte[] value) {
        if (value.length % Float.BYTES != 0) {
            throw new IllegalArgumentException("an embedding value has a multiple of 4 bytes, got " + value.length);
        }
        float[] v = new float[value.length / Float.BYTES];
        ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    private static byte[] utf8(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }
}
