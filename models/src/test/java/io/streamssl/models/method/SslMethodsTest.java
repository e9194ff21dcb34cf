package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import io.streamssl.models.TrainerSpec;
import io.streamssl.models.encoder.EncoderSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The registry: names, descriptors, defaults, view plans, option validation (also against the batch size) and the
 * {@code streamssl methods} text.
 */
class SslMethodsTest {

    static final MethodSettings DEFAULTS = new MethodSettings(EncoderSpec.resnet18Cifar(), 1000, 256, Map.of());

    @Test
    void everyMethodIsSelectableByName() {
        assertThat(SslMethods.names()).containsExactly("simclr", "simclrv2", "mocov2", "mocov1", "mocov3", "nnclr", "byol",
                "simsiam", "dino", "swav", "barlowtwins", "vicreg", "deepclusterv2", "sela", "instdisc", "pirl", "seed", "obow",
                "exemplar-cnn", "rotation", "mae",
                "jigsaw", "relative-patch-location", "colorization", "context-encoder", "ibot");
        for (String name : SslMethods.names()) {
            assertThat(SslMethods.create(name, DEFAULTS).name()).isEqualTo(name);
        }
        assertThatThrownBy(() -> SslMethods.create("moco", DEFAULTS)).hasMessageContaining("allowed are [simclr");
    }

    @Test
    void vicregAndBarlowTwinsDefaultToLarsScaledToTheBatchAndTheMethodsCommandSaysSo() {
        for (String name : List.of("vicreg", "barlowtwins")) {
            OptimizerDefaults d = SslMethods.descriptor(name).optimizerDefaults();
            assertThat(d.optimizer()).as(name).isEqualTo("lars");
            assertThat(d.learningRate(256)).as(name).isEqualTo(0.3);
            assertThat(d.learningRate(64)).as(name).isEqualTo(0.075);
        }
        OptimizerDefaults byol = SslMethods.descriptor("byol").optimizerDefaults();
        assertThat(byol.optimizer()).isEqualTo("sgd");
        assertThat(byol.learningRate(64)).isEqualTo(byol.learningRate(4096)).isEqualTo(0.05);
        assertThat(SslMethods.describe()).contains("vicreg — ")
                .contains("  optimizer:       lars, learning rate 0.3 × batch-size/256")
                .contains("  optimizer:       sgd, learning rate 0.05 (");
        assertThatThrownBy(() -> OptimizerDefaults.fixed("adam", 0.1)).hasMessageContaining("[sgd, lars, adamw]");
        // MAE's recipe carries its weight decay and betas (He et al. 2022; solo-learn's CIFAR config)
        assertThat(SslMethods.describe())
                .contains("  optimizer:       adamw, learning rate 2e-4 × batch-size/256 (")
                .contains("  decay/betas:     weight decay 0.05; betas 0.9,0.95 (unless trainer.weight-decay/adamw-betas");
        TrainerSpec mae = TrainerSpec.byolCifar(8, 64, 100).withMethod("mae", Map.of()).withMethodOptimizerDefaults();
        assertThat(mae.weightDecay()).isEqualTo(0.05);
        assertThat(mae.adamBetas().beta2()).isEqualTo(0.95);
        assertThatThrownBy(() -> OptimizerDefaults.fixed("sgd", 0.1).withAdamBetas(0.9, 0.95))
                .hasMessageContaining("adamw betas are for adamw");
    }

    @Test
    void defaultsAreThePapersForResNet18On32Px() {
        assertThat(SslMethods.create("simclr", DEFAULTS).options()).containsEntry("temperature", "0.2")
                .containsEntry("projector-hidden", "2048").containsEntry("projector-out", "256");
        assertThat(SslMethods.create("mocov2", DEFAULTS).options()).containsEntry("tau-base", "0.99")
                .containsEntry("tau-end", "0.999").containsEntry("queue-size", "4096");
        assertThat(SslMethods.create("byol", DEFAULTS).options()).containsEntry("projector-hidden", "4096")
                .containsEntry("projector-out", "256").containsEntry("tau-base", "0.99");
        assertThat(SslMethods.create("dino", DEFAULTS).options()).containsEntry("out-dim", "4096")
                .containsEntry("student-temperature", "0.1").containsEntry("teacher-temperature", "0.04")
                .containsEntry("teacher-temperature-end", "0.07").containsEntry("center-momentum", "0.9")
                .containsEntry("tau-base", "0.996");
        assertThat(SslMethods.create("swav", DEFAULTS).options()).containsEntry("prototypes", "3000")
                .containsEntry("temperature", "0.1").containsEntry("epsilon", "0.05")
                .containsEntry("sinkhorn-iterations", "3");
        assertThat(SslMethods.create("barlowtwins", DEFAULTS).options()).containsEntry("lambda", "0.0051");
        assertThat(SslMethods.create("vicreg", DEFAULTS).options()).containsEntry("invariance-weight", "25.0")
                .containsEntry("variance-weight", "25.0").containsEntry("covariance-weight", "1.0");
    }

