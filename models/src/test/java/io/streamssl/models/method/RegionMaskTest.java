package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The context encoder's regions: the central square by hand; random blocks seeded by the step, up to the coverage. */
class RegionMaskTest {

    @Test
    void centralSquareIsTheMiddleHalfOfEachSide() {
        RegionMask m = RegionMask.central(2, 8);
        for (int i = 0; i < 2; i++) {
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    boolean inside = y >= 2 && y < 6 && x >= 2 && x < 6;
                    assertThat(m.masked()[i][y * 8 + x]).as("image %d (%d, %d)", i, y, x).isEqualTo(inside ? 1f : 0f);
                }
            }
            assertThat(m.coverage(i)).isEqualTo(0.25);
        }
    }

    @Test
    void randomBlocksAreAFunctionOfTheStepAndCoverUpToTheLimit() {
        RegionMask a = RegionMask.randomBlocks(16, 32, 8, 0.25, 7);
        RegionMask again = RegionMask.randomBlocks(16, 32, 8, 0.25, 7);
        RegionMask next = RegionMask.randomBlocks(16, 32, 8, 0.25, 8);
        assertThat(again.masked()).as("same step, same regions").isDeepEqualTo(a.masked());
        assertThat(next.masked()).as("another step, other regions").isNotEqualTo(a.masked());
        assertThat(a.masked()[0]).as("each image its own draw").isNotEqualTo(a.masked()[1]);
        for (int i = 0; i < 16; i++) {
            // blocks of 64 pixels added while the total stays within 256: more than one block, never past the limit
            assertThat(a.coverage(i)).as("image %d", i).isGreaterThan(64 / 1024.0).isLessThanOrEqualTo(0.25);
        }
        // a block larger than the coverage still removes one block: there is always something to reconstruct
        assertThat(RegionMask.randomBlocks(1, 8, 6, 0.25, 1).coverage(0)).isEqualTo(36 / 64.0);
        assertThatThrownBy(() -> RegionMask.randomBlocks(1, 8, 9, 0.25, 1)).hasMessageContaining("[1, 8]");
    }
}
