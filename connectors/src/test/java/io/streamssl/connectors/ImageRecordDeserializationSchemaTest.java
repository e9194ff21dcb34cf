package io.streamssl.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.junit.jupiter.api.Test;

class ImageRecordDeserializationSchemaTest {

    private static ImageRecord deserialize(ConsumerRecord<byte[], byte[]> record) {
        List<ImageRecord> out = new ArrayList<>();
        new ImageRecordDeserializationSchema().deserialize(record, new Collector<>() {
            @Override
            public void collect(ImageRecord r) {
                out.add(r);
            }

            @Override
            public void close() {}
        });
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private static ConsumerRecord<byte[], byte[]> record(String key, byte[] value, String... headers) {
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("images", 2, 17L,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return r;
    }

    @Test
    void readsKeyValueAndEveryHeader() {
        byte[] px = new byte[2 * 3 * 3];
        ImageRecord r = deserialize(record("img-1", px, "content-type", ImageRecordHeaders.RAW_RGB8, "width", "2",
                "height", "3", "label", "7", "source", "cam", "ts", "1700000000000", "epoch", "4"));
        assertThat(r.id).isEqualTo("img-1");
        assertThat(r.data).isSameAs(px);
        assertThat(r.contentType).isEqualTo(ImageRecordHeaders.RAW_RGB8);
        assertThat(r.width).isEqualTo(2);
        assertThat(r.height).isEqualTo(3);
        assertThat(r.label).isEqualTo(7);
        assertThat(r.source).isEqualTo("cam");
        assertThat(r.timestamp).isEqualTo(1_700_000_000_000L);
        assertThat(r.epoch).isEqualTo(4);
        assertThat(r.problem).isNull();
        assertThat(r.position()).isEqualTo("images-2@17");
    }

    @Test
    void labelIsOptional() {
        ImageRecord r = deserialize(record("a", new byte[] {1}, "content-type", ImageRecordHeaders.PNG));
        assertThat(r.label).isEqualTo(ImageRecord.NO_LABEL);
        assertThat(r.problem).isNull();
    }

    @Test
    void malformedHeaderIsCarriedAsAProblemNotThrown() {
        ImageRecord r = deserialize(record("a", new byte[] {1}, "content-type", ImageRecordHeaders.PNG, "label", "cat"));
        assertThat(r.problem).isEqualTo("header 'label' must be a decimal number, got 'cat'");
        ImageRecord negative = deserialize(record("b", new byte[] {1}, "label", "-3"));
        assertThat(negative.problem).contains("label").contains("-3");
    }

    @Test
    void missingKeyGetsAStableIdFromItsPosition() {
        ImageRecord r = deserialize(record(null, new byte[] {1}, "content-type", ImageRecordHeaders.PNG));
        assertThat(r.id).isEqualTo("images-2@17");
    }
}