    @Test
    void viewPlansNameTheirPresetsAndTeacherViews() {
        ViewPlan byol = SslMethods.create("byol", DEFAULTS).viewPlan(32);
        assertThat(byol.describe()).isEqualTo("2×32px cifar-asymmetric; teacher: 0,1");
        assertThat(SslMethods.create("byol", DEFAULTS).viewPlan(224).describe())
                .isEqualTo("2×224px byol; teacher: 0,1");
        assertThat(SslMethods.create("mocov2", DEFAULTS).viewPlan(32).teacherViews()).containsExactly(1);
        assertThat(SslMethods.create("simclr", DEFAULTS).viewPlan(32).teacherViews()).isEmpty();
        ViewPlan dino = SslMethods.create("dino", DEFAULTS).viewPlan(224);
        assertThat(dino.describe()).isEqualTo("2×224px dino + 6×96px dino; teacher: 0,1");
        assertThat(dino.sizes()).hasSize(8);
        assertThat(SslMethods.create("swav", DEFAULTS).viewPlan(32).describe())
                .isEqualTo("2×32px cifar-symmetric + 6×16px cifar-symmetric; teacher: 0,1");
        MethodSettings override = with("augmentation", "simclr");
        assertThat(SslMethods.create("byol", override).viewPlan(32).groups().get(0).preset()).isEqualTo("simclr");
        for (String name : SslMethods.names()) {
            for (ViewPlan.CropGroup g : SslMethods.create(name, DEFAULTS).viewPlan(32).groups()) {
                assertThat(ViewPlan.PRESETS).contains(g.preset());
            }
        }
    }

    @Test
    void unknownOptionsAndBadValuesAreRejectedNamingValidChoices() {
        for (String name : SslMethods.names()) {
            MethodSettings typo = with("temprature", "0.1");
            assertThatThrownBy(() -> SslMethods.create(name, typo)).as(name)
                    .hasMessageContaining("has no option 'temprature': allowed are [");
        }
        assertThatThrownBy(() -> SslMethods.create("simclr", with("temperature", "0"))).hasMessageContaining(
                "'temperature' must be in [0.001, 10.0]");
        assertThatThrownBy(() -> SslMethods.create("byol", with("tau-base", "1.5")))
                .hasMessageContaining("'tau-base' must be in [0.0, 1.0]");
        assertThatThrownBy(() -> SslMethods.create("mocov2", with("tau-base", "0.999", "tau-end", "0.99")))
                .hasMessageContaining("tau-base <= tau-end");
        assertThatThrownBy(() -> SslMethods.create("byol", with("augmentation", "fancy")))
                .hasMessageContaining("allowed are default, byol, cifar-asymmetric");
        assertThatThrownBy(() -> SslMethods.create("byol", with("augmentation", "jigsaw"))) // a pretext view only
                .hasMessageContaining("unknown augmentation preset 'jigsaw'");
        assertThatThrownBy(() -> SslMethods.create("dino", with("out-dim", "abc"))).hasMessageContaining(
                "must be an integer");
    }

    static MethodSettings with(String... kv) {
        return withBatch(256, kv);
    }

