package io.streamssl.models.pretext;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A fixed set of permutations of the 9 tiles of a 3×3 grid, the classes of a jigsaw puzzle (Noroozi &amp; Favaro
 * 2016, §3.2) and the shuffles of PIRL's jigsaw view (Misra &amp; van der Maaten 2019): the tile at position
 * {@code i} (row-major) of a shuffled grid is the source cell {@code permutation(index)[i]}.
 *
 * <pre>{@code
 * PermutationSet set = PermutationSet.standard();        // 100 permutations, min Hamming distance 6
 * int label = set.draw(random);                          // the class of a shuffled view
 * byte[] order = set.permutation(label);
 * }</pre>
 *
 * <p>Selection (Noroozi &amp; Favaro's greedy maximal-Hamming-distance algorithm, made deterministic): the first
 * permutation is drawn from all 9! with a {@code SplittableRandom} seeded {@value #SEED}; each next one is the
 * permutation not yet chosen whose minimum Hamming distance (positions that differ) to the chosen ones is
 * largest; ties go to the larger sum of distances to the chosen ones (the paper's criterion, its
 * {@code D.mean().argmax()}), then to the first in lexicographic order. The paper maximises the average
 * distance alone; the minimum first keeps every pair of classes at least {@link #minHammingDistance()} apart,
 * so no two classes are near-duplicates. The set depends on nothing but these rules: the same in every JVM,
 * which a restored job's replayed views and any model trained on the labels rely on. {@link #standard()} is
 * computed once per JVM (a few hundred milliseconds: 100 passes over the 362,880 permutations).
 */
public final class PermutationSet {

    /** Tiles of a 3×3 grid. */
    public static final int TILES = 9;
    /** Size of {@link #standard()}: the size Noroozi &amp; Favaro's ablation (their table 3) starts from. */
    public static final int STANDARD_SIZE = 100;
    /** Seed of the first permutation's draw. */
    public static final long SEED = 2016L;

    private static final int ALL = 362_880; // 9!

    private final byte[][] permutations;

    private PermutationSet(byte[][] permutations) {
        this.permutations = permutations;
    }

    /** The 100-permutation set, computed on first use and shared. */
    public static PermutationSet standard() {
        return Standard.SET;
    }

    /** Holder: the set is computed when first asked for, not when the augmentation classes load. */
    private static final class Standard {
        static final PermutationSet SET = select(STANDARD_SIZE);
    }

    /**
     * The first {@code size} permutations of the greedy selection described in the class doc (a prefix of any
     * larger selection).
     */
    public static PermutationSet select(int size) {
        if (size < 1 || size > ALL) {
            throw new IllegalArgumentException("a permutation set has 1 to 9! = " + ALL + " permutations, got "
                    + size);
        }
        byte[] all = allPermutations();
        int[] minDistance = new int[ALL];
        int[] sumDistance = new int[ALL];
        boolean[] chosen = new boolean[ALL];
        Arrays.fill(minDistance, Integer.MAX_VALUE);
        byte[][] out = new byte[size][];
        int next = new SplittableRandom(SEED).nextInt(ALL);
        for (int s = 0; s < size; s++) {
            chosen[next] = true;
            out[s] = Arrays.copyOfRange(all, next * TILES, next * TILES + TILES);
            int best = -1;
            for (int p = 0; p < ALL; p++) {
                if (chosen[p]) {
                    continue;
                }
                int d = hamming(all, p, out[s]);
                if (d < minDistance[p]) {
                    minDistance[p] = d;
                }
                sumDistance[p] += d;
                if (best < 0 || minDistance[p] > minDistance[best]
                        || (minDistance[p] == minDistance[best] && sumDistance[p] > sumDistance[best])) {
                    best = p; // strict comparisons: the first in lexicographic order wins a full tie
                }
            }
            next = best;
        }
        return new PermutationSet(out);
    }

    /** Every permutation of 0..8 in lexicographic order, 9 bytes each. */
    private static byte[] allPermutations() {
        byte[] out = new byte[ALL * TILES];
        byte[] p = {0, 1, 2, 3, 4, 5, 6, 7, 8};
        for (int n = 0; n < ALL; n++) {
            System.arraycopy(p, 0, out, n * TILES, TILES);
            nextPermutation(p);
        }
        return out;
    }

    /** Advances {@code p} to the next permutation in lexicographic order (the last one wraps to the first). */
    private static void nextPermutation(byte[] p) {
        int i = p.length - 2;
        while (i >= 0 && p[i] >= p[i + 1]) {
            i--;
        }
        if (i >= 0) {
            int j = p.length - 1;
            while (p[j] <= p[i]) {
                j--;
            }
            swap(p, i, j);
        }
        for (int a = i + 1, b = p.length - 1; a < b; a++, b--) {
            swap(p, a, b);
        }
    }

    private static void swap(byte[] p, int i, int j) {
        byte t = p[i];
        p[i] = p[j];
        p[j] = t;
    }

    private static int hamming(byte[] all, int p, byte[] q) {
        int d = 0;
        for (int i = 0, o = p * TILES; i < TILES; i++) {
            if (all[o + i] != q[i]) {
                d++;
            }
        }
        return d;
    }

    public int size() {
        return permutations.length;
    }

    /** Permutation {@code index}: entry {@code i} is the source cell shown at position {@code i} (a copy). */
    public byte[] permutation(int index) {
        if (index < 0 || index >= permutations.length) {
            throw new IllegalArgumentException("permutation index must be in [0, " + permutations.length
                    + "), got " + index);
        }
        return permutations[index].clone();
    }

    /** A uniformly drawn permutation index: exactly one {@code nextInt(size())} draw from {@code random}. */
    public int draw(SplittableRandom random) {
        return random.nextInt(permutations.length);
    }

    /** The smallest Hamming distance between two permutations of the set ({@link #TILES} for a set of one). */
    public int minHammingDistance() {
        int min = TILES;
        for (int a = 0; a < permutations.length; a++) {
            for (int b = a + 1; b < permutations.length; b++) {
                int d = 0;
                for (int i = 0; i < TILES; i++) {
                    if (permutations[a][i] != permutations[b][i]) {
                        d++;
                    }
                }
                min = Math.min(min, d);
            }
        }
        return min;
    }

    @Override
    public String toString() {
        return "PermutationSet(" + permutations.length + " of 3×3, min Hamming distance " + minHammingDistance()
                + ")";
    }
}
