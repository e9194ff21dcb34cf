package io.streamssl.connectors.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Each stream order against properties checked by hand on small labelled sets. */
class StreamOrderTest {

    /** 10 classes of 3 to 7 images each (class c has 3 + c % 5), interleaved as a data set would be. */
    private static int[] uneven() {
        List<Integer> labels = new ArrayList<>();
        for (int round = 0; round < 7; round++) {
            for (int c = 0; c < 10; c++) {
                if (round < 3 + c % 5) {
                    labels.add(c);
                }
            }
        }
        return labels.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] labelsOf(int[] indices, int[] labels) {
        return Arrays.stream(indices).map(i -> labels[i]).toArray();
    }

    private static void assertPermutation(int[] sequence, int n) {
        assertThat(sequence.clone()).as("each image exactly once").hasSize(n);
        int[] sorted = sequence.clone();
        Arrays.sort(sorted);
        assertThat(sorted).containsExactly(IntStream.range(0, n).toArray());
    }

    @Test
    void datasetOrderIsTheIdentityEveryPass() {
        int[] labels = uneven();
        int[] twice = StreamOrder.dataset().schedule(labels).sequence(2);
        int[] identity = IntStream.range(0, labels.length).toArray();
        assertThat(Arrays.copyOfRange(twice, 0, labels.length)).containsExactly(identity);
        assertThat(Arrays.copyOfRange(twice, labels.length, 2 * labels.length)).containsExactly(identity);
    }

    @Test
    void iidIsASeededPermutationNewEachPass() {
        int[] labels = uneven();
        int n = labels.length;
        int[] a = StreamOrder.iid(7).schedule(labels).sequence(2);
        int[] pass0 = Arrays.copyOfRange(a, 0, n);
        int[] pass1 = Arrays.copyOfRange(a, n, 2 * n);
        assertPermutation(pass0, n);
        assertPermutation(pass1, n);
        assertThat(pass1).as("another pass, another permutation").isNotEqualTo(pass0);
        assertThat(pass0).as("not data-set order").isNotEqualTo(IntStream.range(0, n).toArray());
        assertThat(StreamOrder.iid(7).schedule(labels).sequence(2)).as("same seed, same sequence").containsExactly(a);
        assertThat(StreamOrder.iid(8).schedule(labels).sequence(1)).as("another seed").isNotEqualTo(pass0);
        // iid needs no labels
        assertPermutation(StreamOrder.iid(1).schedule(new int[] {-1, -1, -1, -1}).sequence(1), 4);
    }

    @Test
    void classIncrementalSendsEachPhaseOnceWithExactlyItsClasses() {
        int[] labels = uneven();
        StreamSchedule s = StreamOrder.classIncremental(2, 5).schedule(labels);
        assertThat(s.phases()).hasSize(5);
        int[] seq = s.sequence(1);
        assertPermutation(seq, labels.length);
        Set<Integer> seenClasses = new HashSet<>();
        int at = 0;
        for (StreamSchedule.Phase p : s.phases()) {
            assertThat(p.classes()).hasSize(2);
            assertThat(p.count()).isEqualTo(5);
            for (int c : p.classes()) {
                assertThat(seenClasses.add(c)).as("class %d in one phase only", c).isTrue();
            }
            int size = p.classes().stream().mapToInt(c -> (int) Arrays.stream(labels).filter(l -> l == c).count())
                    .sum();
            int[] phaseLabels = labelsOf(Arrays.copyOfRange(seq, at, at + size), labels);
            assertThat(Arrays.stream(phaseLabels).boxed().toList()).as(p.toString())
                    .containsOnlyElementsOf(p.classes()).containsAll(p.classes());
            at += size;
        }
        assertThat(at).isEqualTo(labels.length);
        assertThat(seenClasses).hasSize(10);
        assertThat(s.phases().get(1).toString()).startsWith("phase 2/5 classes [");
        assertThat(StreamOrder.classIncremental(2, 5).schedule(labels).sequence(1)).containsExactly(seq);
        assertThat(StreamOrder.classIncremental(2, 6).schedule(labels).phases())
                .as("another seed, another class order").isNotEqualTo(s.phases());
    }

    @Test
    void aGivenClassOrderIsFollowed() {
        int[] labels = uneven();
        List<Integer> order = List.of(3, 1, 4, 0, 5, 9, 2, 6, 8, 7);
        StreamSchedule s = StreamOrder.classIncremental(5, order, 1).schedule(labels);
        assertThat(s.phases()).extracting(StreamSchedule.Phase::classes)
                .containsExactly(List.of(3, 1, 4, 0, 5), List.of(9, 2, 6, 8, 7));
        int[] seq = s.sequence(1);
        int firstPhase = (int) Arrays.stream(labels).filter(l -> order.subList(0, 5).contains(l)).count();
        assertThat(Arrays.stream(labelsOf(Arrays.copyOfRange(seq, 0, firstPhase), labels)).boxed().toList())
                .containsOnlyElementsOf(order.subList(0, 5));
    }

