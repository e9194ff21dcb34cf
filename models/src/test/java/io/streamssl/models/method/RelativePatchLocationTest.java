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
 * Relative patch location's loss is the cross-entropy of its logits against the neighbour views' positions (plain
 * doubles; the fused rows rebuilt by hand: pair i's centre features, then its neighbour's); the centre views carry
 * no target, and a batch without targets is refused.
 */
class RelativePatchLocationTest {

    static final int N = 3;
    static final int SIDE = 14; // the patch at 32 px
    static final Map<String, String> SMALL = Map.of("patch-dim", "16", "head-hidden", "32");

    @Test
    void theViewPlanIsPairsOfPatches() {
        assertThat(SslMethods.create("relative-patch-location", SslMethodsTest.DEFAULTS).viewPlan(32).describe())
                .isEqualTo("2×14px relative-patch; teacher: none");
        assertThat(SslMethods.create("relative-patch-location", SslMethodsTest.with("pairs", "2")).viewPlan(224)
                .describe()).isEqualTo("4×96px relative-patch; teacher: none");
    }

    @Test
    void theLossIsTheCrossEntropyOfTheFusedPairsLogitsAgainstTheNeighboursPositions() {
        TrainerSpec spec = TrainerSpec.byolCifar(8, N, 1000).withMethod("relative-patch-location",
                MethodSmokeTest.with(SMALL, "pairs", "2"));
        SslMethod method = SslMethods.create("relative-patch-location", spec.methodSettings());
        Engine.getInstance();
        JniUtils.setGradMode(false); // as SslTrainer does
        try (NDManager manager = NDManager.newBaseManager()) {
            method.initialize(manager, new Shape(N, 3, SIDE, SIDE));
            try (NDManager step = manager.newSubManager()) {
                ParameterStore ps = new ParameterStore(step, false);
                List<NDArray> views = views(step, 4);
                int[][] targets = {{-1, -1, -1}, {7, 0, 3}, {-1, -1, -1}, {4, 4, 1}};
                SslMethod.Forward f = method.forwardBatch(ps, views, new SslMethod.BatchContext(null, targets), 0);
                int[][] positions = {targets[1], targets[3]};
                assertThat((double) f.loss().getFloat()).isCloseTo(
                        JigsawTest.crossEntropy(logits(method, ps, views), positions), offset(1e-4));
                assertThat(f.embeddings().getShape()).isEqualTo(new Shape(N, RelativePatchLocation.POSITIONS));
                assertThat(f.features().getShape()).isEqualTo(new Shape(N, spec.encoder().featureDim()));
                int[][] other = {{-1, -1, -1}, {6, 1, 3}, {-1, -1, -1}, {4, 5, 1}};
                float shifted = method.forwardBatch(ps, views, new SslMethod.BatchContext(null, other), 0).loss()
                        .getFloat();
                assertThat(Math.abs(shifted - f.loss().getFloat())).as("the targets matter").isGreaterThan(1e-4f);
                assertThatThrownBy(() -> method.forward(ps, views, 0)).hasMessageContaining("no targets");
                int[][] centreOnly = {{1, 1, 1}, {-1, -1, -1}, {1, 1, 1}, {-1, -1, -1}};
                assertThatThrownBy(() -> method.forwardBatch(ps, views, new SslMethod.BatchContext(null,
                        centreOnly), 0)).hasMessageContaining("view 1");
            }
        }
    }

    @Test
    void theTrainerHandsTheNeighboursTargetsToTheMethod() {
        TrainerSpec spec = TrainerSpec.byolCifar(8, N, 1000).withMethod("relative-patch-location", SMALL);
        MultiCropBatch batch = TrainingImages.load(8, 1).batch(N, ViewPlan.of(2, SIDE, "relative-patch", List.of()));
        ViewBatch g = batch.groups().get(0);
        int[] shifted = g.viewTargets().clone();
        for (int k = 0; k < shifted.length; k++) {
            assertThat(shifted[k]).as("centre views have none, neighbours 0..7").isBetween(k % 2 == 0 ? -1 : 0,
                    k % 2 == 0 ? -1 : 7);
            shifted[k] = k % 2 == 0 ? -1 : (shifted[k] + 1) % RelativePatchLocation.POSITIONS;
        }
        float[] losses = new float[2];
        ViewBatch[] batches = {g, new ViewBatch(N, 2, SIDE, SIDE, g.pixels(), g.labels(), null, g.instanceIds(),
                shifted)};
        for (int i = 0; i < 2; i++) {
            try (SslTrainer trainer = new SslTrainer(spec)) {
                losses[i] = trainer.step(batches[i]).loss();
            }
        }
        assertThat(Math.abs(losses[1] - losses[0])).as("other targets, another loss").isGreaterThan(1e-4f);
    }

    /** The logits rerun by hand: (pairs·N, 8) as doubles, pair-major. */
    private static double[][] logits(SslMethod method, ParameterStore ps, List<NDArray> views) {
        int pairs = views.size() / 2;
        NDList order = new NDList(); // as the method batches the encoder: centres, then neighbours
        for (int p = 0; p < pairs; p++) {
            order.add(views.get(2 * p));
        }
        for (int p = 0; p < pairs; p++) {
            order.add(views.get(2 * p + 1));
        }
        NDArray y = method.encoder().forward(ps, new NDList(NDArrays.concat(order)), true).head();
        float[] z = method.heads().get("patch-head").forward(ps, new NDList(y), true).head().toFloatArray();
        int d = z.length / (2 * pairs * N);
        int m = pairs * N;
        float[] fused = new float[m * 2 * d];
        for (int i = 0; i < m; i++) { // row i: centre row i, then neighbour row m + i
            System.arraycopy(z, i * d, fused, i * 2 * d, d);
            System.arraycopy(z, (m + i) * d, fused, i * 2 * d + d, d);
        }
        NDArray in = y.getManager().create(fused, new Shape(m, 2L * d));
        float[] flat = method.heads().get("classifier").forward(ps, new NDList(in), true).head().toFloatArray();
        int k = RelativePatchLocation.POSITIONS;
        double[][] out = new double[m][k];
        for (int i = 0; i < flat.length; i++) {
            out[i / k][i % k] = flat[i];
        }
        return out;
    }

    private static List<NDArray> views(NDManager m, int count) {
        Random r = new Random(5);
        List<NDArray> out = new ArrayList<>();
        for (int v = 0; v < count; v++) {
            float[] px = new float[N * 3 * SIDE * SIDE];
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) r.nextGaussian();
            }
            out.add(m.create(px, new Shape(N, 3, SIDE, SIDE)));
        }
        return out;
    }
}
