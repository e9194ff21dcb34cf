package io.streamssl.models.loss;

import static io.streamssl.models.loss.LossTest.assertGradient;
import static io.streamssl.models.loss.LossTest.assertValue;
import static io.streamssl.models.loss.LossTest.nd;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * iBOT's patch loss against the formula in plain doubles (the mean over each image's masked patches of
 * −Σ_k softmax((t − c)/T_t)_k · log_softmax(s/T_s)_k, then over images), and its gradient against finite
 * differences.
 */
class MaskedPatchDistillationLossTest {

    @BeforeAll
    static void open() {
        LossTest.open();
    }

    @AfterAll
    static void close() {
        LossTest.close();
    }

    @Test
    void matchesThePerImageMeanOverMaskedPatchesAndItsGradient() {
        LossTest values = new LossTest();
        int k = 5;
        int[] image = {0, 0, 0, 1, 2, 2}; // 3 images with 3, 1 and 2 masked patches
        double[][] student = values.randn(image.length, k, 1);
        double[][] teacher = values.randn(image.length, k, 1);
        double[] center = values.randn(1, k, 0.5)[0];
        double[] weights = weights(image, 3);
        MaskedPatchDistillationLoss loss = new MaskedPatchDistillationLoss(0.1);
        NDManager m = LossTest.manager;
        assertValue("ibot patch", loss.compute(nd(m, student), nd(m, teacher), nd(m, new double[][] {center}), 0.04,
                m.create(toFloats(weights))), reference(student, teacher, center, image, 3, 0.1, 0.04));
        assertGradient("ibot patch student", student, (mm, x) -> loss.compute(x, nd(mm, teacher),
                nd(mm, new double[][] {center}), 0.04, mm.create(toFloats(weights))),
                x -> reference(x, teacher, center, image, 3, 0.1, 0.04));
        assertThatThrownBy(() -> loss.compute(nd(m, student), nd(m, teacher), nd(m, new double[][] {center}), 0.04,
                m.create(new float[2]))).hasMessageContaining("one weight per masked patch");
    }

    /** 1 / (masked patches of the row's image × images). */
    private static double[] weights(int[] image, int images) {
        int[] count = new int[images];
        for (int i : image) {
            count[i]++;
        }
        double[] w = new double[image.length];
        for (int j = 0; j < image.length; j++) {
            w[j] = 1.0 / (count[image[j]] * images);
        }
        return w;
    }

    private static float[] toFloats(double[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) x[i];
        }
        return out;
    }

    /** iBOT's loss2 written out: per image the mean over its masked patches, then the mean over images. */
    static double reference(double[][] student, double[][] teacher, double[] center, int[] image, int images,
            double ts, double tt) {
        double[] sum = new double[images];
        int[] count = new int[images];
        for (int j = 0; j < student.length; j++) {
            double[] centred = new double[center.length];
            for (int c = 0; c < center.length; c++) {
                centred[c] = teacher[j][c] - center[c];
            }
            double[] logP = Reference.logSoftmax(centred, tt);
            double[] logQ = Reference.logSoftmax(student[j], ts);
            double ce = 0;
            for (int c = 0; c < center.length; c++) {
                ce -= Math.exp(logP[c]) * logQ[c];
            }
            sum[image[j]] += ce;
            count[image[j]]++;
        }
        double total = 0;
        for (int i = 0; i < images; i++) {
            total += sum[i] / count[i];
        }
        return total / images;
    }
}
