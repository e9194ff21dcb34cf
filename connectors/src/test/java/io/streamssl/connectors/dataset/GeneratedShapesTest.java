package io.streamssl.connectors.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GeneratedShapesTest {

    @Test
    void imagesArePureFunctionsOfSeedAndIndexWithLabelIndexModTen() {
        GeneratedShapes a = new GeneratedShapes(30, 7, 32);
        List<LabeledImage> first = new ArrayList<>();
        a.forEach(first::add);
        List<LabeledImage> again = new ArrayList<>();
        new GeneratedShapes(30, 7, 32).forEach(again::add);
        assertThat(first).hasSize(30);
        for (int i = 0; i < 30; i++) {
            assertThat(first.get(i).data()).isEqualTo(again.get(i).data());
            assertThat(first.get(i).label()).isEqualTo(i % 10);
        }
        assertThat(new GeneratedShapes(30, 8, 32).pixels(0)).isNotEqualTo(a.pixels(0));
        assertThat(a.pixels(0)).isNotEqualTo(a.pixels(10));
    }

    /** The shape must be visible: every image has pixels of two luma levels at least 90 apart (minus noise). */
    @Test
    void foregroundAndBackgroundDifferInLuma() {
        GeneratedShapes g = new GeneratedShapes(100, 1, 32);
        for (int i = 0; i < 100; i++) {
            byte[] px = g.pixels(i);
            double min = Double.MAX_VALUE;
            double max = -1;
            for (int p = 0; p < px.length; p += 3) {
                double luma = 0.299 * (px[p] & 255) + 0.587 * (px[p + 1] & 255) + 0.114 * (px[p + 2] & 255);
                min = Math.min(min, luma);
                max = Math.max(max, luma);
            }
            assertThat(max - min).as("image %d", i).isGreaterThan(60);
        }
    }

    @Test
    void hsvMatchesHandWorkedColours() {
        assertThat(GeneratedShapes.hsv(0, 1, 1)).containsExactly(255, 0, 0);
        assertThat(GeneratedShapes.hsv(120, 1, 1)).containsExactly(0, 255, 0);
        assertThat(GeneratedShapes.hsv(240, 1, 0.5)).containsExactly(0, 0, 128);
        assertThat(GeneratedShapes.hsv(60, 0.5, 1)).containsExactly(255, 255, 128);
        assertThat(GeneratedShapes.hsv(-60, 1, 1)).containsExactly(255, 0, 255);
    }

    @Test
    void badSizesAreRejected() {
        assertThatThrownBy(() -> new GeneratedShapes(0, 1, 32)).hasMessageContaining("positive");
        assertThatThrownBy(() -> new GeneratedShapes(10, 1, 8)).hasMessageContaining("[16, 1024]");
    }
}
