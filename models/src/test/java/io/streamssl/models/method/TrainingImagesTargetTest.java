package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.models.MultiCropBatch;
import io.streamssl.models.pretext.PermutationSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The test images' rotation and jigsaw views carry their quarter turns and permutation indices as the pipeline's do. */
class TrainingImagesTargetTest {

    @Test
    void aQuarterTurnMovesTheTopLeftPixelToTheBottomLeft() {
        int side = 5;
        byte[] px = new byte[side * side * 3];
        px[0] = 9;
        for (int turns = 0; turns < 4; turns++) {
            byte[] turned = px.clone();
            TrainingImages.rotate(turned, 0, side, turns);
            int[][] corner = {{0, 0}, {side - 1, 0}, {side - 1, side - 1}, {0, side - 1}}; // (y, x) per turns
            assertThat(turned[(corner[turns][0] * side + corner[turns][1]) * 3]).as("turns %d", turns).isEqualTo((byte) 9);
        }
    }

    @Test
    void fourRotationViewsAreTurnedFourWaysAndOtherPresetsHaveNoTargets() {
        TrainingImages images = TrainingImages.load(8, 3);
        MultiCropBatch four = images.batch(3, ViewPlan.of(4, 32, "rotation", List.of()));
        assertThat(four.viewTargets()).isDeepEqualTo(new int[][] {{0, 0, 0}, {1, 1, 1}, {2, 2, 2}, {3, 3, 3}});
        Set<Integer> drawn = new HashSet<>();
        for (int[] view : images.batch(16, ViewPlan.of(1, 32, "rotation", List.of())).viewTargets()) {
            for (int t : view) {
                drawn.add(t);
            }
        }
        assertThat(drawn).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(images.batch(2, ViewPlan.of(2, 32, "cifar-symmetric", List.of())).viewTargets()).isNull();
    }

    @Test
    void jigsawViewsCarryTheirPermutationIndex() {
        TrainingImages images = TrainingImages.load(8, 3);
        int[][] targets = images.batch(40, ViewPlan.of(2, 27, "jigsaw", List.of())).viewTargets();
        Set<Integer> drawn = new HashSet<>();
        for (int[] view : targets) {
            for (int t : view) {
                assertThat(t).isBetween(0, PermutationSet.STANDARD_SIZE - 1);
                drawn.add(t);
            }
        }
        assertThat(drawn).as("80 draws of 100 permutations").hasSizeGreaterThan(40);
        assertThat(TrainingImages.cellFor(64)).as("the paper's 85 px cells for 64 px tiles").isEqualTo(85);
    }
}
