package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AugmentationPresetNameTest {

    @Test
    void theConfigNamesAreTheViewPlansPresetsInOrder() {
        assertThat(AugmentationPresetName.configNames()).containsExactly("simclr", "mocov2", "byol", "dino",
                "cifar-asymmetric", "cifar-symmetric", "mae", "jigsaw", "rotation", "relative-patch");
        // the jigsaw grid and the rotation are pretext views a method plans for itself, not a preset for all of a method's views
        assertThat(AugmentationPresetName.viewConfigNames()).containsExactly("simclr", "mocov2", "byol", "dino",
                "cifar-asymmetric", "cifar-symmetric", "mae");
        assertThat(ViewPlan.PRESETS).isSameAs(AugmentationPresetName.configNames());
        assertThat(AugmentationPresetName.of("cifar-asymmetric")).isEqualTo(AugmentationPresetName.CIFAR_ASYMMETRIC);
    }

    @Test
    void anUnknownNameListsTheKnownOnes() {
        assertThatThrownBy(() -> AugmentationPresetName.of("swav"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'swav'").hasMessageContaining("simclr").hasMessageContaining("cifar-symmetric");
        assertThatThrownBy(() -> new ViewPlan.CropGroup(2, 32, "swav")).hasMessageContaining("allowed are");
    }
}
