package io.streamssl.models.pretext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PermutationSetTest {

    @Test
    void theStandardSetIsOneHundredDistinctPermutationsAtLeastSixApart() {
        PermutationSet set = PermutationSet.standard();
        assertThat(set.size()).isEqualTo(100);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < set.size(); i++) {
            byte[] p = set.permutation(i);
            byte[] sorted = p.clone();
            Arrays.sort(sorted);
            assertThat(sorted).as("permutation %d is a permutation of 0..8", i)
                    .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
            assertThat(seen.add(Arrays.toString(p))).as("permutation %d is new", i).isTrue();
        }
        // the documented minimum, checked pair by pair here rather than through minHammingDistance()
        int min = 9;
        for (int a = 0; a < set.size(); a++) {
            for (int b = a + 1; b < set.size(); b++) {
                int d = 0;
                for (int i = 0; i < 9; i++) {
                    d += set.permutation(a)[i] != set.permutation(b)[i] ? 1 : 0;
                }
                min = Math.min(min, d);
            }
        }
        assertThat(min).isEqualTo(6).isEqualTo(set.minHammingDistance());
    }

    @Test
    void theSelectionIsDeterministicAndGreedySoSmallerSetsArePrefixes() {
        PermutationSet standard = PermutationSet.standard();
        PermutationSet first30 = PermutationSet.select(30);
        for (int i = 0; i < 30; i++) {
            assertThat(first30.permutation(i)).as("permutation %d", i).isEqualTo(standard.permutation(i));
        }
        // pinned: the seeded first draw, then the lexicographically first of the ties at distance 9 (identity)
        assertThat(standard.permutation(0)).containsExactly(5, 2, 3, 4, 8, 1, 0, 6, 7);
        assertThat(standard.permutation(1)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(first30.minHammingDistance()).isEqualTo(7);
    }

    @Test
    void drawTakesExactlyOneNumberFromTheGenerator() {
        PermutationSet set = PermutationSet.standard();
        SplittableRandom a = new SplittableRandom(5);
        SplittableRandom b = new SplittableRandom(5);
        assertThat(set.draw(a)).isEqualTo(b.nextInt(100));
        assertThat(a.nextLong()).isEqualTo(b.nextLong());
    }

    @Test
    void badSizesAndIndicesAreRejected() {
        assertThatThrownBy(() -> PermutationSet.select(0)).hasMessageContaining("1 to 9! = 362880");
        assertThatThrownBy(() -> PermutationSet.standard().permutation(100)).hasMessageContaining("[0, 100)");
    }
}
