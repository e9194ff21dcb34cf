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
import io.streamssl.models.MultiCropBatch;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.ViewBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Rotation's loss, on its own logits, is the cross-entropy against the targets the batch carries (checked in plain
 * doubles); without targets the views are taken as the preset turns them, view v by v mod 4.
 */
class RotationTest {

    static final int N = 3;

    @Test
    void theViewPlanIsFourRotationViews() {
        assertThat(SslMethods.create("rotation", SslMethodsTest.DEFAULTS).viewPlan(32).describe())
                .isEqualTo("4×32px rotation; teacher: none");
        assertThat(SslMethods.create("rotation", SslMethodsTest.with("views", "2")).viewPlan(32).describe())
                .isEqualTo("2×32px rotation; teacher: none");
    }

    @Test
    void theLossIsTheCrossEntropyOfItsLogitsAgainstTheBatchsTargets() {
        TrainerSpec spec = TrainerSpec.byolCifar(8, N, 1000).withMethod("rotation", Map.of());
        Rotation method = (Rotation) SslMethods.create("rotation", spec.methodSettings());
        Engine.getInstance();
        JniUtils.setGradMode(false); // as SslTrainer does
        try (NDManager manager = NDManager.newBaseManager()) {
            method.initialize(manager, new Shape(N, 3, 32, 32));
            try (NDManager step = manager.newSubManager()) {
                ParameterStore ps = new ParameterStore(step, false);
                List<NDArray> views = views(step, 4);
                int[][] targets = {{2, 0, 1}, {3, 3, 0}, {1, 2, 2}, {0, 1, 3}};
                float loss = method.forwardBatch(ps, views, new SslMethod.BatchContext(null, targets), 0).loss()
                        .getFloat();
                double[][] logits = logits(method, ps, views);
                assertThat((double) loss).isCloseTo(crossEntropy(logits, targets), offset(1e-4));
                // no targets: view v turned v mod 4 times
                int[][] preset = {{0, 0, 0}, {1, 1, 1}, {2, 2, 2}, {3, 3, 3}};
                float fallback = method.forward(ps, views, 0).loss().getFloat();
                assertThat((double) fallback).isCloseTo(crossEntropy(logits(method, ps, views), preset),
                        offset(1e-4));
                assertThat(Math.abs(fallback - loss)).as("the targets matter").isGreaterThan(1e-3f);
            }
        }
    }

    @Test
    void theTrainerHandsTheBatchsTargetsToTheMethod() {
        TrainerSpec spec = TrainerSpec.byolCifar(8, N, 1000).withMethod("rotation", Map.of());
        MultiCropBatch plain = TrainingImages.load(8, 1).batch(N, ViewPlan.of(4, 32, "rotation", List.of()));
        ViewBatch g = plain.groups().get(0);
        int[] shifted = g.viewTargets().clone();
        for (int k = 0; k < shifted.length; k++) {
            shifted[k] = (shifted[k] + 1) % 4;
        }
        float[] losses = new float[3];
        ViewBatch[] batches = {g, new ViewBatch(N, 4, 32, 32, g.pixels(), g.labels(), null, g.instanceIds(), null),
                new ViewBatch(N, 4, 32, 32, g.pixels(), g.labels(), null, g.instanceIds(), shifted)};
        for (int i = 0; i < 3; i++) {
            try (SslTrainer trainer = new SslTrainer(spec)) {
                losses[i] = trainer.step(batches[i]).loss();
            }
        }
        assertThat(losses[1]).as("no targets: the preset's turns, which the batch's are").isEqualTo(losses[0]);
        assertThat(Math.abs(losses[2] - losses[0])).as("other targets, another loss").isGreaterThan(1e-3f);
    }

    @Test
    void aBatchWithoutTargetsNeedsAMultipleOfFourViews() {
        TrainerSpec spec = TrainerSpec.byolCifar(8, N, 1000).withMethod("rotation", Map.of("views", "3"));
        SslMethod method = SslMethods.create("rotation", spec.methodSettings());
        Engine.getInstance();
        JniUtils.setGradMode(false);
        try (NDManager manager = NDManager.newBaseManager()) {
            method.initialize(manager, new Shape(N, 3, 32, 32));
            try (NDManager step = manager.newSubManager()) {
                ParameterStore ps = new ParameterStore(step, false);
                assertThatThrownBy(() -> method.forward(ps, views(step, 3), 0)).hasMessageContaining("'views' = 3")
                        .hasMessageContaining("targets");
                int[][] partial = {{0, 1, 2}, {1, -1, 0}, {3, 3, 3}};
                assertThatThrownBy(() -> method.forwardBatch(ps, views(step, 3),
                        new SslMethod.BatchContext(null, partial), 0)).hasMessageContaining("view 1");
            }
        }
    }

    /** The classifier's logits of the stacked views, rerun: (V·N, 4) as doubles. */
    private static double[][] logits(SslMethod method, ParameterStore ps, List<NDArray> views) {
        NDArray y = method.encoder().forward(ps, new NDList(NDArrays.concat(new NDList(views))), true).head();
        float[] flat = method.heads().get("classifier").forward(ps, new NDList(y), true).head().toFloatArray();
        double[][] out = new double[flat.length / 4][4];
        for (int i = 0; i < flat.length; i++) {
            out[i / 4][i % 4] = flat[i];
        }
        return out;
    }

    /** Mean of −log softmax(row)[label], rows view-major. */
    private static double crossEntropy(double[][] logits, int[][] targets) {
        double sum = 0;
        int row = 0;
        for (int[] view : targets) {
            for (int label : view) {
                double max = java.util.Arrays.stream(logits[row]).max().orElseThrow();
                double z = 0;
                for (double l : logits[row]) {
                    z += Math.exp(l - max);
                }
                sum -= logits[row][label] - max - Math.log(z);
                row++;
            }
        }
        return sum / row;
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
