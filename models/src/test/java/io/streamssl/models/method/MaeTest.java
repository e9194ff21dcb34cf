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
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * MAE: its masking (75 % of the patches, a different subset per image, a function of the step), the encoder's
 * visible-patch entry point (all patches visible gives the ordinary forward), the ResNet refusal, and bit-exact
 * resume (the mask is re-made from the step, no generator state is saved). The loss: {@code MaskedPixelLossTest}.
 */
class MaeTest {

    static final Map<String, String> SMALL = Map.of("decoder-width", "32", "decoder-depth", "1", "decoder-heads", "2");

    /** A tiny MAE trainer: ViT-Tiny at 8 dimensions a head (D = 24), 32 px, AdamW. */
    static TrainerSpec spec(int batch) {
        return new TrainerSpec("mae", SMALL, new EncoderSpec("vit-tiny", Stem.CIFAR, 8), 32, batch, 1e-3, 0, 100, 0.9,
                0.05, 42, "cpu", TrainerSpec.CIFAR_MEAN, TrainerSpec.CIFAR_STD, 10, 0.05)
                .withTrainerOption("optimizer", "adamw");
    }

    @Test
    void masksThreeQuartersOfThePatchesDifferentlyPerImageAndReproduciblyByStep() {
        PatchMask mask = PatchMask.random(8, 64, 0.75, 5);
        Set<String> subsets = new HashSet<>();
        for (int i = 0; i < 8; i++) {
            assertThat(mask.visible()[i]).hasSize(16).isSorted().doesNotHaveDuplicates();
            double maskedCount = 0;
            for (float f : mask.masked()[i]) {
                maskedCount += f;
            }
            assertThat(maskedCount).isEqualTo(48);
            for (int k = 0; k < 16; k++) {
                int t = (int) mask.visible()[i][k];
                assertThat(mask.masked()[i][t]).isZero();
                assertThat(mask.restore()[i][t]).isEqualTo(k); // visible patch t is row k of the encoder's tokens
            }
            long[] restore = mask.restore()[i].clone();
            Arrays.sort(restore);
            for (int t = 0; t < 64; t++) {
                assertThat(restore[t]).isEqualTo(t); // a permutation
            }
            subsets.add(Arrays.toString(mask.visible()[i]));
        }
        assertThat(subsets).as("each image its own subset").hasSize(8);
        PatchMask again = PatchMask.random(8, 64, 0.75, 5);
        assertThat(again.visible()).isDeepEqualTo(mask.visible());
        assertThat(again.restore()).isDeepEqualTo(mask.restore());
        assertThat(PatchMask.random(8, 64, 0.75, 6).visible()).isNotEqualTo(mask.visible());
    }

    @Test
    void theVisiblePatchEntryPointWithEveryPatchIsTheOrdinaryForward() {
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit = (VisionTransformer) new EncoderSpec("vit-tiny", Stem.CIFAR, 8).build();
            vit.initialize(m, DataType.FLOAT32, new Shape(2, 3, 32, 32));
            NDArray image = m.randomNormal(new Shape(2, 3, 32, 32));
            ParameterStore ps = new ParameterStore(m, false);
            NDArray cls = vit.forward(ps, new NDList(image), false).singletonOrThrow();
            NDArray all = m.arange(64L).reshape(1, 64).repeat(0, 2);
            NDArray tokens = vit.forwardVisible(ps, image, all, false);
            assertThat(tokens.getShape()).isEqualTo(new Shape(2, 65, 24));
            assertThat(tokens.get(":, 0").allClose(cls, 1e-5, 1e-6, false)).isTrue();
            NDArray some = m.create(new long[][] {{0, 5, 9}, {3, 4, 63}});
            assertThat(vit.forwardVisible(ps, image, some, false).getShape()).isEqualTo(new Shape(2, 4, 24));
        }
    }

    @Test
    void aResNetEncoderIsRefusedNamingTheEncoderKey() {
        SslMethod mae = SslMethods.create("mae", new MethodSettings(EncoderSpec.resnet18Cifar(), 100, 8, Map.of()));
        assertThat(mae.viewPlan(32).describe()).isEqualTo("1×32px mae; teacher: none"); // listed, not trained
        assertThatThrownBy(mae::requireReadyToTrain).hasMessageContaining("trainer.encoder")
                .hasMessageContaining("vit-tiny").hasMessageContaining("resnet18");
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> mae.initialize(m, new Shape(8, 3, 32, 32))).hasMessageContaining("trainer.encoder");
        }
    }

    @Test
    void aSnapshotWritesTheEncoderAndTheDecoder(@org.junit.jupiter.api.io.TempDir java.nio.file.Path root)
            throws Exception {
        try (SslTrainer trainer = new SslTrainer(spec(8))) {
            trainer.step(TrainingImages.load(16, 3).batch(8, trainer.viewPlan()));
            java.nio.file.Path dir = io.streamssl.models.snapshot.SnapshotWriter.write(root, trainer, Map.of());
            assertThat(dir.resolve(io.streamssl.models.snapshot.SnapshotWriter.HEADS_FILE)).isNotEmptyFile();
            assertThat(dir.resolve("encoder.params")).isNotEmptyFile();
        }
    }

    @Test
    void resumedRunEqualsTheUninterruptedOneBitForBit() {
        ResumedRun run = ResumedRun.of(spec(8), TrainingImages.load(64, 7), 8, 3, 4);
        assertThat(run.saved.tensors().keySet()).anyMatch(k -> k.contains("decoder"))
                .anyMatch(k -> k.contains("encoder"));
        run.assertBitForBit("mae");
    }
}
