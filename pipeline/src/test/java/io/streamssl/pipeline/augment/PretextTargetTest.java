package io.streamssl.pipeline.augment;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.connectors.decode.RgbImage;
import io.streamssl.models.pretext.PermutationSet;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The pretext target of a view, as the augmenter reports it from the view's seed, is what its pixels show: a
 * rotated image's label is its rotation, a shuffled grid's label its permutation index; and a re-made use (a
 * replay) has the same targets.
 */
class PretextTargetTest {

    private static final int SIDE = 12;
    private static final int CELL = 5;
    private static final int TILE = 4;

    /** No crop, flip or colour: the view is the image, so a marked pixel stays where the op puts it. */
    private static ViewPipeline whole(int side) {
        return ViewPipeline.builder().setSize(side).optScale(1, 1).optRatio(1, 1).optFlip(0).build();
    }

    @Test
    void aRotatedImagesLabelIsItsRotation() {
        // black except one white pixel at the top-left corner; k counter-clockwise quarter turns move it to
        // top-left, bottom-left, bottom-right, top-right
        byte[] px = new byte[SIDE * SIDE * 3];
        Arrays.fill(px, 0, 3, (byte) 255);
        RgbImage image = new RgbImage(SIDE, SIDE, px);
        int[][] corner = {{0, 0}, {0, SIDE - 1}, {SIDE - 1, SIDE - 1}, {SIDE - 1, 0}}; // (x, y) per turns
        MultiViewAugmenter drawn = new MultiViewAugmenter(7, List.of(new RotationView(whole(SIDE), -1),
                new RotationView(whole(SIDE), -1), new RotationView(whole(SIDE), -1)));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            String id = "img-" + i;
            RgbImage[] views = drawn.apply(image, id, 0, i % 3);
            int[] targets = drawn.targets(id, 0, i % 3);
            for (int v = 0; v < views.length; v++) {
                int label = -1;
                for (int k = 0; k < 4; k++) {
                    if (views[v].get(corner[k][0], corner[k][1], 0) == 255) {
                        label = k;
                    }
                }
                assertThat(targets[v]).as("image %d view %d", i, v).isEqualTo(label);
                seen.add(label);
            }
        }
        assertThat(seen).as("120 drawn views take all four rotations").containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @Test
    void theRotationPresetTurnsFourViewsOfEachImageFourWays() {
        MultiViewAugmenter four = AugmentationPresets.create("rotation", 3, Map.of());
        assertThat(four.views()).isEqualTo(2);
        four = AugmentationPresets.create("rotation", 3, Map.of(AugmentationPresets.GLOBAL_CROPS, "4"));
        assertThat(four.targets("a", 0, 0)).containsExactly(0, 1, 2, 3);
        assertThat(four.targets("b", 5, 2)).containsExactly(0, 1, 2, 3);
        MultiViewAugmenter three = AugmentationPresets.create("rotation", 3, Map.of(AugmentationPresets.GLOBAL_CROPS,
                "3"));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            for (int t : three.targets("img-" + i, 0, 0)) {
                seen.add(t);
            }
        }
        assertThat(seen).containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @Test
    void aShuffledGridsLabelIsItsPermutationIndex() {
        // nine flat cells of distinct colours: cell k has red 20k + 5
        int side = 3 * CELL;
        byte[] px = new byte[side * side * 3];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                px[(y * side + x) * 3] = (byte) (20 * ((y / CELL) * 3 + x / CELL) + 5);
            }
        }
        RgbImage image = new RgbImage(side, side, px);
        PermutationSet set = PermutationSet.standard();
        MultiViewAugmenter augmenter = new MultiViewAugmenter(11, List.of(new JigsawView(whole(side), TILE, set),
                whole(side), new JigsawView(whole(side), TILE, set)));
        for (int i = 0; i < 30; i++) {
            String id = "img-" + i;
            RgbImage[] views = augmenter.apply(image, id, 1, i % 2);
            int[] targets = augmenter.targets(id, 1, i % 2);
            assertThat(targets[1]).as("a plain view has no target").isEqualTo(-1);
            for (int v : new int[] {0, 2}) {
                byte[] order = new byte[9];
                for (int t = 0; t < 9; t++) {
                    order[t] = (byte) ((views[v].get((t % 3) * TILE, (t / 3) * TILE, 0) - 5) / 20);
                }
                assertThat(set.permutation(targets[v])).as("image %d view %d", i, v).containsExactly(order);
            }
        }
    }

    @Test
    void aReplayedUseHasItsFirstMakingsTargetsAndPlainPresetsHaveNone() {
        MultiViewAugmenter a = AugmentationPresets.create("jigsaw", 9, Map.of(AugmentationPresets.SIZE, "24"));
        MultiViewAugmenter b = AugmentationPresets.create("jigsaw", 9, Map.of(AugmentationPresets.SIZE, "24"));
        assertThat(b.targets("x", 2, 3)).containsExactly(a.targets("x", 2, 3));
        assertThat(a.targets("x", 2, 3)).isNotEqualTo(a.targets("x", 2, 4)); // 1 in 10^4 by chance: fixed seeds
        assertThat(AugmentationPresets.create("cifar-symmetric", 9, Map.of()).targets("x", 0, 0)).isNull();
    }
}
