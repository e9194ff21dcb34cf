package io.streamssl.models.probe;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearProbeTest {

    /** Features = one-hot of the class times 3 plus unit noise: linearly separable with a wide margin. */
    @Test
    void learnsSeparableClassesAndScoresBeforeTraining() {
        int d = 16;
        int classes = 4;
        Random r = new Random(1);
        try (NDManager m = NDManager.newBaseManager()) {
            LinearProbe probe = new LinearProbe(m, d, classes, 0.5f);
            int firstCorrect = -1;
            int lastCorrect = 0;
            int lastN = 0;
            for (int step = 0; step < 60; step++) {
                int n = 32;
                float[] x = new float[n * d];
                int[] labels = new int[n];
                for (int i = 0; i < n; i++) {
                    labels[i] = i % 5 == 4 ? -1 : r.nextInt(classes); // every 5th row unlabelled
                    for (int j = 0; j < d; j++) {
                        x[i * d + j] = (float) r.nextGaussian();
                    }
                    if (labels[i] >= 0) {
                        x[i * d + labels[i]] += 3f;
                    }
                }
                try (NDManager step1 = m.newSubManager()) {
                    NDArray features = step1.create(x, new Shape(n, d));
                    LinearProbe.Score s = probe.scoreThenTrain(features, labels);
                    assertThat(s.labelled()).isEqualTo(n - n / 5);
                    if (step == 0) {
                        firstCorrect = s.correct();
                    }
                    if (step >= 50) {
                        lastCorrect += s.correct();
                        lastN += s.labelled();
                    }
                }
            }
            // an untrained probe (zero weights) predicts class 0 for every row: about a quarter right
            assertThat(firstCorrect).isLessThan(16);
            assertThat((double) lastCorrect / lastN).as("accuracy after 50 steps").isGreaterThan(0.9);
        }
    }
}
