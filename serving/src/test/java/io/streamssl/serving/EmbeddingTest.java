package io.streamssl.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EmbeddingTest {

    private static final ServedSnapshot SNAPSHOT = new ServedSnapshot(7, "ab12", Path.of("/s/step-000000007"), null);

    @Test
    void rowsAndTheirLittleEndianFloat32Bytes() {
        Embedding e = new Embedding(new float[] {1f, -2f, 0.5f, 3f}, 2, SNAPSHOT);
        assertThat(e.count()).isEqualTo(2);
        assertThat(e.dimension()).isEqualTo(2);
        assertThat(e.row(1)).containsExactly(0.5f, 3f);
        // IEEE 754: 1.0f = 0x3F800000, -2.0f = 0xC0000000, least significant byte first
        assertThat(e.littleEndian(0)).containsExactly(0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0);
        // 0.5f = 0x3F000000, 3.0f = 0x40400000
        assertThat(e.littleEndian(1)).containsExactly(0x00, 0x00, 0x00, 0x3F, 0x00, 0x00, 0x40, 0x40);
        assertThat(e.step()).isEqualTo(7);
        assertThat(e.weightsSha256()).isEqualTo("ab12");
        assertThatThrownBy(() -> e.row(2)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void valuesThatAreNotEqualRowsAreRefused() {
        assertThatThrownBy(() -> new Embedding(new float[3], 2, SNAPSHOT)).hasMessageContaining("not 2 equal rows");
    }
}