    /** repeat 3: each phase's images three times in a row (epoch 0, 1, 2), reshuffled; classes never return. */
    @Test
    void classIncrementalRepeatsEachPhaseInARow() {
        int[] labels = uneven();
        StreamSchedule s = StreamOrder.classIncremental(2, 5).schedule(labels);
        int[] once = s.sequence(1);
        List<StreamSchedule.Stretch> stretches = new ArrayList<>();
        s.stretches(3).forEachRemaining(stretches::add);
        assertThat(stretches).hasSize(15);
        int at = 0;
        for (int p = 0; p < 5; p++) {
            int size = stretches.get(3 * p).indices().length;
            int[] phaseOnce = Arrays.copyOfRange(once, at, at + size);
            Arrays.sort(phaseOnce);
            for (int r = 0; r < 3; r++) {
                StreamSchedule.Stretch st = stretches.get(3 * p + r);
                assertThat(st.phase()).isEqualTo(s.phases().get(p));
                assertThat(st.epoch()).isEqualTo(r);
                int[] sorted = st.indices().clone();
                Arrays.sort(sorted);
                assertThat(sorted).as("phase %d repeat %d: the phase's images", p, r).containsExactly(phaseOnce);
            }
            assertThat(stretches.get(3 * p + 1).indices()).as("reshuffled")
                    .isNotEqualTo(stretches.get(3 * p).indices());
            at += size;
        }
        assertThat(s.sequence(3)).hasSize(3 * labels.length);
        assertThatThrownBy(() -> s.stretches(0)).hasMessageContaining("--repeat").hasMessageContaining("forever");
    }

