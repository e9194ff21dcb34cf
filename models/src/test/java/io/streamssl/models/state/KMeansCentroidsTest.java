package io.streamssl.models.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Spherical k-means on the device against the same Lloyd iterations in plain doubles, and its determinism. */
class KMeansCentroidsTest {

    static final int Q = 24;
    static final int D = 4;
    static final int K = 3;

    @Test
    void lloydIterationsMatchAPlainJavaComputationAndRepeatBitForBit() {
        double[][] x = unitRows(Q, D, 3);
        double[][] expected = reference(x, KMeansCentroids.startRows(Q, K, 42), 4);
        int[] expectedLabels = nearest(x, expected);
        try (NDManager m = NDManager.newBaseManager()) {
            KMeansCentroids kmeans = new KMeansCentroids("test", m, K, D, Q);
            NDArray rows = m.create(flat(x), new Shape(Q, D));
            try (NDManager scratch = m.newSubManager()) {
                kmeans.recluster(rows, 4, 42, scratch);
            }
            float[] c = kmeans.centroids().toFloatArray();
            for (int k = 0; k < K; k++) {
                for (int j = 0; j < D; j++) {
                    assertThat((double) c[k * D + j]).as("centroid %d[%d]", k, j)
                            .isCloseTo(expected[k][j], org.assertj.core.data.Offset.offset(1e-5));
                }
            }
            long[] labels = kmeans.assignments().toLongArray();
            for (int i = 0; i < Q; i++) {
                assertThat(labels[i]).as("row %d's cluster", i).isEqualTo(expectedLabels[i]);
            }
            assertThat(java.util.Arrays.stream(expectedLabels).distinct().count()).as("a non-trivial case")
                    .isGreaterThan(1);
            // the same seed over the same rows gives the same bits; the state round trip keeps them
            KMeansCentroids again = new KMeansCentroids("again", m, K, D, Q);
            again.restore(kmeans.toBytes(), m);
            try (NDManager scratch = m.newSubManager()) {
                kmeans.recluster(rows, 4, 7, scratch);
                again.recluster(rows, 4, 7, scratch);
            }
            assertThat(again.centroids().toFloatArray()).isEqualTo(kmeans.centroids().toFloatArray());
            assertThat(again.assignments().toLongArray()).isEqualTo(kmeans.assignments().toLongArray());
            assertThatThrownBy(() -> new KMeansCentroids("small", m, 5, D, 4)).hasMessageContaining("memory rows");
        }
    }

    /** Lloyd's algorithm on the sphere in doubles, from the given start rows; an empty cluster keeps its centroid. */
    static double[][] reference(double[][] x, long[] start, int iterations) {
        double[][] c = new double[start.length][];
        for (int k = 0; k < start.length; k++) {
            c[k] = x[(int) start[k]].clone();
        }
        for (int it = 0; it < iterations; it++) {
            int[] labels = nearest(x, c);
            double[][] sums = new double[c.length][x[0].length];
            int[] counts = new int[c.length];
            for (int i = 0; i < x.length; i++) {
                counts[labels[i]]++;
                for (int j = 0; j < x[0].length; j++) {
                    sums[labels[i]][j] += x[i][j];
                }
            }
            for (int k = 0; k < c.length; k++) {
                if (counts[k] > 0) {
                    double norm = Math.sqrt(java.util.Arrays.stream(sums[k]).map(v -> v * v).sum());
                    for (int j = 0; j < x[0].length; j++) {
                        c[k][j] = sums[k][j] / norm;
                    }
                }
            }
        }
        return c;
    }

    static int[] nearest(double[][] x, double[][] c) {
        int[] out = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < c.length; k++) {
                double dot = 0;
                for (int j = 0; j < x[0].length; j++) {
                    dot += x[i][j] * c[k][j];
                }
                if (dot > best) {
                    best = dot;
                    out[i] = k;
                }
            }
        }
        return out;
    }

    /** Unit rows around three directions, rounded to float. */
    static double[][] unitRows(int n, int d, long seed) {
        Random random = new Random(seed);
        double[][] x = new double[n][d];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int j = 0; j < d; j++) {
                x[i][j] = (j == i % 3 ? 2 : 0) + random.nextGaussian() * 0.5;
                norm += x[i][j] * x[i][j];
            }
            for (int j = 0; j < d; j++) {
                x[i][j] = (float) (x[i][j] / Math.sqrt(norm));
            }
        }
        return x;
    }

    static float[] flat(double[][] x) {
        float[] out = new float[x.length * x[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[0].length; j++) {
                out[i * x[0].length + j] = (float) x[i][j];
            }
        }
        return out;
    }
}
