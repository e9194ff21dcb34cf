package io.streamssl.pipeline.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.connectors.decode.RgbImage;
import io.streamssl.models.pretext.PermutationSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JigsawViewTest {

    private static final int CELL = 11;
    private static final int TILE = 8;
    private static final int SIDE = 3 * CELL;

    /** The region is the whole image at its own size: no crop, flip or colour, so cells keep their pixels. */
    private static final ViewPipeline WHOLE = ViewPipeline.builder().setSize(SIDE).optScale(1, 1).optRatio(1, 1)
            .optFlip(0).build();

    @Test
    void positionIShowsTheCellThePermutationNamesAndTheLabelIsRecoverable() {
        // nine flat cells of distinct colours: cell k is (20k + 5, 250 − 20k, 7k)
        RgbImage image = image((x, y) -> {
            int k = (y / CELL) * 3 + x / CELL;
            return new int[] {20 * k + 5, 250 - 20 * k, 7 * k};
        });
        JigsawView jigsaw = new JigsawView(WHOLE, TILE, PermutationSet.standard());
        Set<Integer> labels = new HashSet<>();
        for (long seed = 0; seed < 300; seed++) {
            JigsawView.Shuffled s = jigsaw.shuffle(image, new SplittableRandom(seed));
            RgbImage view = s.view();
            assertThat(view.width()).isEqualTo(3 * TILE);
            byte[] order = PermutationSet.standard().permutation(s.permutationIndex());
            byte[] seen = new byte[9];
            for (int i = 0; i < 9; i++) {
                // every pixel of tile i has the colour of cell order[i]
                int k = order[i];
                for (int y = 0; y < TILE; y++) {
                    for (int x = 0; x < TILE; x++) {
                        int px = (i % 3) * TILE + x;
                        int py = (i / 3) * TILE + y;
                        assertThat(new int[] {view.get(px, py, 0), view.get(px, py, 1), view.get(px, py, 2)})
                                .as("seed %d tile %d pixel (%d, %d)", seed, i, x, y)
                                .containsExactly(20 * k + 5, 250 - 20 * k, 7 * k);
                    }
                }
                seen[i] = (byte) ((view.get((i % 3) * TILE, (i / 3) * TILE, 0) - 5) / 20); // cell from colour
            }
            // the label, read back from the pixels alone, is the index the op reports and the seed gives
            assertThat(indexOf(seen)).as("seed %d", seed).isEqualTo(s.permutationIndex())
                    .isEqualTo(jigsaw.permutationIndex(seed));
            labels.add(s.permutationIndex());
        }
        assertThat(labels).as("300 draws reach most of the 100 permutations").hasSizeGreaterThan(90);
    }

    @Test
    void eachTileIsAContiguousCropAtARandomOffsetInsideItsCell() {
        // pixel (x, y) holds x in red and y in green, so a tile's pixels say where in the region they came from
        RgbImage image = image((x, y) -> new int[] {x, y, 0});
        JigsawView jigsaw = new JigsawView(WHOLE, TILE, PermutationSet.standard());
        Set<Integer> offsets = new HashSet<>();
        for (long seed = 0; seed < 200; seed++) {
            JigsawView.Shuffled s = jigsaw.shuffle(image, new SplittableRandom(seed));
            byte[] order = PermutationSet.standard().permutation(s.permutationIndex());
            for (int i = 0; i < 9; i++) {
                int k = order[i];
                int x0 = s.view().get((i % 3) * TILE, (i / 3) * TILE, 0);
                int y0 = s.view().get((i % 3) * TILE, (i / 3) * TILE, 1);
                int dx = x0 - (k % 3) * CELL;
                int dy = y0 - (k / 3) * CELL;
                assertThat(dx).as("column offset in cell %d", k).isBetween(0, CELL - TILE);
                assertThat(dy).as("row offset in cell %d", k).isBetween(0, CELL - TILE);
                offsets.add(dx);
                offsets.add(dy);
                for (int y = 0; y < TILE; y++) {
                    for (int x = 0; x < TILE; x++) {
                        assertThat(s.view().get((i % 3) * TILE + x, (i / 3) * TILE + y, 0)).isEqualTo(x0 + x);
                        assertThat(s.view().get((i % 3) * TILE + x, (i / 3) * TILE + y, 1)).isEqualTo(y0 + y);
                    }
                }
            }
        }
        assertThat(offsets).as("every offset 0..cell−tile occurs").containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @Test
    void theSameSeedGivesTheSameViewAndLabelAndTheAugmenterSeedsItLikeEveryView() {
        MultiViewAugmenter augmenter = AugmentationPresets.create("jigsaw", 7, Map.of("size", "27"));
        JigsawView jigsaw = (JigsawView) augmenter.transforms().get(0);
        assertThat(jigsaw.tile()).isEqualTo(9);
        assertThat(jigsaw.cell()).isEqualTo(12); // 9 · 85/64 = 11.95
        RgbImage image = BilinearResamplerTest.randomImage(40, 30, 3);
        RgbImage[] views = augmenter.apply(image, "img-1", 4);
        long seed = augmenter.seed("img-1", 4, 0);
        JigsawView.Shuffled again = jigsaw.shuffle(image, new SplittableRandom(seed));
        assertThat(views[0].pixels()).isEqualTo(again.view().pixels());
        assertThat(augmenter.apply(image, "img-1", 4)[0].pixels()).isEqualTo(views[0].pixels());
        assertThat(jigsaw.permutationIndex(seed)).isEqualTo(again.permutationIndex());
        assertThat(augmenter.apply(image, "img-1", 5)[0].pixels()).isNotEqualTo(views[0].pixels());
    }

    @Test
    void thePresetIsNineTilesOf64ByDefaultAndRejectsSizesNotAMultipleOfThree() {
        JigsawView jigsaw = (JigsawView) AugmentationPresets.create("jigsaw", 1, Map.of()).transforms().get(0);
        assertThat(jigsaw.outputSize()).isEqualTo(192);
        assertThat(jigsaw.cell()).isEqualTo(85);
        assertThat(jigsaw.region().outputSize()).isEqualTo(255);
        assertThat(jigsaw.permutations()).isSameAs(PermutationSet.standard());
        assertThatThrownBy(() -> AugmentationPresets.create("jigsaw", 1, Map.of("size", "32")))
                .hasMessageContaining("'size' of the jigsaw preset must be a multiple of 3").hasMessageContaining("32");
        assertThatThrownBy(() -> new JigsawView(WHOLE, CELL + 1, PermutationSet.standard()))
                .hasMessageContaining("1 to 11 px");
    }

    private interface Colour {
        int[] at(int x, int y);
    }

    private static RgbImage image(Colour colour) {
        byte[] px = new byte[SIDE * SIDE * 3];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int[] c = colour.at(x, y);
                for (int ch = 0; ch < 3; ch++) {
                    px[(y * SIDE + x) * 3 + ch] = (byte) c[ch];
                }
            }
        }
        return new RgbImage(SIDE, SIDE, px);
    }

    private static int indexOf(byte[] order) {
        PermutationSet set = PermutationSet.standard();
        for (int i = 0; i < set.size(); i++) {
            if (java.util.Arrays.equals(set.permutation(i), order)) {
                return i;
            }
        }
        return -1;
    }
}
