package io.streamssl.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SslTrainerTest {

    static final int N = 8;
    static SslTrainer trainer;

    @BeforeAll
    static void create() {
        trainer = new SslTrainer(TrainerSpec.byolCifar(8, N, 1000));
    }

    @AfterAll
    static void close() {
        trainer.close();
    }

    static ViewBatch randomBatch(long seed) {
        Random r = new Random(seed);
        byte[] px = new byte[N * 2 * 32 * 32 * 3];
        r.nextBytes(px);
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) {
            labels[i] = i % 2 == 0 ? r.nextInt(10) : -1;
        }
        return new ViewBatch(N, 2, 32, 32, px, labels);
    }

    @Test
    void stepsReportFiniteLossAndCountSteps() {
        long before = trainer.stepCount();
        StepResult r = trainer.step(randomBatch(1));
        assertThat(r.step()).isEqualTo(before + 1);
        assertThat(r.loss()).isBetween(0f, 8f);
        assertThat(r.probeLabelled()).isEqualTo(N / 2);
        assertThat(r.scalars()).containsKey("tau");
        assertThat(trainer.stepCount()).isEqualTo(before + 1);
    }

    @Test
    void noArrayOutlivesAStep() {
        trainer.step(randomBatch(2));
        int live = trainer.liveArrays();
        for (int i = 0; i < 20; i++) {
            trainer.step(randomBatch(10 + i));
        }
        assertThat(trainer.liveArrays()).as("arrays held after 20 more steps").isEqualTo(live);
    }

    @Test
    void exportImportRoundTripIsBitExactAndTrainingContinuesIdentically() {
        trainer.step(randomBatch(3));
        TrainingState saved = trainer.exportState();
        assertThat(saved.tensors()).containsKeys("student/encoder/" + firstEncoderParam(saved), "probe/weight");
        assertThat(saved.tensors().keySet()).anyMatch(k -> k.startsWith("teacher/"));
        assertThat(saved.tensors().keySet()).anyMatch(k -> k.startsWith("optimizer/momentum/"));

        try (SslTrainer other = new SslTrainer(TrainerSpec.byolCifar(8, N, 1000))) {
            assertThat(other.exportState().sameAs(saved)).isFalse();
            other.importState(saved);
            assertThat(other.exportState().sameAs(saved)).as("state after import").isTrue();
        }
    }

    private static String firstEncoderParam(TrainingState s) {
        return s.tensors().keySet().stream().filter(k -> k.startsWith("student/encoder/")).findFirst()
                .orElseThrow().substring("student/encoder/".length());
    }

    @Test
    void importRejectsStateOfAnotherModel() {
        try (SslTrainer wider = new SslTrainer(TrainerSpec.byolCifar(16, N, 1000))) {
            assertThatThrownBy(() -> wider.importState(trainer.exportState()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("different model configuration");
        }
    }

    @Test
    void multiCropBatchesMustMatchTheMethodsViewPlan() {
        TrainerSpec dino = TrainerSpec.byolCifar(8, 4, 1000).withMethod("dino", java.util.Map.of("out-dim", "64",
                "head-hidden", "32", "head-bottleneck", "16", "local-views", "2"));
        try (SslTrainer t = new SslTrainer(dino)) {
            assertThat(t.viewPlan().describe()).isEqualTo("2×32px dino + 2×16px dino; teacher: 0,1");
            int[] labels = {1, 2, 3, 4};
            ViewBatch global = new ViewBatch(4, 2, 32, 32, new byte[4 * 2 * 32 * 32 * 3], labels);
            ViewBatch wrongLocal = new ViewBatch(4, 2, 24, 24, new byte[4 * 2 * 24 * 24 * 3], labels);
            assertThatThrownBy(() -> t.step(MultiCropBatch.of(global, wrongLocal)))
                    .hasMessageContaining("dino needs views of sizes [32, 32, 16, 16]");
            ViewBatch local = new ViewBatch(4, 2, 16, 16, new byte[4 * 2 * 16 * 16 * 3], labels);
            StepResult r = t.step(MultiCropBatch.of(global, local));
            assertThat(r.loss()).isFinite();
            assertThat(r.scalars()).containsKeys("tau", "teacher-temperature", "embedding-std", "weight-decay");
        }
    }

    @Test
    void dinoTrainsAVisionTransformerOnGlobalAndLocalCropsWithAdamW() {
        TrainerSpec base = TrainerSpec.byolCifar(8, 4, 1000);
        TrainerSpec vit = new TrainerSpec("dino", java.util.Map.of("out-dim", "64", "head-hidden", "32",
                "head-bottleneck", "16", "local-views", "2"), new io.streamssl.models.encoder.EncoderSpec("vit-tiny",
                io.streamssl.models.encoder.Stem.CIFAR, 8), 32, 4, 1e-3, 0, 1000, 0.9, 0.04, 42, "cpu",
                TrainerSpec.CIFAR_MEAN, TrainerSpec.CIFAR_STD, 10, 0.05,
                java.util.Map.of("optimizer", "adamw", "weight-decay-end", "0.4"));
        try (SslTrainer t = new SslTrainer(vit)) {
            Random r = new Random(5);
            int[] labels = {1, 2, 3, 4};
            byte[] g = new byte[4 * 2 * 32 * 32 * 3];
            byte[] l = new byte[4 * 2 * 16 * 16 * 3];
            for (int i = 0; i < 3; i++) {
                r.nextBytes(g);
                r.nextBytes(l);
                StepResult res = t.step(MultiCropBatch.of(new ViewBatch(4, 2, 32, 32, g, labels),
                        new ViewBatch(4, 2, 16, 16, l, labels)));
                assertThat(res.loss()).isFinite();
            }
            assertThat(t.stateTensors().keySet()).anyMatch(k -> k.startsWith("optimizer/adam-m/"))
                    .anyMatch(k -> k.startsWith("center/")).anyMatch(k -> k.contains("pos_embed"));
            assertThat(base.optimizer()).isEqualTo("sgd");
        }
    }

    @Test
    void trainerOptionsAreValidatedAndTheOldConstructorStillWorks() {
        TrainerSpec spec = TrainerSpec.byolCifar(8, N, 1000);
        assertThat(spec.optimizer()).isEqualTo("sgd");
        assertThat(spec.weightDecayEnd()).isEqualTo(spec.weightDecay());
        assertThat(spec.withTrainerOption("optimizer", "lars").optimizer()).isEqualTo("lars");
        assertThatThrownBy(() -> spec.withTrainerOption("optimizer", "adam"))
                .hasMessageContaining("one of sgd, lars, adamw");
        assertThatThrownBy(() -> spec.withTrainerOption("optimiser", "sgd"))
                .hasMessageContaining("unknown trainer option 'optimiser'");
    }

    @Test
    void wrongViewCountIsRejectedWithTheMethodsNeed() {
        ViewBatch one = new ViewBatch(N, 1, 32, 32, new byte[N * 32 * 32 * 3], new int[N]);
        assertThatThrownBy(() -> trainer.step(one)).hasMessageContaining("byol needs 2 views");
    }
}
