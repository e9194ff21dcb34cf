package io.streamssl.pipeline.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.pipeline.config.ReplaySettings;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each policy's admission rule against hand-worked cases and against statistics computed here independently. */
class EvictionRulesTest {

    @Test
    void fifoOverwritesTheOldestArrival() {
        FifoRule fifo = new FifoRule(3);
        List<Integer> slots = new ArrayList<>();
        int size = 0;
        for (long n = 0; n < 8; n++) {
            int slot = fifo.slotFor(n, size, null);
            slots.add(slot);
            size = Math.max(size, slot + 1);
        }
        // arrivals 0,1,2 fill; 3 replaces 0 (the oldest), 4 replaces 1, …
        assertThat(slots).containsExactly(0, 1, 2, 0, 1, 2, 0, 1);
    }

    /**
     * Reservoir sampling keeps each of n arrivals with probability capacity / n. Over 2,000 streams (seeds) of
     * 200 arrivals into 20 slots, each arrival's inclusion count is Binomial(2000, 0.1): mean 200, variance 180.
     * The chi-square statistic over the 200 arrivals has 199 degrees of freedom (mean 199, sd 20); the bound
     * 320 is six standard deviations out. The first and the last 50 arrivals must each average 200 ± 12
     * (a mean of 50 counts has sd 1.9: six sds).
     */
    @Test
    void reservoirKeepsEveryArrivalWithEqualProbability() {
        int capacity = 20;
        int n = 200;
        int trials = 2000;
        long[] included = new long[n];
        for (int t = 0; t < trials; t++) {
            ReservoirRule rule = new ReservoirRule(capacity, 1000 + t);
            int[] slots = new int[capacity];
            int size = 0;
            for (int a = 0; a < n; a++) {
                int slot = rule.slotFor(a, size, null);
                if (slot == EvictionRule.REJECT) {
                    continue;
                }
                assertThat(slot).isBetween(0, Math.min(size, capacity - 1));
                slots[slot] = a;
                size = Math.max(size, slot + 1);
            }
            assertThat(size).isEqualTo(capacity);
            for (int a : slots) {
                included[a]++;
            }
        }
        double expected = trials * (double) capacity / n;
        double chi2 = 0;
        for (long c : included) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        assertThat(chi2).isLessThan(320);
        double first = 0;
        double last = 0;
        for (int a = 0; a < 50; a++) {
            first += included[a] / 50.0;
            last += included[n - 1 - a] / 50.0;
        }
        assertThat(first).isBetween(expected - 12, expected + 12);
        assertThat(last).isBetween(expected - 12, expected + 12);
    }

    @Test
    void reservoirDecisionsArePureFunctionsOfSeedAndArrival() {
        ReservoirRule a = new ReservoirRule(10, 7);
        ReservoirRule b = new ReservoirRule(10, 7);
        ReservoirRule other = new ReservoirRule(10, 8);
        int differ = 0;
        for (long n = 10; n < 500; n++) {
            assertThat(a.slotFor(n, 10, null)).isEqualTo(b.slotFor(n, 10, null));
            differ += a.slotFor(n, 10, null) != other.slotFor(n, 10, null) ? 1 : 0;
        }
        assertThat(differ).isGreaterThan(10);
    }

