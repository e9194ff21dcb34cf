package io.streamssl.models.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamssl.models.eval.WeightedKnn.KnnResult;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The kNN protocol against a plain-double computation written out here, and a hand-worked vote. */
class WeightedKnnTest {

    /** A query whose single near neighbour outvotes two farther ones only because of the weights. */
    @Test
    void votesAreWeightedByExpOfSimilarityOverTemperature() {
        float[] bank = {
            0.99f, (float) Math.sqrt(1 - 0.99 * 0.99), 0f, // class 0, cos 0.99 to the query
            0.8f, 0.6f, 0f, // class 1, cos 0.8
            0.8f, 0f, 0.6f, // class 1, cos 0.8
            -1f, 0f, 0f}; // class 2, cos -1: not among the 3 nearest
        FeatureSet b = new FeatureSet(bank, 3, new int[] {0, 1, 1, 2}, 3);
        FeatureSet q = new FeatureSet(new float[] {5f, 0f, 0f}, 3, new int[] {0}, 3); // norm 5: normalised away
        // T = 0.1: exp(9.9) = 19930 > 2 exp(8) = 5962, class 0 wins
        assertThat(new WeightedKnn(0.1).evaluate(b, q, 3).get(0).top1()).isEqualTo(1.0);
        // T = 1: exp(0.99) = 2.69 < 2 exp(0.8) = 4.45, the two class-1 neighbours win
        assertThat(new WeightedKnn(1.0).evaluate(b, q, 3).get(0).top1()).isEqualTo(0.0);
        // k = 1: only the nearest votes
        assertThat(new WeightedKnn(1.0).evaluate(b, q, 1).get(0).top1()).isEqualTo(1.0);
    }

    /** 12 bank points and 9 queries in 3-D, 3 classes, k = 3 and k = all, against plain doubles. */
    @Test
    void matchesAPlainDoubleReference() {
        Random r = new Random(11);
        double[][] centres = {{1, 0.2, 0}, {0, 1, 0.3}, {0.2, 0, 1}};
        FeatureSet bank = cloud(r, centres, 4, 0.6);
        FeatureSet queries = cloud(r, centres, 3, 0.9);
        for (double t : new double[] {0.1, 0.5}) {
            List<KnnResult> results = new WeightedKnn(t).evaluate(bank, queries, 3, 12, 500);
            for (KnnResult result : results) {
                int k = Math.min(result.k(), 12);
                int[][] expected = reference(bank, queries, k, t);
                assertThat(result.correctPerClass()).as("T=%s k=%d correct", t, k).containsExactly(expected[0]);
                assertThat(result.countPerClass()).containsExactly(3, 3, 3);
                assertThat(result.top1()).isCloseTo(Arrays.stream(expected[0]).sum() / 9.0, within(1e-12));
                assertThat(result.perClassAccuracy()[1]).isCloseTo(expected[0][1] / 3.0, within(1e-12));
            }
            assertThat(results.get(2).k()).as("k beyond the bank is clamped").isEqualTo(12);
        }
        // the set is noisy enough that the protocols' answers are not all trivially right
        assertThat(new WeightedKnn(0.1).evaluate(bank, queries, 3).get(0).top1()).isBetween(0.3, 0.99);
    }

    @Test
    void chunksOfQueriesGiveTheSameAnswerAsOne() {
        Random r = new Random(5);
        double[][] centres = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
        FeatureSet bank = cloud(r, centres, 50, 0.8);
        FeatureSet queries = cloud(r, centres, WeightedKnn.QUERY_CHUNK / 4 + 30, 0.8); // 2 chunks
        KnnResult result = new WeightedKnn(0.1).evaluate(bank, queries, 20).get(0);
        assertThat(result.correctPerClass()).containsExactly(reference(bank, queries, 20, 0.1)[0]);
    }

    @Test
    void badArgumentsAreNamed() {
        FeatureSet a = new FeatureSet(new float[] {1, 0}, 2, new int[] {0}, 2);
        FeatureSet b = new FeatureSet(new float[] {1, 0, 0}, 3, new int[] {1}, 2);
        assertThatThrownBy(() -> new WeightedKnn(0)).hasMessageContaining("positive");
        assertThatThrownBy(() -> new WeightedKnn(0.1).evaluate(a, b, 1)).hasMessageContaining("dimension");
        assertThatThrownBy(() -> new WeightedKnn(0.1).evaluate(a, a, 0)).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> new FeatureSet(new float[] {1, 0}, 2, new int[] {-1}, 2))
                .hasMessageContaining("labelled");
    }

    /** {@code perClass} points per centre plus Gaussian noise. */
    static FeatureSet cloud(Random r, double[][] centres, int perClass, double noise) {
        int d = centres[0].length;
        int n = centres.length * perClass;
        float[] v = new float[n * d];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % centres.length;
            for (int j = 0; j < d; j++) {
                v[i * d + j] = (float) (centres[labels[i]][j] + noise * r.nextGaussian());
            }
        }
        return new FeatureSet(v, d, labels, centres.length);
    }

    /** Correct queries per class by brute force in doubles: cosine, sort, exp(sim/T) votes, arg max. */
    static int[][] reference(FeatureSet bank, FeatureSet queries, int k, double t) {
        int[] correct = new int[bank.classes()];
        for (int qi = 0; qi < queries.count(); qi++) {
            float[] q = queries.row(qi);
            double[] sim = new double[bank.count()];
            for (int b = 0; b < bank.count(); b++) {
                float[] x = bank.row(b);
                double dot = 0;
                double nq = 0;
                double nx = 0;
                for (int j = 0; j < q.length; j++) {
                    dot += (double) q[j] * x[j];
                    nq += (double) q[j] * q[j];
                    nx += (double) x[j] * x[j];
                }
                sim[b] = dot / Math.sqrt(nq) / Math.sqrt(nx);
            }
            Integer[] order = IntStream.range(0, bank.count()).boxed().toArray(Integer[]::new);
            Arrays.sort(order, Comparator.comparingDouble(b -> -sim[b]));
            double[] votes = new double[bank.classes()];
            for (int i = 0; i < k; i++) {
                votes[bank.labels()[order[i]]] += Math.exp(sim[order[i]] / t);
            }
            int best = 0;
            for (int c = 1; c < votes.length; c++) {
                if (votes[c] > votes[best]) {
                    best = c;
                }
            }
            if (best == queries.labels()[qi]) {
                correct[best]++;
            }
        }
        return new int[][] {correct};
    }
}
