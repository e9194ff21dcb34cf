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
 * Jigsaw's loss is the cross-entropy of its logits against the permutation indices the batch carries (checked in
 * plain doubles, the logits rerun from the tiles: each tile encoded on its own, the 9 concatenated in grid order);
 * a batch without targets is refused, naming what makes them.
 */
class JigsawTest {

    static final int N = 3;
    static final int SIDE = 27; // 3 tiles of 9 px: the plan at 32 px
    static final Map<String, String> SMALL = Map.of("tile-dim", "16", "head-hidden", "32");

    @Test
    void theViewPlanIsOnePuzzleOfNinePixelTiles() {
        assertThat(SslMethods.create("jigsaw", SslMethodsTest.DEFAULTS).viewPlan(32).describe())
                .isEqualTo("1×27px jigsaw; teacher: none");
        assertThat(SslMethods.create("jigsaw", SslMethodsTest.with("views", "2")).viewPlan(224).describe())
                .isEqualTo("2×192px jigsaw; teacher: none");
    }

    @Test
    void theLossIsTheCrossEntropyOfTheTilesLogitsAgainstTheBatchsPermutations() {
        TrainerSpec spec = TrainerSpec.byolCifar(8, N, 1000).withMethod("jigsaw", with(SMALL, "views", "2"));
        SslMethod method = SslMethods.create("jigsaw", spec.methodSettings());
        Engine.getInstance();
        JniUtils.setGradMode(false); // as SslTrainer does
        try (NDManager manager = NDManager.newBaseManager()) {
            method.initialize(manager, new Shape(N, 3, SIDE, SIDE));
            try (NDManager step = manager.newSubManager()) {
                ParameterStore ps = new ParameterStore(step, false);
                List<NDArray> views = views(step, 2);
                int[][] targets = {{17, 0, 99}, {42, 42, 5}};
                SslMethod.Forward f = method.forwardBatch(ps, views, new SslMethod.BatchContext(null, targets), 0);
                double[][] logits = logits(method, ps, views);
                assertThat((double) f.loss().getFloat()).isCloseTo(crossEntropy(logits, targets), offset(1e-4));
                assertThat(f.embeddings().getShape()).isEqualTo(new Shape(N, Jigsaw.PERMUTATIONS));
                assertThat(f.features().getShape()).isEqualTo(new Shape(N, spec.encoder().featureDim()));
                int[][] other = {{18, 1, 98}, {41, 43, 6}};
                float shifted = method.forwardBatch(ps, views, new SslMethod.BatchContext(null, other), 0).loss()
                        .getFloat();
                assertThat(Math.abs(shifted - f.loss().getFloat())).as("the targets matter").isGreaterThan(1e-4f);
                assertThatThrownBy(() -> method.forward(ps, views, 0)).hasMessageContaining("no targets");
            }
        }
    }

    @Test
    void theTrainerHandsTheBatchsTargetsToTheMethod() {
        TrainerSpec spec = TrainerSpec.byolCifar(8, N, 1000).withMethod("jigsaw", SMALL);
        MultiCropBatch batch = TrainingImages.load(8, 1).batch(N, ViewPlan.of(1, SIDE, "jigsaw", List.of()));
        ViewBatch g = batch.groups().get(0);
        int[] shifted = g.viewTargets().clone();
        for (int k = 0; k < shifted.length; k++) {
            shifted[k] = (shifted[k] + 1) % Jigsaw.PERMUTATIONS;
        }
        float[] losses = new float[2];
        ViewBatch[] batches = {g, new ViewBatch(N, 1, SIDE, SIDE, g.pixels(), g.labels(), null, g.instanceIds(),
                shifted)};
        for (int i = 0; i < 2; i++) {
            try (SslTrainer trainer = new SslTrainer(spec)) {
                losses[i] = trainer.step(batches[i]).loss();
            }
        }
        assertThat(Math.abs(losses[1] - losses[0])).as("other targets, another loss").isGreaterThan(1e-4f);
    }

    /** The logits rerun by hand: (V·N, 100) as doubles, puzzles view-major. */
    private static double[][] logits(SslMethod method, ParameterStore ps, List<NDArray> views) {
        NDArray puzzles = NDArrays.concat(new NDList(views));
        long m = puzzles.getShape().get(0);
        List<NDArray> tiles = new ArrayList<>();
        for (long p = 0; p < m; p++) {
            for (int row = 0; row < 3; row++) {
                for (int col = 0; col < 3; col++) { // grid position row·3 + col, cut by indexing, not reshaping
                    tiles.add(puzzles.get(p + ":" + (p + 1) + ",:," + row * 9 + ":" + (row + 1) * 9 + ","
                            + col * 9 + ":" + (col + 1) * 9));
                }
            }
        }
        NDArray y = method.encoder().forward(ps, new NDList(NDArrays.concat(new NDList(tiles))), true).head();
        NDArray perTile = method.heads().get("tile-head").forward(ps, new NDList(y), true).head();
        float[] flat = method.heads().get("classifier").forward(ps, new NDList(perTile.reshape(m, -1)), true).head()
                .toFloatArray();
        int k = Jigsaw.PERMUTATIONS;
        double[][] out = new double[flat.length / k][k];
        for (int i = 0; i < flat.length; i++) {
            out[i / k][i % k] = flat[i];
        }
        return out;
    }

    /** Mean of −log softmax(row)[label], rows view-major. */
    static double crossEntropy(double[][] logits, int[][] targets) {
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

    static Map<String, String> with(Map<String, String> base, String key, String value) {
        return MethodSmokeTest.with(base, key, value);
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
