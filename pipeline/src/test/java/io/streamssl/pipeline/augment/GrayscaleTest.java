package io.streamssl.pipeline.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class GrayscaleTest {

    @Test
    void primariesGetTheItuR601Weights() {
        float[] px = {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30};
        Grayscale.apply(px, 4);
        // 0.299·255 = 76.245, 0.587·255 = 149.685, 0.114·255 = 29.07, 0.299·10 + 0.587·20 + 0.114·30 = 2.99 + 11.74 + 3.42 = 18.15
        float[] expected = {76.245f, 76.245f, 76.245f, 149.685f, 149.685f, 149.685f, 29.07f, 29.07f, 29.07f,
                18.15f, 18.15f, 18.15f};
        assertThat(px).containsExactly(expected, offset(1e-3f));
    }

    @Test
    void weightsSumToOneSoGrayIsKept() {
        assertThat(Grayscale.RED + Grayscale.GREEN + Grayscale.BLUE).isCloseTo(1f, offset(1e-6f));
        assertThat(Grayscale.luma(200, 200, 200)).isCloseTo(200f, offset(1e-3f));
    }
}
