package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.encoder.EncoderSpec;
import io.streamssl.models.encoder.Stem;
import io.streamssl.models.encoder.VisionTransformer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * iBOT: its masks (ratio per image in 0.3 ± 0.2, blockwise, a function of the seed), the encoder's masked pass (a
 * masked patch's pixels no longer matter; no mask is the ordinary forward), the ResNet refusal, and bit-exact
 * resume with both centres and the teacher. The patch loss: {@code MaskedPatchDistillationLossTest}; the class-token
 * loss is DINO's ({@code LossTest}).
 */
class IbotTest {

    /** Small heads and no local crops for the shared parameterised tests (each ViT pass costs). */
    static final Map<String, String> SMALL = Map.of("out-dim", "64", "head-hidden", "32", "head-bottleneck", "16",
            "local-views", "0");

    /** A tiny iBOT trainer: ViT-Tiny at 8 dimensions a head (D = 24), 32 px, 2 local crops, AdamW. */
    static TrainerSpec spec(int batch) {
        return new TrainerSpec("ibot", MethodSmokeTest.with(SMALL, "local-views", "2"), new EncoderSpec("vit-tiny", Stem.CIFAR, 8), 32, batch, 1e-3, 0, 100,
                0.9, 0.05, 42, "cpu", TrainerSpec.CIFAR_MEAN, TrainerSpec.CIFAR_STD, 10, 0.05)
                .withTrainerOption("optimizer", "adamw");
    }

    @Test
    void masksAPerImageRatioInBlocksReproduciblyBySeed() {
        for (boolean blocks : new boolean[] {true, false}) {
            BlockwiseMask mask = BlockwiseMask.sample(16, 8, 0.3, 0.2, blocks, 5);
            java.util.Set<Integer> counts = new java.util.HashSet<>();
            for (int i = 0; i < 16; i++) {
                double sum = 0;
                for (float f : mask.masked()[i]) {
                    sum += f;
                }
                assertThat((int) sum).as("count of image %d", i).isEqualTo(mask.counts()[i]);
                assertThat(mask.counts()[i]).isBetween(1, (int) (0.5 * 64));
                counts.add(mask.counts()[i]);
            }
            assertThat(counts.size()).as("each image draws its ratio").isGreaterThan(3);
            assertThat(BlockwiseMask.sample(16, 8, 0.3, 0.2, blocks, 5).masked()).isDeepEqualTo(mask.masked());
            assertThat(BlockwiseMask.sample(16, 8, 0.3, 0.2, blocks, 6).masked()).isNotEqualTo(mask.masked());
        }
        // blocks: masked patches have masked neighbours far more often than a random subset's
        assertThat(neighbourShare(BlockwiseMask.sample(64, 8, 0.3, 0.2, true, 1)))
                .isGreaterThan(neighbourShare(BlockwiseMask.sample(64, 8, 0.3, 0.2, false, 1)) + 0.2);
        assertThatThrownBy(() -> BlockwiseMask.sample(1, 8, 0.9, 0.2, true, 1)).hasMessageContaining("[0, 1)");
    }