    @Test
    void blocksAreRunsOfOneClassCutInDataSetOrder() {
        int[] labels = new int[48]; // 4 classes of 12, interleaved; blocks of 4 → 12 blocks
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 4;
        }
        int[] seq = StreamOrder.blocks(4, 3).schedule(labels).sequence(1);
        assertPermutation(seq, 48);
        for (int b = 0; b < 12; b++) {
            int[] block = Arrays.copyOfRange(seq, 4 * b, 4 * b + 4);
            int c = labels[block[0]];
            // class c's images are c, c+4, c+8, …: a block is four consecutive ones of them
            assertThat(block[0] % 16).as("block %d starts a block of class %d", b, c).isEqualTo(c);
            assertThat(block).containsExactly(block[0], block[0] + 4, block[0] + 8, block[0] + 12);
        }
        assertThat(seq).as("same seed, same sequence").containsExactly(
                StreamOrder.blocks(4, 3).schedule(labels).sequence(1));
        int[] twoPasses = StreamOrder.blocks(4, 3).schedule(labels).sequence(2);
        assertThat(Arrays.copyOfRange(twoPasses, 48, 96)).as("blocks reshuffled on the next pass").isNotEqualTo(seq);
        assertThat(StreamOrder.blocks(4, 4).schedule(labels).sequence(1)).isNotEqualTo(seq);
    }

    /** Classes of 3 to 7 images in blocks of 4: one full block and one of the remainder per class of 5 to 7. */
    @Test
    void aClasssRemainderMakesOneShorterBlock() {
        int[] labels = uneven();
        int[] seq = StreamOrder.blocks(4, 9).schedule(labels).sequence(1);
        assertPermutation(seq, labels.length);
        // blocks: classes of 3 or 4 images one, of 5 to 7 two: 4 + 2·6 = 16 blocks (c % 5 = 0,1 → 3,4 images)
        int changes = 0;
        for (int i = 1; i < seq.length; i++) {
            if (labels[seq[i]] != labels[seq[i - 1]]) {
                changes++;
            }
        }
        assertThat(changes).as("runs of one class: at most one change between blocks").isLessThanOrEqualTo(15);
        assertThat(changes).as("the classes do alternate").isGreaterThanOrEqualTo(9);
    }

    /** 5 classes of 100, ratio 10: n_r = floor(100 · 10^(−r/4)) = 100, 56, 31, 17, 10 (by hand). */
    @Test
    void imbalancedKeepsTheLongTailedCounts() {
        int[] labels = new int[500];
        for (int i = 0; i < 500; i++) {
            labels[i] = i % 5;
        }
        StreamSchedule s = StreamOrder.imbalanced(10, 2).schedule(labels);
        int[] pass = s.sequence(1);
        assertThat(s.passLength()).isEqualTo(100 + 56 + 31 + 17 + 10);
        assertThat(new HashSet<>(Arrays.stream(pass).boxed().toList())).as("no image twice").hasSize(pass.length);
        TreeMap<Integer, Integer> counts = new TreeMap<>();
        Arrays.stream(labelsOf(pass, labels)).forEach(l -> counts.merge(l, 1, Integer::sum));
        List<Integer> descending = counts.values().stream().sorted((a, b) -> b - a).toList();
        int[] expected = {100, 56, 31, 17, 10};
        for (int r = 0; r < 5; r++) {
            assertThat(descending.get(r)).as("rank %d", r).isBetween(expected[r] - 1, expected[r] + 1);
        }
        int[] twoPasses = s.sequence(2);
        int[] second = Arrays.copyOfRange(twoPasses, pass.length, 2 * pass.length);
        assertThat(second).as("reshuffled").isNotEqualTo(pass);
        int[] a = pass.clone();
        int[] b = second.clone();
        Arrays.sort(a);
        Arrays.sort(b);
        assertThat(b).as("the same kept images every pass").containsExactly(a);
        Set<Integer> heads = new HashSet<>();
        for (long seed = 1; seed <= 20; seed++) {
            int[] l = labelsOf(StreamOrder.imbalanced(10, seed).schedule(labels).sequence(1), labels);
            int[] perClass = new int[5];
            Arrays.stream(l).forEach(x -> perClass[x]++);
            heads.add(IntStream.range(0, 5).filter(c -> perClass[c] == 100).findFirst().orElseThrow());
        }
        assertThat(heads).as("the head class depends on the seed").hasSizeGreaterThan(1);
        assertThat(StreamOrder.imbalanced(1, 2).schedule(labels).passLength()).as("ratio 1: balanced").isEqualTo(500);
    }

    @Test
    void imbalancedCountIsTheFormula() {
        // CIFAR-10-LT, ratio 100: 5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50 (Cui et al.'s table)
        int[] cifar = IntStream.range(0, 10).map(r -> StreamOrder.imbalancedCount(5000, 100, r, 10)).toArray();
        assertThat(cifar).containsExactly(5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50);
        assertThat(StreamOrder.imbalancedCount(10, 1000, 4, 5)).as("at least one image").isEqualTo(1);
        assertThat(StreamOrder.imbalancedCount(7, 100, 0, 1)).as("one class").isEqualTo(7);
    }

    @Test
    void badOptionsFailNamingTheOptionAndWhatIsAllowed() {
        assertThatThrownBy(() -> StreamOrder.classIncremental(0, 1)).hasMessageContaining("--phase-classes")
                .hasMessageContaining(">= 1");
        assertThatThrownBy(() -> StreamOrder.classIncremental(3, 1).schedule(uneven()))
                .hasMessageContaining("--phase-classes").hasMessageContaining("does not divide the 10 classes")
                .hasMessageContaining("[1, 2, 5, 10]");
        assertThatThrownBy(() -> StreamOrder.classIncremental(2, List.of(1, 1), 1))
                .hasMessageContaining("--class-order").hasMessageContaining("twice");
        assertThatThrownBy(() -> StreamOrder.classIncremental(2, List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 11), 1)
                .schedule(uneven())).hasMessageContaining("--class-order").hasMessageContaining("missing [9]")
                .hasMessageContaining("no image of [11]");
        assertThatThrownBy(() -> StreamOrder.blocks(0, 1)).hasMessageContaining("--block-size")
                .hasMessageContaining(">= 1");
        assertThatThrownBy(() -> StreamOrder.imbalanced(0.5, 1)).hasMessageContaining("--imbalance-ratio")
                .hasMessageContaining(">= 1");
        assertThatThrownBy(() -> StreamOrder.imbalanced(Double.NaN, 1)).hasMessageContaining("--imbalance-ratio");
        assertThatThrownBy(() -> StreamOrder.Kind.of("random")).hasMessageContaining("--order")
                .hasMessageContaining("dataset, iid, class-incremental, blocks, imbalanced");
        for (StreamOrder order : List.of(StreamOrder.classIncremental(1, 1), StreamOrder.blocks(2, 1),
                StreamOrder.imbalanced(2, 1))) {
            assertThatThrownBy(() -> order.schedule(new int[] {0, 1, -1, 0})).as(order.toString())
                    .hasMessageContaining("needs a label on every image").hasMessageContaining("image 2");
        }
        assertThatThrownBy(() -> StreamOrder.iid(1).schedule(new int[0])).hasMessageContaining("no images");
    }

    @Test
    void stretchesOfAnEndlessRunKeepComing() {
        Iterator<StreamSchedule.Stretch> forever = StreamOrder.iid(1).schedule(uneven()).stretches(0);
        for (int k = 0; k < 5; k++) {
            assertThat(forever.next().epoch()).isEqualTo(k);
        }
        assertThat(forever.hasNext()).isTrue();
    }
}