    static MethodSettings withBatch(int batchSize, String... kv) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return new MethodSettings(EncoderSpec.resnet18Cifar(), 1000, batchSize, m);
    }

    @Test
    void everyMethodDescribesItselfAndIsRegisteredUnderItsName() {
        List<MethodDescriptor> all = List.of(SimClr.DESCRIPTOR, SimClrV2.DESCRIPTOR, MocoV2.DESCRIPTOR, MocoV1.DESCRIPTOR,
                MocoV3.DESCRIPTOR, Nnclr.DESCRIPTOR, Byol.DESCRIPTOR, SimSiam.DESCRIPTOR, Dino.DESCRIPTOR, Swav.DESCRIPTOR,
                BarlowTwins.DESCRIPTOR, Vicreg.DESCRIPTOR, DeepClusterV2.DESCRIPTOR, Sela.DESCRIPTOR, InstDisc.DESCRIPTOR,
                Pirl.DESCRIPTOR, Seed.DESCRIPTOR, Obow.DESCRIPTOR, ExemplarCnn.DESCRIPTOR,
                Rotation.DESCRIPTOR, Mae.DESCRIPTOR,
                Jigsaw.DESCRIPTOR, RelativePatchLocation.DESCRIPTOR,
                Colorization.DESCRIPTOR, ContextEncoder.DESCRIPTOR, Ibot.DESCRIPTOR);
        assertThat(all).extracting(MethodDescriptor::name).containsExactlyElementsOf(SslMethods.names());
        for (MethodDescriptor d : all) {
            assertThat(SslMethods.descriptor(d.name())).isSameAs(d);
            assertThat(d.summary()).as(d.name()).matches(".+ \\(.+ (19|20)\\d\\d\\): .+"); // names the paper
            assertThat(d.create(DEFAULTS).name()).isEqualTo(d.name());
            assertThat(d.options(DEFAULTS)).isEqualTo(SslMethods.create(d.name(), DEFAULTS).options())
                    .containsKey("augmentation");
        }
        assertThatThrownBy(() -> SslMethods.descriptor("moco")).hasMessageContaining("allowed are [simclr");
    }

    @Test
    void multiCropMethodsChooseOnlyTheirNumbers() {
        ViewPlan plan = ViewPlan.multiCrop(2, 224, 6, 0, "dino");
        assertThat(plan.describe()).isEqualTo("2×224px dino + 6×96px dino; teacher: 0,1");
        assertThat(ViewPlan.multiCrop(3, 32, 4, 12, "simclr").describe())
                .isEqualTo("3×32px simclr + 4×12px simclr; teacher: 0,1,2");
        assertThat(ViewPlan.multiCrop(2, 32, 0, 0, "dino").describe()).isEqualTo("2×32px dino; teacher: 0,1");
        assertThat(ViewPlan.localCropSize(32)).isEqualTo(16);
        assertThat(ViewPlan.localCropSize(8)).isEqualTo(8);
        for (String name : List.of("dino", "swav")) {
            assertThat(SslMethods.create(name, with("local-views", "0")).viewPlan(32).views()).as(name).isEqualTo(2);
            assertThat(SslMethods.create(name, with("local-views", "3", "local-size", "20")).viewPlan(64).sizes())
                    .as(name).containsExactly(64, 64, 20, 20, 20);
            assertThat(SslMethods.create(name, DEFAULTS).viewsPerImage()).as(name).isEqualTo(8);
        }
    }

    @Test
    void mocoV1HasThePapersDefaults() {
        assertThat(SslMethods.create("mocov1", DEFAULTS).options()).containsEntry("temperature", "0.07")
                .containsEntry("tau-base", "0.999").containsEntry("tau-end", "0.999")
                .containsEntry("projector-out", "128").doesNotContainKey("projector-hidden");
        assertThat(MocoV1.DESCRIPTOR.optimizerDefaults().optimizer()).isEqualTo("sgd");
        assertThat(MocoV1.DESCRIPTOR.optimizerDefaults().learningRate(512)).isEqualTo(0.06);
        assertThatThrownBy(() -> SslMethods.create("mocov1", with("projector-hidden", "64")))
                .hasMessageContaining("projector-hidden");
        assertThatThrownBy(() -> SslMethods.create("mocov1", withBatch(64, "queue-size", "32")))
                .isInstanceOf(BatchSizeConflict.class);
    }

    @Test
    void mocoV1sKeyShuffleIsAPermutationDrawnFromTheStepOnly() {
        for (int n : new int[] {4, 9, 256}) {
            int[] p = MocoV1.permutation(n, 17);
            assertThat(p).containsExactlyInAnyOrder(java.util.stream.IntStream.range(0, n).toArray());
            assertThat(MocoV1.permutation(n, 17)).isEqualTo(p);
        }
        assertThat(MocoV1.permutation(256, 18)).isNotEqualTo(MocoV1.permutation(256, 17));
        assertThat(MocoV1.permutation(256, 17)).isNotEqualTo(java.util.stream.IntStream.range(0, 256).toArray());
    }

    @Test
    void mocoV2sQueueMustHoldABatchWhichTheSettingsCheck() {
        assertThat(SslMethods.create("mocov2", withBatch(256, "queue-size", "256")).options())
                .containsEntry("queue-size", "256");
        assertThatThrownBy(() -> SslMethods.create("mocov2", withBatch(256, "queue-size", "100")))
                .isInstanceOf(BatchSizeConflict.class)
                .hasMessage("mocov2: queue-size = 100 must be at least the batch size = 256 (each step enqueues a whole"
                        + " batch of keys); allowed are queue-size >= 256, or the batch size <= 100");
        BatchSizeConflict e = catchThrowableOfType(
                () -> SslMethods.create("mocov2", withBatch(64, "queue-size", "32")), BatchSizeConflict.class);
        assertThat(e.option()).isEqualTo("queue-size");
        assertThat(e.describe("method.queue-size", "trainer.batch-size")).isEqualTo("mocov2: method.queue-size = 32"
                + " must be at least trainer.batch-size = 64 (each step enqueues a whole batch of keys); allowed are"
                + " method.queue-size >= 64, or trainer.batch-size <= 32");
    }

    @Test
    void swavsQueueMustTakeWholeBatchesWhichTheSettingsCheck() {
        assertThat(SslMethods.create("swav", withBatch(256, "queue-size", "0")).options()).containsEntry("queue-size",
                "0");
        assertThat(SslMethods.create("swav", withBatch(16, "queue-size", "128")).options())
                .containsEntry("queue-size", "128");
        assertThatThrownBy(() -> SslMethods.create("swav", withBatch(256, "queue-size", "1000")))
                .isInstanceOf(BatchSizeConflict.class)
                .hasMessage("swav: queue-size = 1000 must be 0 (no queue) or a multiple of the batch size = 256 (the"
                        + " queue takes whole batches); allowed are 0, 256, 512, …, e.g. 768 or 1024");
        assertThatThrownBy(() -> SslMethods.create("swav", withBatch(256, "queue-size", "100")))
                .hasMessageEndingWith("e.g. 256");
        assertThat(catchThrowableOfType(() -> SslMethods.create("swav", withBatch(48, "queue-size", "100")),
                BatchSizeConflict.class).describe("method.queue-size", "trainer.batch-size"))
                .startsWith("swav: method.queue-size = 100 must be 0 (no queue) or a multiple of"
                        + " trainer.batch-size = 48");
    }

    @Test
    void theDefaultsFitTheDefaultAndDemoBatchSizes() {
        for (int batch : new int[] {16, 32, 64, 128, 256}) {
            for (String name : SslMethods.names()) {
                assertThat(SslMethods.create(name, withBatch(batch)).name()).isEqualTo(name);
            }
        }
        assertThatThrownBy(() -> withBatch(1)).hasMessageContaining("batch size must be >= 2");
    }

    @Test
    void aMethodTrainsOnBatchesOfItsSettingsSizeOnly() {
        SslMethod simclr = SslMethods.create("simclr", withBatch(8, "projector-hidden", "16", "projector-out", "8"));
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> simclr.initialize(manager, new Shape(16, 3, 32, 32)))
                    .hasMessageContaining("simclr was configured for batches of 8 images, not 16");
        }
    }

    @Test
    void describeListsEveryMethodWithDefaultsAndViews() {
        String text = SslMethods.describe();
        for (String name : SslMethods.names()) {
            assertThat(text).contains("\n" + name + " — ");
        }
        assertThat(text).contains("queue-size=4096").contains("2×224px dino + 6×96px dino; teacher: 0,1");
        System.out.println(text);
        assertThat(List.of(text.split("\n"))).allMatch(line -> line.length() <= 120);
    }
}
