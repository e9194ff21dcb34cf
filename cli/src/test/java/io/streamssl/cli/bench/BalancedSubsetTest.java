package io.streamssl.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.dataset.LabeledImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The class-balanced subset the continual benchmark streams. */
class BalancedSubsetTest {

    @Test
    void takesTheFirstImagesOfEveryClassInDataSetOrder() {
        GeneratedShapes shapes = new GeneratedShapes(100, 1, 16);
        int[] labels = shapes.labels();
        BalancedSubset subset = new BalancedSubset(shapes, 3);
        assertThat(subset.size()).isEqualTo(30);
        int[] perClass = new int[10];
        for (int l : subset.labels()) {
            perClass[l]++;
        }
        assertThat(perClass).containsOnly(3);

        // independently: walk the base in order and keep an image while its class has fewer than 3
        List<String> expected = new ArrayList<>();
        int[] taken = new int[10];
        for (int i = 0; i < labels.length; i++) {
            if (taken[labels[i]]++ < 3) {
                expected.add(shapes.image(i).id());
            }
        }
        List<String> ids = new ArrayList<>();
        for (LabeledImage image : subset) {
            ids.add(image.id());
        }
        assertThat(ids).containsExactlyElementsOf(expected);
        assertThat(subset.image(29).id()).isEqualTo(expected.get(29));
        assertThat(subset.image(0).label()).isEqualTo(subset.labels()[0]);
    }

    @Test
    void aClassWithTooFewImagesIsAnError() {
        assertThatThrownBy(() -> new BalancedSubset(new GeneratedShapes(100, 1, 16), 11))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fewer than the 11 per class");
        assertThatThrownBy(() -> new BalancedSubset(new GeneratedShapes(100, 1, 16), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 image per class");
    }
}
