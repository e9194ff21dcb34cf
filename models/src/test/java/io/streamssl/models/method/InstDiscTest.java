package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.streamssl.models.MultiCropBatch;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.StepResult;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.TrainingState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * InstDisc's positive is the image's bank row when its id is in the bank and its other view otherwise, its
 * negatives the bank's other rows and the batch's other images (in the positive's view), checked against a
 * plain-double computation on hand-made ids; its id-keyed bank is training state, so a run resumed
 * mid-way, with ids that repeat (hits, evictions, repeats within a batch), equals the uninterrupted one bit for bit.
 */
class InstDiscTest {

    static final int N = 4;
    static final double T = 0.07;

    @Test
    void aHitScoresAgainstItsBankRowAMissAgainstItsOtherView() {
        TrainerSpec spec = TrainerSpec.byolCifar(8, N, 1000).withMethod("instdisc",
                Map.of("bank-size", "8", "projector-out", "8"));
        SslMethod method = SslMethods.create("instdisc", spec.methodSettings());
        Engine.getInstance();
        JniUtils.setGradMode(false); // as SslTrainer does
        try (NDManager manager = NDManager.newBaseManager()) {
            method.initialize(manager, new Shape(N, 3, 32, 32));
            try (NDManager step = manager.newSubManager()) {
                ParameterStore ps = new ParameterStore(step, false);
                List<NDArray> views = views(step, 1);
                double[][] z0 = project(method, ps, views.get(0));
                double[][] z1 = project(method, ps, views.get(1));
                SslMethod.Forward first = method.forward(ps, views, new long[] {10, 11, 12, 13}, 0);
                int[] none = {-1, -1, -1, -1};
                double expected = (reference(z0, z1, new double[0][], 0, none)
                        + reference(z1, z0, new double[0][], 0, none)) / 2;
                assertThat((double) first.loss().getFloat()).as("an empty bank: the batch's other images are the "
                        + "negatives").isCloseTo(expected, offset(1e-4 * expected)).isGreaterThan(0.1);
                assertThat(method.scalars(0)).containsEntry("bank-hits", 0.0);
                method.afterOptimizerStep(0);
            }
            Map<String, NDArray> state = method.stateTensors();
            assertThat(state.get("bank/filled").getLong(0)).isEqualTo(4);
            assertThat(state.get("bank/ids").toLongArray()).containsExactly(10, 11, 12, 13, 0, 0, 0, 0);
            double[][] bank = rows(state.get("bank/rows").toFloatArray(), 8);

            long[] ids = {11, 20, 13, 21}; // hits at rows 1 and 3, two new images
            try (NDManager step = manager.newSubManager()) {
                ParameterStore ps = new ParameterStore(step, false);
                List<NDArray> views = views(step, 2);
                double[][] z0 = project(method, ps, views.get(0));
                double[][] z1 = project(method, ps, views.get(1));
                float loss = method.forward(ps, views, ids, 1).loss().getFloat();
                assertThat(method.scalars(1)).containsEntry("bank-hits", 0.5);
                int[] own = {1, -1, 3, -1};
                double expected = (reference(z0, z1, bank, 4, own) + reference(z1, z0, bank, 4, own)) / 2;
                assertThat((double) loss).isCloseTo(expected, offset(1e-4 * expected));
                float anonymous = method.forward(ps, views, null, 1).loss().getFloat();
                int[] none = {-1, -1, -1, -1};
                double allMisses = (reference(z0, z1, bank, 4, none) + reference(z1, z0, bank, 4, none)) / 2;
                assertThat((double) anonymous).as("without ids every image is a miss")
                        .isCloseTo(allMisses, offset(1e-4 * allMisses)).isNotCloseTo(expected, offset(1e-3));
            }
        }
    }

    /**
     * The plain-double loss of queries z against the bank: positive = bank row own[i] if ≥ 0, else unit(other[i]);
     * negatives = filled rows other than own[i] and the batch's other images unit(other[j]), j ≠ i; −log softmax of
     * the positive at T, averaged. PIRL's two terms are this too (PirlTest).
     */
    static double reference(double[][] z, double[][] other, double[][] bank, int filled, int[] own) {
        double total = 0;
        for (int i = 0; i < z.length; i++) {
            double[] q = unit(z[i]);
            double[] p = own[i] >= 0 ? bank[own[i]] : unit(other[i]);
            double positive = dot(q, p) / T;
            double sum = Math.exp(positive);
            for (int j = 0; j < filled; j++) {
                if (j != own[i]) {
                    sum += Math.exp(dot(q, bank[j]) / T);
                }
            }
            for (int j = 0; j < other.length; j++) {
                if (j != i) {
                    sum += Math.exp(dot(q, unit(other[j])) / T);
                }
            }
            total += Math.log(sum) - positive;
        }
        return total / z.length;
    }

    private static List<NDArray> views(NDManager m, long seed) {
        Random random = new Random(seed);
        List<NDArray> out = new ArrayList<>();
        for (int v = 0; v < 2; v++) {
            float[] px = new float[N * 3 * 32 * 32];
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) random.nextGaussian();
            }
            out.add(m.create(px, new Shape(N, 3, 32, 32)));
        }
        return out;
    }

    /** The projection of {@code view} in training mode, as the forward pass computes it. */
    private static double[][] project(SslMethod method, ParameterStore ps, NDArray view) {
        Block projector = method.heads().get("projector");
        NDArray y = method.encoder().forward(ps, new NDList(view), true).head();
        float[] z = projector.forward(ps, new NDList(y), true).head().toFloatArray();
        return rows(z, z.length / N);
    }

    private static double[][] rows(float[] flat, int d) {
        double[][] out = new double[flat.length / d][d];
        for (int i = 0; i < flat.length; i++) {
            out[i / d][i % d] = flat[i];
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double[] unit(double[] a) {
        double n = Math.max(Math.sqrt(dot(a, a)), 1e-12);
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] / n;
        }
        return out;
    }
}
