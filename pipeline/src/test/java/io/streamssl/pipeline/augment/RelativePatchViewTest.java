package io.streamssl.pipeline.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.connectors.decode.RgbImage;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A relative-patch pair on a hand-made image whose pixels say where they are: the neighbour at position k is cut
 * from where position k says (its grid cell, the gap away from the centre), moved by at most the jitter; the
 * neighbour view's target is k, and both views of a pair come from one region.
 */
class RelativePatchViewTest {

    private static final int PATCH = 10;
    private static final int GAP = 5;
    private static final int JITTER = 2;
    private static final int SIDE = RelativePatchView.regionSide(PATCH, GAP, JITTER); // 44

    /** The region is the whole image at its own size: no crop, flip or colour, so pixels stay where they are. */
    private static final ViewPipeline WHOLE = ViewPipeline.builder().setSize(SIDE).optScale(1, 1).optRatio(1, 1)
            .optFlip(0).build();

    /** Pixel (x, y) holds x in red, y in green and 200 in blue. */
    private static final RgbImage WHERE = where();

    @Test
    void thePatchAtPositionKIsCutFromWherePositionKSaysWithinTheJitter() {
        RelativePatchView view = new RelativePatchView(WHOLE, PATCH, GAP, JITTER, RelativePatchView.Role.NEIGHBOUR,
                false);
        int[][] cellRowCol = {{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 2}, {2, 0}, {2, 1}, {2, 2}}; // positions 0..7
        Set<Integer> positions = new HashSet<>();
        Set<Integer> shifts = new HashSet<>();
        for (long seed = 0; seed < 300; seed++) {
            RelativePatchView.Pair pair = view.cut(WHERE, new SplittableRandom(seed));
            int k = pair.position();
            assertThat(view.target(seed)).as("seed %d", seed).isEqualTo(k);
            positions.add(k);
            // read the corners back from the pixels: the patch is a contiguous, unscaled cut
            int cy = pair.centre().get(0, 0, 1);
            int cx = pair.centre().get(0, 0, 0);
            int ny = pair.neighbour().get(0, 0, 1);
            int nx = pair.neighbour().get(0, 0, 0);
            assertThat(new int[] {cy, cx, ny, nx}).containsExactly(pair.centreTop(), pair.centreLeft(),
                    pair.neighbourTop(), pair.neighbourLeft());
            int pitch = PATCH + GAP;
            assertThat(cy - (JITTER + pitch)).as("centre row jitter").isBetween(-JITTER, JITTER);
            assertThat(cx - (JITTER + pitch)).as("centre column jitter").isBetween(-JITTER, JITTER);
            int dy = ny - (JITTER + cellRowCol[k][0] * pitch);
            int dx = nx - (JITTER + cellRowCol[k][1] * pitch);
            assertThat(dy).as("seed %d neighbour %d row jitter", seed, k).isBetween(-JITTER, JITTER);
            assertThat(dx).as("seed %d neighbour %d column jitter", seed, k).isBetween(-JITTER, JITTER);
            shifts.add(dy);
            shifts.add(dx);
            // the direction from the centre is position k's: the sign of the offset on an axis they are apart on,
            // within the two jitters on the other
            for (int[] axis : new int[][] {{ny - cy, cellRowCol[k][0] - 1}, {nx - cx, cellRowCol[k][1] - 1}}) {
                if (axis[1] == 0) {
                    assertThat(Math.abs(axis[0])).isLessThanOrEqualTo(2 * JITTER);
                } else {
                    assertThat(Integer.signum(axis[0])).isEqualTo(axis[1]);
                }
            }
            // at least gap − 2·jitter pixels between the patches along the axis they are apart on
            if (cellRowCol[k][0] != 1) {
                assertThat(Math.abs(ny - cy) - PATCH).isGreaterThanOrEqualTo(GAP - 2 * JITTER);
            }
            if (cellRowCol[k][1] != 1) {
                assertThat(Math.abs(nx - cx) - PATCH).isGreaterThanOrEqualTo(GAP - 2 * JITTER);
            }
            for (int y = 0; y < PATCH; y++) {
                for (int x = 0; x < PATCH; x++) {
                    assertThat(pair.neighbour().get(x, y, 0)).isEqualTo(nx + x);
                    assertThat(pair.neighbour().get(x, y, 1)).isEqualTo(ny + y);
                    assertThat(pair.centre().get(x, y, 0)).isEqualTo(cx + x);
                }
            }
        }
        assertThat(positions).as("300 pairs take all 8 positions").hasSize(8);
        assertThat(shifts).as("the jitter takes every value").containsExactlyInAnyOrder(-2, -1, 0, 1, 2);
    }