    /**
     * Hand-worked: a = (1, 0), b = (0.8, 0.6), c = (0, 1). Cosine similarities a·b = 0.8, a·c = 0, b·c = 0.6, so
     * the nearest-neighbour similarities are a 0.8, b 0.8, c 0.6.
     */
    @Test
    void minredEvictsTheSampleMostSimilarToItsNearestNeighbour() {
        MinRedRule rule = bufferOf(new float[] {1, 0}, new float[] {0.8f, 0.6f}, new float[] {0, 1});
        assertThat(rule.nearestSimilarity(0)).isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(rule.nearestSimilarity(1)).isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(rule.nearestSimilarity(2)).isCloseTo(0.6, org.assertj.core.data.Offset.offset(1e-6));
        // e = (−1, 0) is far from all (best 0): a and b tie at 0.8, the most redundant; a is older, a goes
        assertThat(rule.slotFor(3, 3, new float[] {-1, 0})).isEqualTo(0);
        // f = (0.6, 0.8) (scaled ×5: only the direction counts): b·f = 0.96 > every other similarity, so b (0.96)
        // and f (0.96) are the closest pair; b is older, b goes
        assertThat(rule.slotFor(3, 3, new float[] {3, 4})).isEqualTo(1);
        // g = (0.1, 1): c·g = 0.995, the closest pair is (c, g): c goes, though a and b are the closest pair before
        assertThat(rule.slotFor(3, 3, new float[] {0.1f, 1})).isEqualTo(2);
        // after f replaces b: a·f = 0.6, c·f = 0.8 → a 0.6, f 0.8, c 0.8
        rule.written(1, new float[] {3, 4}, 3);
        assertThat(rule.nearestSimilarity(0)).isCloseTo(0.6, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(rule.nearestSimilarity(1)).isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(rule.nearestSimilarity(2)).isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-6));
        // now e = (−1, 0) again: c (sequence 2) and f (sequence 3) tie at 0.8; c is older
        assertThat(rule.slotFor(4, 3, new float[] {-1, 0})).isEqualTo(2);
    }

    /**
     * The incremental nearest-neighbour bookkeeping against a brute-force computation in plain doubles after every
     * write (arrivals admitted by the rule and refreshed embeddings of random slots), and every eviction against
     * the brute-force argmax with the tie rule.
     */
    @Test
    void minredMatchesABruteForceComputationOverALongStream() {
        int capacity = 24;
        int dim = 6;
        MinRedRule rule = new MinRedRule(capacity);
        float[][] held = new float[capacity][];
        long[] sequence = new long[capacity];
        SplittableRandom random = new SplittableRandom(3);
        int size = 0;
        for (long n = 0; n < 600; n++) {
            float[] e = new float[dim];
            for (int k = 0; k < dim; k++) {
                // few distinct values, so exact ties between pairs happen
                e[k] = random.nextInt(3) - 1 + (k == 0 ? 0.5f : 0);
            }
            int slot = rule.slotFor(n, size, e);
            assertThat(slot).as("arrival %d", n).isEqualTo(bruteForceSlot(held, sequence, size, capacity, e));
            if (slot == EvictionRule.REJECT) {
                continue;
            }
            rule.written(slot, e, n);
            held[slot] = e;
            sequence[slot] = n;
            size = Math.max(size, slot + 1);
            if (n % 7 == 0 && size > 1) { // a replayed entry's embedding is refreshed; it keeps its arrival number
                int r = random.nextInt(size);
                float[] refreshed = new float[dim];
                for (int k = 0; k < dim; k++) {
                    refreshed[k] = (float) random.nextGaussian();
                }
                rule.written(r, refreshed, sequence[r]);
                held[r] = refreshed;
            }
            for (int j = 0; j < size; j++) {
                assertThat(rule.nearestSimilarity(j)).as("slot %d after arrival %d", j, n)
                        .isEqualTo(bruteForceNearest(held, size, j));
            }
        }
        assertThat(rule.size()).isEqualTo(capacity);
    }

    @Test
    void budgetSplitsEachRecordsUsesExactly() {
        // 2 × 0.5: every record once fresh and one replay
        ReplayBudget even = new ReplayBudget(settings(0.5, 2));
        ReplayCounters c = new ReplayCounters();
        for (int i = 0; i < 5; i++) {
            assertThat(even.arrive(c)).isEqualTo(new ReplayBudget.Spend(1, 1));
        }
        // 1 × 0.5: half a fresh use and half a replay per record → alternately nothing and one of each
        ReplayBudget half = new ReplayBudget(settings(0.5, 1));
        ReplayCounters h = new ReplayCounters();
        assertThat(half.arrive(h)).isEqualTo(new ReplayBudget.Spend(0, 0));
        assertThat(half.arrive(h)).isEqualTo(new ReplayBudget.Spend(1, 1));
        // 3 × 0.25 over 1000 records: 2250 fresh uses and 750 replays, not one more or less
        ReplayBudget odd = new ReplayBudget(settings(0.25, 3));
        ReplayCounters o = new ReplayCounters();
        int fresh = 0;
        int replays = 0;
        for (int i = 0; i < 1000; i++) {
            ReplayBudget.Spend s = odd.arrive(o);
            fresh += s.fresh();
            replays += s.replays();
        }
        assertThat(fresh).isEqualTo(2250);
        assertThat(replays).isEqualTo(750);
    }

    /** 100,000 draws over 50 slots: chi-square with 49 degrees of freedom (sd 9.9) under 49 + 6 × 9.9. */
    @Test
    void replayDrawsAreUniformOverTheBuffer() {
        int size = 50;
        long[] counts = new long[size];
        for (long d = 0; d < 100_000; d++) {
            counts[ReplayDraws.replaySlot(11, d, size)]++;
        }
        double expected = 100_000.0 / size;
        double chi2 = 0;
        for (long c : counts) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        assertThat(chi2).isLessThan(49 + 6 * 9.9);
    }

    private static ReplaySettings settings(double ratio, double updates) {
        return new ReplaySettings(ReplayPolicy.FIFO, 64, ratio, updates, 32, 1);
    }

    private static MinRedRule bufferOf(float[]... embeddings) {
        MinRedRule rule = new MinRedRule(embeddings.length);
        for (int i = 0; i < embeddings.length; i++) {
            assertThat(rule.slotFor(i, i, embeddings[i])).isEqualTo(i);
            rule.written(i, embeddings[i], i);
        }
        return rule;
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int k = 0; k < a.length; k++) {
            dot += (double) a[k] * b[k];
            na += (double) a[k] * a[k];
            nb += (double) b[k] * b[k];
        }
        return dot / Math.sqrt(na) / Math.sqrt(nb);
    }

    private static double bruteForceNearest(float[][] held, int size, int j) {
        double best = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < size; k++) {
            if (k != j) {
                best = Math.max(best, unitDot(held[j], held[k]));
            }
        }
        return best;
    }

    /** The most redundant of buffer + arrival, ties to the older; −1 when it is the arrival. */
    private static int bruteForceSlot(float[][] held, long[] sequence, int size, int capacity, float[] arrival) {
        if (size < capacity) {
            return size;
        }
        int evict = -1;
        double worst = Double.NEGATIVE_INFINITY;
        double arrivalBest = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < size; j++) {
            double s = unitDot(held[j], arrival);
            arrivalBest = Math.max(arrivalBest, s);
            double r = Math.max(bruteForceNearest(held, size, j), s);
            if (r > worst || (r == worst && sequence[j] < sequence[evict])) {
                worst = r;
                evict = j;
            }
        }
        return arrivalBest > worst ? -1 : evict;
    }

    /**
     * The rule's similarity: both vectors normalised to float first, then the dot product in doubles — the same
     * rounding as the rule, computed here from scratch (the decisions compare exact values, so the same formula
     * is needed; {@link #cosine} is the textbook one, checked against it in the hand-worked test's tolerance).
     */
    private static double unitDot(float[] a, float[] b) {
        float[] ua = unit(a);
        float[] ub = unit(b);
        double s = 0;
        for (int k = 0; k < ua.length; k++) {
            s += (double) ua[k] * ub[k];
        }
        assertThat(s).isCloseTo(cosine(a, b), org.assertj.core.data.Offset.offset(1e-6));
        return s;
    }

    private static float[] unit(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += (double) x * x;
        }
        double scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
        float[] out = new float[v.length];
        for (int k = 0; k < v.length; k++) {
            out[k] = (float) (v[k] * scale);
        }
        return out;
    }
}
