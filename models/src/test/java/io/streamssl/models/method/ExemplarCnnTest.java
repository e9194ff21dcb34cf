package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.state.ExemplarSlots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Exemplar-CNN: the rolling slot table (hits keep their class, new images take the oldest slot, a slot of the
 * batch is never taken), the loss in plain doubles with the re-initialised rows imprinted or at zero, and bit-exact
 * resume with repeats and evictions.
 */
class ExemplarCnnTest {

    /** For the shared parameterised tests: 64 classes, 2 views. */
    static final Map<String, String> SMALL = Map.of("exemplars", "64", "views", "2");

    static final int N = 3;

    @Test
    void slotsAreFirstInFirstOutKeyedByIdAndNeverTakenFromTheBatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            ExemplarSlots slots = new ExemplarSlots("test", m, 4);
            ExemplarSlots.Plan p = slots.plan(new long[] {10, 11, 12});
            assertThat(p.slots()).containsExactly(0, 1, 2);
            assertThat(p.fresh()).containsExactly(0, 1, 2);
            assertThat(p.hits()).isZero();
            assertThat(slots.filled()).as("a plan changes nothing").isZero();
            slots.apply(p);
            // 11 is a hit; 13 fills the last slot; 14 evicts the oldest, 10
            p = slots.plan(new long[] {11, 13, 14});
            assertThat(p.slots()).containsExactly(1, 3, 0);
            assertThat(p.fresh()).containsExactly(3, 0);
            assertThat(p.hits()).isEqualTo(1);
            slots.apply(p);
            assertThat(slots.filled()).isEqualTo(4);
            // 15 evicts 11 (slot 1); its second occurrence has the same class
            p = slots.plan(new long[] {15, 12, 15});
            assertThat(p.slots()).containsExactly(1, 2, 1);
            assertThat(p.fresh()).containsExactly(1);
            slots.apply(p);
            // table [14, 15, 12, 13], pointer at 2: 12 is in the batch, so 16 skips its slot and evicts 13
            p = slots.plan(new long[] {12, 16});
            assertThat(p.slots()).containsExactly(2, 3);
            assertThat(p.fresh()).containsExactly(3);
            slots.apply(p);
            assertThat(slots.stateTensors().get("ids").toLongArray()).containsExactly(14, 15, 12, 16);
            assertThat(slots.plan(new long[] {10}).hits()).as("10 was evicted").isZero();
            assertThatThrownBy(() -> slots.plan(new long[] {1, 2, 3, 4, 5})).hasMessageContaining("at least as many");
        }
    }

    @Test
    void theLossIsTheCrossEntropyToEachImagesSlotWithFreshRowsImprinted() {
        lossWithFreshRows("imprint");
    }

    @Test
    void theLossIsTheCrossEntropyToEachImagesSlotWithFreshRowsAtZero() {
        lossWithFreshRows("zero");
    }

    private static void lossWithFreshRows(String slotInit) {
        TrainerSpec spec = TrainerSpec.byolCifar(8, N, 1000).withMethod("exemplar-cnn",
                Map.of("exemplars", "4", "views", "2", "slot-init", slotInit));
        ExemplarCnn method = (ExemplarCnn) SslMethods.create("exemplar-cnn", spec.methodSettings());
        Engine.getInstance();
        JniUtils.setGradMode(false); // as SslTrainer does
        try (NDManager manager = NDManager.newBaseManager()) {
            method.initialize(manager, new Shape(N, 3, 32, 32));
            NDArray weight = method.heads().get("classifier").getParameters().get("weight").getArray();
            assertThat(weight.toFloatArray()).as("every class starts at zero").containsOnly(0f);
            try (NDManager step = manager.newSubManager()) {
                ParameterStore ps = new ParameterStore(step, false);
                List<NDArray> views = views(step, 2);
                method.forward(ps, views, new long[] {1, 2, 3}, 0);
                method.afterOptimizerStep(0); // slots 0, 1, 2 hold images 1, 2, 3
                float[] random = new float[(int) weight.size()];
                Random r = new Random(3);
                for (int i = 0; i < random.length; i++) {
                    random[i] = (float) r.nextGaussian();
                }
                weight.set(random);
                // 3 keeps slot 2; 4 takes the free slot 3; 5 evicts 1 from slot 0: rows 3 and 0 start again
                float loss = method.forward(ps, views, new long[] {3, 4, 5}, 1).loss().getFloat();
                assertThat(weight.toFloatArray()).as("rows are written after the optimiser step").containsExactly(random);
                double[][] y = features(method, ps, views);
                method.afterOptimizerStep(1);
                float[] after = weight.toFloatArray(); // the rows the classifier read
                int d = random.length / 4;
                int[] labels = {2, 3, 0};
                int[] imageOfRow = {2, -1, -1, 1}; // fresh rows 0 and 3: images 5 and 4, at batch index 2 and 1
                for (int k = 0; k < 4; k++) {
                    double[] expected = new double[d];
                    if (imageOfRow[k] < 0) {
                        for (int j = 0; j < d; j++) {
                            expected[j] = random[k * d + j];
                        }
                    } else if (slotInit.equals("imprint")) { // the normalised mean over the image's two views
                        double norm = 0;
                        for (int j = 0; j < d; j++) {
                            expected[j] = (y[imageOfRow[k]][j] + y[N + imageOfRow[k]][j]) / 2;
                            norm += expected[j] * expected[j];
                        }
                        for (int j = 0; j < d; j++) {
                            expected[j] /= Math.sqrt(norm);
                        }
                    }
                    for (int j = 0; j < d; j++) {
                        assertThat((double) after[k * d + j]).as("row %d", k).isCloseTo(expected[j], offset(1e-5));
                    }
                }
                double sum = 0;
                for (int row = 0; row < y.length; row++) {
                    double[] logits = new double[4];
                    for (int k = 0; k < 4; k++) {
                        for (int j = 0; j < d; j++) {
                            logits[k] += y[row][j] * after[k * d + j];
                        }
                    }
                    double max = java.util.Arrays.stream(logits).max().orElseThrow();
                    double z = 0;
                    for (double l : logits) {
                        z += Math.exp(l - max);
                    }
                    sum -= logits[labels[row % N]] - max - Math.log(z);
                }
                assertThat((double) loss).isCloseTo(sum / y.length, offset(1e-4 * Math.max(1, sum / y.length)));
                assertThat(method.scalars(1)).containsEntry("exemplar-hits", 1.0 / 3);
            }
        }
    }

    @Test
    void aResumedRunWithRepeatsAndEvictionsEqualsTheUninterruptedOneBitForBit() {
        // 16 images drawn 8 a step with replacement into 12 classes: hits, evictions and repeats within a batch
        TrainerSpec spec = TrainerSpec.byolCifar(8, 8, 100).withMethod("exemplar-cnn",
                Map.of("exemplars", "12", "views", "2")).withLearningRate(0.05);
        ResumedRun run = ResumedRun.of(spec, TrainingImages.load(16, 3), 8, 3, 4);
        assertThat(run.meanScalar("exemplar-hits")).as("share of images that had a class").isBetween(0.2, 0.95);
        run.assertBitForBit("exemplar-cnn");
        assertThat(run.saved.tensors().get("slots/ids")).as("the slots moved on")
                .isNotEqualTo(run.end.tensors().get("slots/ids"));
        assertThat(run.saved.tensors().get("student/classifier/weight"))
                .isNotEqualTo(run.end.tensors().get("student/classifier/weight"));
    }

    @Test
    void fewerClassesThanTheBatchIsRefusedNamingBothKeys() {
        assertThatThrownBy(() -> SslMethods.create("exemplar-cnn", SslMethodsTest.with("exemplars", "100")))
                .hasMessageContaining("exemplars").hasMessageContaining("batch");
    }

    /** The encoder's features of the stacked views, rerun: (V·N, d) as doubles. */
    private static double[][] features(SslMethod method, ParameterStore ps, List<NDArray> views) {
        NDArray y = method.encoder().forward(ps, new NDList(NDArrays.concat(new NDList(views))), true).head();
        int d = (int) y.getShape().get(1);
        float[] flat = y.toFloatArray();
        double[][] out = new double[flat.length / d][d];
        for (int i = 0; i < flat.length; i++) {
            out[i / d][i % d] = flat[i];
        }
        return out;
    }

    private static List<NDArray> views(NDManager m, int count) {
        Random r = new Random(5);
        List<NDArray> out = new ArrayList<>();
        for (int v = 0; v < count; v++) {
            float[] px = new float[N * 3 * 32 * 32];
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) r.nextGaussian();
            }
            out.add(m.create(px, new Shape(N, 3, 32, 32)));
        }
        return out;
    }
}