    @Test
    void colourDroppingKeepsOneChannelAndFillsTheOthersWithNoiseAroundGrey() {
        RelativePatchView plain = new RelativePatchView(WHOLE, PATCH, GAP, JITTER, RelativePatchView.Role.CENTRE,
                false);
        RelativePatchView dropped = new RelativePatchView(WHOLE, PATCH, GAP, JITTER, RelativePatchView.Role.CENTRE,
                true);
        Set<Integer> kept = new HashSet<>();
        for (long seed = 0; seed < 40; seed++) {
            RgbImage a = plain.apply(WHERE, new SplittableRandom(seed));
            RgbImage b = dropped.apply(WHERE, new SplittableRandom(seed));
            int keep = -1;
            for (int c = 0; c < 3; c++) {
                boolean same = true;
                boolean grey = true;
                for (int y = 0; y < PATCH; y++) {
                    for (int x = 0; x < PATCH; x++) {
                        same &= a.get(x, y, c) == b.get(x, y, c);
                        grey &= Math.abs(b.get(x, y, c) - 128) <= 1;
                    }
                }
                if (same && !grey) {
                    assertThat(keep).as("one channel kept").isEqualTo(-1);
                    keep = c;
                } else {
                    assertThat(grey).as("seed %d channel %d dropped to 127..129", seed, c).isTrue();
                }
            }
            assertThat(keep).as("seed %d", seed).isNotEqualTo(-1);
            kept.add(keep);
        }
        assertThat(kept).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void thePresetMakesPairsFromOneRegionAndOnlyTheNeighbourHasATarget() {
        MultiViewAugmenter augmenter = AugmentationPresets.create("relative-patch", 5, Map.of(
                AugmentationPresets.SIZE, "10", AugmentationPresets.GLOBAL_CROPS, "4"));
        assertThat(augmenter.viewSizes()).containsExactly(10, 10, 10, 10);
        RelativePatchView neighbour = (RelativePatchView) augmenter.transforms().get(1);
        assertThat(neighbour.gap()).isEqualTo(5);
        assertThat(neighbour.jitter()).isEqualTo(1);
        assertThat(RelativePatchView.gapFor(96)).isEqualTo(48);
        assertThat(RelativePatchView.jitterFor(96)).isEqualTo(7);
        RgbImage image = BilinearResamplerTest.randomImage(50, 40, 2);
        Set<Integer> targets = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            String id = "img-" + i;
            RgbImage[] views = augmenter.apply(image, id, 3, i % 2);
            int[] t = augmenter.targets(id, 3, i % 2);
            assertThat(t[0]).isEqualTo(-1);
            assertThat(t[2]).isEqualTo(-1);
            for (int pair = 0; pair < 2; pair++) {
                // both views of a pair are the patches of the one cut made from the centre view's seed
                RelativePatchView.Pair cut = neighbour.cut(image,
                        new SplittableRandom(augmenter.seed(id, 3, i % 2, 2 * pair)));
                assertThat(views[2 * pair].pixels()).isEqualTo(cut.centre().pixels());
                assertThat(views[2 * pair + 1].pixels()).isEqualTo(cut.neighbour().pixels());
                assertThat(t[2 * pair + 1]).isEqualTo(cut.position());
                targets.add(cut.position());
            }
            assertThat(augmenter.apply(image, id, 3, i % 2)[1].pixels()).as("a replay re-makes the neighbour")
                    .isEqualTo(views[1].pixels());
        }
        assertThat(targets).hasSize(8);
        assertThatThrownBy(() -> AugmentationPresets.create("relative-patch", 5, Map.of(
                AugmentationPresets.GLOBAL_CROPS, "3"))).hasMessageContaining("must be even");
        assertThatThrownBy(() -> new MultiViewAugmenter(1, List.of(neighbour))).hasMessageContaining("view 0");
    }

    private static RgbImage where() {
        byte[] px = new byte[SIDE * SIDE * 3];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                px[(y * SIDE + x) * 3] = (byte) x;
                px[(y * SIDE + x) * 3 + 1] = (byte) y;
                px[(y * SIDE + x) * 3 + 2] = (byte) 200;
            }
        }
        return new RgbImage(SIDE, SIDE, px);
    }
}