    /** The share of masked patches with a masked right or lower neighbour. */
    private static double neighbourShare(BlockwiseMask mask) {
        int masked = 0;
        int adjacent = 0;
        for (float[] m : mask.masked()) {
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    if (m[y * 8 + x] != 0) {
                        masked++;
                        if ((x < 7 && m[y * 8 + x + 1] != 0) || (y < 7 && m[(y + 1) * 8 + x] != 0)) {
                            adjacent++;
                        }
                    }
                }
            }
        }
        return (double) adjacent / masked;
    }

    @Test
    void theMaskedPassIgnoresAMaskedPatchsPixelsAndWithoutAMaskIsTheOrdinaryForward() {
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit = (VisionTransformer) new EncoderSpec("vit-tiny", Stem.CIFAR, 8).build();
            vit.initialize(m, DataType.FLOAT32, new Shape(2, 3, 32, 32));
            ParameterStore ps = new ParameterStore(m, false);
            NDArray image = m.randomNormal(new Shape(2, 3, 32, 32));
            NDArray cls = vit.forward(ps, new NDList(image), false).singletonOrThrow();
            NDArray plain = vit.forwardMasked(ps, image, null, null, false);
            assertThat(plain.getShape()).isEqualTo(new Shape(2, 65, 24));
            assertThat(plain.get(":, 0").allClose(cls, 1e-5, 1e-6, false)).isTrue();
            NDArray token = m.randomNormal(new Shape(1, 1, 24));
            float[] flat = new float[2 * 64];
            flat[9] = 1; // image 0, patch (row 1, column 1): pixels 4-7 × 4-7
            NDArray mask = m.create(flat, new Shape(2, 64));
            NDArray masked = vit.forwardMasked(ps, image, mask, token, false);
            NDArray repainted = image.duplicate();
            repainted.set(new ai.djl.ndarray.index.NDIndex("0, :, 4:8, 4:8"), 7f);
            NDArray again = vit.forwardMasked(ps, repainted, mask, token, false);
            assertThat(again.allClose(masked, 1e-5, 1e-6, false)).as("a masked patch's pixels do not matter").isTrue();
            assertThat(vit.forwardMasked(ps, repainted, null, null, false).allClose(plain, 1e-5, 1e-6, false))
                    .as("unmasked, they do").isFalse();
            assertThat(masked.get("1").allClose(plain.get("1"), 1e-5, 1e-6, false)).as("image 1 has no mask").isTrue();
            assertThat(vit.forwardMasked(ps, image, m.zeros(new Shape(2, 64)), token, false)
                    .allClose(plain, 1e-5, 1e-6, false)).as("an empty mask").isTrue();
        }
    }

    @Test
    void theLossIsDinosOnTheClassTokensPlusThePerImageMeanOverMaskedPatchesInPlainDoubles() {
        TrainerSpec spec = spec(N).withMethod("ibot", SMALL);
        Ibot method = (Ibot) SslMethods.create("ibot", spec.methodSettings());
        ai.djl.engine.Engine.getInstance();
        ai.djl.pytorch.jni.JniUtils.setGradMode(false); // as SslTrainer does
        try (NDManager manager = NDManager.newBaseManager()) {
            method.initialize(manager, new Shape(N, 3, 32, 32));
            try (NDManager step = manager.newSubManager()) {
                ParameterStore ps = new ParameterStore(step, false);
                List<NDArray> views = List.of(step.randomNormal(new Shape(N, 3, 32, 32)),
                        step.randomNormal(new Shape(N, 3, 32, 32)));
                method.forward(ps, views, 0);
                method.afterOptimizerStep(0); // centres and teacher move off their start
                float loss = method.forward(ps, views, 1).loss().getFloat();
                double[] center = toDoubles(method.stateTensors().get("center/center"));
                double[] patchCenter = toDoubles(method.stateTensors().get("patch-center/center"));
                double ts = 0.1;
                double tt = method.teacherTemperature(1);
                VisionTransformer student = (VisionTransformer) method.encoder();
                VisionTransformer teacher = (VisionTransformer) method.teacherBlock("encoder");
                NDArray token = ((io.streamssl.models.head.MaskToken) method.heads().get("mask_token")).token()
                        .getArray();
                double[][][][] s = new double[2][][][];
                double[][][][] t = new double[2][][][];
                float[][][] masks = new float[2][][];
                for (int v = 0; v < 2; v++) {
                    masks[v] = method.mask(N, v, 1).masked();
                    float[] flat = new float[N * 64];
                    for (int i = 0; i < N; i++) {
                        System.arraycopy(masks[v][i], 0, flat, i * 64, 64);
                    }
                    s[v] = headOutputs(method.heads().get("head"), ps, student.forwardMasked(ps, views.get(v),
                            step.create(flat, new Shape(N, 64)), token, true));
                    t[v] = headOutputs(method.teacherBlock("head"), ps,
                            teacher.forwardMasked(ps, views.get(v), null, null, true));
                }
                double cls = 0;
                for (int tv = 0; tv < 2; tv++) {
                    for (int i = 0; i < N; i++) {
                        cls += crossEntropy(t[tv][i][0], center, tt, s[1 - tv][i][0], ts) / N / 2;
                    }
                }
                double patches = 0;
                for (int v = 0; v < 2; v++) {
                    for (int i = 0; i < N; i++) {
                        double sum = 0;
                        int count = 0;
                        for (int p = 0; p < 64; p++) {
                            if (masks[v][i][p] != 0) {
                                sum += crossEntropy(t[v][i][1 + p], patchCenter, tt, s[v][i][1 + p], ts);
                                count++;
                            }
                        }
                        patches += sum / count / N / 2;
                    }
                }
                assertThat((double) loss).isCloseTo(cls + patches, org.assertj.core.data.Offset.offset(
                        1e-4 * (cls + patches)));
                assertThat(patches).as("the patch term is there").isGreaterThan(0.01 * cls);
            }
        }
    }

    static final int N = 3;

    /** The head's logits of every token, (N, 1 + T, K) as doubles. */
    private static double[][][] headOutputs(ai.djl.nn.Block head, ParameterStore ps, NDArray tokens) {
        long n = tokens.getShape().get(0);
        long count = tokens.getShape().get(1);
        NDArray logits = head.forward(ps, new NDList(tokens.reshape(n * count, -1)), true).get(0);
        int k = (int) logits.getShape().get(1);
        float[] flat = logits.toFloatArray();
        double[][][] out = new double[(int) n][(int) count][k];
        for (int i = 0; i < flat.length; i++) {
            out[(int) (i / (count * k))][(int) (i / k % count)][i % k] = flat[i];
        }
        return out;
    }

    /** −Σ_k softmax((t − c)/T_t)_k · log_softmax(s/T_s)_k. */
    private static double crossEntropy(double[] teacher, double[] center, double tt, double[] student, double ts) {
        double[] p = new double[teacher.length];
        double[] q = new double[student.length];
        double maxP = Double.NEGATIVE_INFINITY;
        double maxQ = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < p.length; c++) {
            p[c] = (teacher[c] - center[c]) / tt;
            q[c] = student[c] / ts;
            maxP = Math.max(maxP, p[c]);
            maxQ = Math.max(maxQ, q[c]);
        }
        double zP = 0;
        double zQ = 0;
        for (int c = 0; c < p.length; c++) {
            zP += Math.exp(p[c] - maxP);
            zQ += Math.exp(q[c] - maxQ);
        }
        double ce = 0;
        for (int c = 0; c < p.length; c++) {
            ce -= Math.exp(p[c] - maxP) / zP * (q[c] - maxQ - Math.log(zQ));
        }
        return ce;
    }

    private static double[] toDoubles(NDArray x) {
        float[] f = x.toFloatArray();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    @Test
    void aResNetEncoderIsRefusedNamingTheEncoderKey() {
        SslMethod ibot = SslMethods.create("ibot", new MethodSettings(EncoderSpec.resnet18Cifar(), 100, 8, Map.of()));
        assertThat(ibot.viewPlan(32).describe()).isEqualTo("2×32px dino + 6×16px dino; teacher: 0,1");
        assertThatThrownBy(ibot::requireReadyToTrain).hasMessageContaining("trainer.encoder")
                .hasMessageContaining("vit-tiny").hasMessageContaining("resnet18");
        assertThatThrownBy(() -> SslMethods.create("ibot", SslMethodsTest.with("mask-shape", "grid")))
                .hasMessageContaining("mask-shape");
    }

    @Test
    void aSnapshotWritesTheEncoderTheHeadAndTheMaskToken(@org.junit.jupiter.api.io.TempDir java.nio.file.Path root)
            throws Exception {
        try (SslTrainer trainer = new SslTrainer(spec(8))) {
            trainer.step(TrainingImages.load(16, 3).batch(8, trainer.viewPlan()));
            java.nio.file.Path dir = io.streamssl.models.snapshot.SnapshotWriter.write(root, trainer, Map.of());
            assertThat(dir.resolve(io.streamssl.models.snapshot.SnapshotWriter.HEADS_FILE)).isNotEmptyFile();
            assertThat(new String(java.nio.file.Files.readAllBytes(dir.resolve(
                    io.streamssl.models.snapshot.SnapshotWriter.HEADS_FILE)), java.nio.charset.StandardCharsets.ISO_8859_1))
                    .contains("mask_token").contains("head.last_layer.weight_v");
            assertThat(dir.resolve("encoder.params")).isNotEmptyFile();
        }
    }

    @Test
    void resumedRunEqualsTheUninterruptedOneBitForBit() {
        ResumedRun run = ResumedRun.of(spec(8), TrainingImages.load(64, 7), 8, 3, 3);
        assertThat(run.saved.tensors().keySet()).contains("center/center", "patch-center/center",
                "student/mask_token/mask_token").anyMatch(k -> k.startsWith("teacher/encoder/"));
        assertThat(run.saved.tensors().get("patch-center/center"))
                .isNotEqualTo(run.saved.tensors().get("center/center"));
        run.assertBitForBit("ibot");
        assertThat(run.saved.tensors().get("student/mask_token/mask_token")).as("the mask token learns")
                .isNotEqualTo(run.end.tensors().get("student/mask_token/mask_token"));
    }
}
