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
 * PIRL cuts its jigsaw view back into the tiles the pipeline laid out; its loss, on the method's own f and g, is
 * the λ-mix of the two bank contrasts with the image's bank row (a hit) or its second plain view's detached f (a
 * first visit) as the positive and the bank's other rows and the batch's other images' detached f of that view as
 * negatives, checked against plain doubles; the bank moves by the paper's rule; and a run resumed mid-way, with
 * ids that repeat, equals the uninterrupted one bit for bit.
 */
class PirlTest {

    static final int N = 4;
    static final double T = 0.07;
    static final int JIGSAW = 27; // at 32 px: 3 tiles of 9

    @Test
    void theJigsawViewIsCutIntoItsNineTilesInRowMajorPositionOrder() {
        try (NDManager m = NDManager.newBaseManager()) {
            // 2 images, 2 channels, 6×6: value = 1000·n + 100·c + 10·y + x, so each pixel says where it was
            float[] v = new float[2 * 2 * 6 * 6];
            for (int n = 0; n < 2; n++) {
                for (int c = 0; c < 2; c++) {
                    for (int y = 0; y < 6; y++) {
                        for (int x = 0; x < 6; x++) {
                            v[((n * 2 + c) * 6 + y) * 6 + x] = 1000 * n + 100 * c + 10 * y + x;
                        }
                    }
                }
            }
            NDArray tiles = Pirl.tiles(m.create(v, new Shape(2, 2, 6, 6)));
            assertThat(tiles.getShape()).isEqualTo(new Shape(18, 2, 2, 2));
            float[] t = tiles.toFloatArray();
            for (int n = 0; n < 2; n++) {
                for (int i = 0; i < 9; i++) {
                    for (int c = 0; c < 2; c++) {
                        for (int y = 0; y < 2; y++) {
                            for (int x = 0; x < 2; x++) {
                                float expected = 1000 * n + 100 * c + 10 * ((i / 3) * 2 + y) + (i % 3) * 2 + x;
                                assertThat(t[(((n * 9 + i) * 2 + c) * 2 + y) * 2 + x])
                                        .as("image %d tile %d channel %d (%d, %d)", n, i, c, x, y)
                                        .isEqualTo(expected);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void theViewPlanIsTwoPlainViewsAndAJigsawViewWhoseTilesScaleWithTheImage() {
        SslMethod pirl = SslMethods.create("pirl", SslMethodsTest.DEFAULTS);
        assertThat(pirl.viewPlan(32).describe()).isEqualTo("2×32px cifar-symmetric + 1×27px jigsaw; teacher: none");
        assertThat(pirl.viewPlan(224).describe()).isEqualTo("2×224px mocov2 + 1×192px jigsaw; teacher: none");
        // the augmentation option replaces the plain views' preset only
        assertThat(SslMethods.create("pirl", SslMethodsTest.with("augmentation", "simclr")).viewPlan(32).describe())
                .isEqualTo("2×32px simclr + 1×27px jigsaw; teacher: none");
    }

    @Test
    void theLossMixesBothTermsAgainstTheBankRowOfAHitAndTheDetachedViewOfAMiss() {
        TrainerSpec spec = TrainerSpec.byolCifar(8, N, 1000).withMethod("pirl",
                Map.of("bank-size", "8", "projector-out", "8", "lambda", "0.7"));
        SslMethod method = SslMethods.create("pirl", spec.methodSettings());
        Engine.getInstance();
        JniUtils.setGradMode(false); // as SslTrainer does
        try (NDManager manager = NDManager.newBaseManager()) {
            method.initialize(manager, new Shape(N, 3, 32, 32));
            try (NDManager step = manager.newSubManager()) {
                ParameterStore ps = new ParameterStore(step, false);
                List<NDArray> views = views(step, 1);
                double[][] f0 = f(method, ps, views.get(0));
                double[][] o0 = f(method, ps, views.get(1));
                double[][] g0 = g(method, ps, views.get(2));
                SslMethod.Forward first = method.forward(ps, views, new long[] {10, 11, 12, 13}, 0);
                int[] none = {-1, -1, -1, -1};
                double firstExpected = 0.7 * InstDiscTest.reference(g0, o0, new double[0][], 0, none)
                        + 0.3 * InstDiscTest.reference(f0, o0, new double[0][], 0, none);
                assertThat((double) first.loss().getFloat()).as("an empty bank: the batch's other images are the "
                        + "negatives").isCloseTo(firstExpected, offset(1e-4 * firstExpected)).isGreaterThan(0.1);
                method.afterOptimizerStep(0);
                double[][] rows = rows(method.stateTensors().get("bank/rows").toFloatArray(), 8);
                for (int i = 0; i < N; i++) {
                    assertThat(rows[i]).as("a new image's row is its unit f").containsExactly(unit(f0[i]),
                            offset(1e-5));
                }
            }
            Map<String, NDArray> state = method.stateTensors();
            assertThat(state.get("bank/ids").toLongArray()).containsExactly(10, 11, 12, 13, 0, 0, 0, 0);
            double[][] bank = rows(state.get("bank/rows").toFloatArray(), 8);

            long[] ids = {11, 20, 13, 21}; // hits at rows 1 and 3, two new images
            try (NDManager step = manager.newSubManager()) {
                ParameterStore ps = new ParameterStore(step, false);
                List<NDArray> views = views(step, 2);
                double[][] f = f(method, ps, views.get(0));
                double[][] o = f(method, ps, views.get(1));
                double[][] g = g(method, ps, views.get(2));
                float loss = method.forward(ps, views, ids, 1).loss().getFloat();
                assertThat(method.scalars(1)).containsEntry("bank-hits", 0.5);
                int[] own = {1, -1, 3, -1};
                double expected = 0.7 * InstDiscTest.reference(g, o, bank, 4, own)
                        + 0.3 * InstDiscTest.reference(f, o, bank, 4, own);
                assertThat((double) loss).isCloseTo(expected, offset(1e-4 * expected));
                float anonymous = method.forward(ps, views, null, 1).loss().getFloat();
                int[] none = {-1, -1, -1, -1};
                double allMisses = 0.7 * InstDiscTest.reference(g, o, bank, 4, none)
                        + 0.3 * InstDiscTest.reference(f, o, bank, 4, none);
                assertThat((double) anonymous).as("without ids every image is a first visit")
                        .isCloseTo(allMisses, offset(1e-4 * allMisses)).isNotCloseTo(expected, offset(1e-3));
                method.forward(ps, views, ids, 1); // the update below is this forward's
                method.afterOptimizerStep(1);
                double[][] after = rows(method.stateTensors().get("bank/rows").toFloatArray(), 8);
                // a hit: m ← normalise(0.5 m + 0.5 unit(f)); a new image is appended at the pointer (row 4, 5)
                assertThat(after[1]).containsExactly(unit(mix(bank[1], unit(f[0]))), offset(1e-5));
                assertThat(after[3]).containsExactly(unit(mix(bank[3], unit(f[2]))), offset(1e-5));
                assertThat(after[4]).containsExactly(unit(f[1]), offset(1e-5));
                assertThat(after[5]).containsExactly(unit(f[3]), offset(1e-5));
                assertThat(after[0]).containsExactly(bank[0], offset(0.0));
            }
        }
    }

    /** Random normalised-looking views: two plain 32 px views and a 27 px jigsaw view. */
    static List<NDArray> views(NDManager m, long seed) {
        Random r = new Random(seed);
        List<NDArray> out = new ArrayList<>();
        for (int side : new int[] {32, 32, JIGSAW}) {
            float[] px = new float[N * 3 * side * side];
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) r.nextGaussian();
            }
            out.add(m.create(px, new Shape(N, 3, side, side)));
        }
        return out;
    }

    /** f(v_I): encoder → projector, with the method's own blocks. */
    static double[][] f(SslMethod method, ParameterStore ps, NDArray view) {
        NDArray y = run(method.encoder(), ps, view);
        return rows(run(method.heads().get("projector"), ps, y).toFloatArray(), N);
    }

    /** g(v_It): the tiles through encoder and tile projector, concatenated per image, then the jigsaw projector. */
    static double[][] g(SslMethod method, ParameterStore ps, NDArray jigsaw) {
        NDArray tiles = run(method.heads().get("tile-projector"), ps, run(method.encoder(), ps, Pirl.tiles(jigsaw)));
        return rows(run(method.heads().get("jigsaw-projector"), ps, tiles.reshape(N, -1)).toFloatArray(), N);
    }

    static NDArray run(Block block, ParameterStore ps, NDArray x) {
        return block.forward(ps, new NDList(x), true).head();
    }

    static double[] mix(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = 0.5 * a[i] + 0.5 * b[i];
        }
        return out;
    }

    static double[][] rows(float[] flat, int n) {
        int d = flat.length / n;
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                out[i][j] = flat[i * d + j];
            }
        }
        return out;
    }

    static double[] unit(double[] a) {
        double norm = Math.sqrt(dot(a, a));
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] / norm;
        }
        return out;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
