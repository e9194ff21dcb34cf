package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.models.MultiCropBatch;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.StepResult;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.TrainingState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The memory-bank methods (InstDisc, PIRL) resume bit for bit with a bank that has hits, evictions and repeated
 * ids within a batch: state exported mid-run and imported into a new trainer continues as the uninterrupted run.
 */
class BankMethodResumeTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"instdisc", "pirl"})
    void aResumedRunWithRepeatingIdsEqualsTheUninterruptedOneBitForBit(String method) {
        // 16 images drawn 8 a step with replacement into a bank of 12: hits, evictions and repeats within a batch
        TrainerSpec spec = TrainerSpec.byolCifar(8, 8, 100).withMethod(method,
                Map.of("bank-size", "12", "projector-out", "16")).withLearningRate(0.05);
        TrainingImages images = TrainingImages.load(16, 3);
        int before = 3;
        int after = 4;
        List<MultiCropBatch> batches = new ArrayList<>();
        float[] uninterrupted = new float[after];
        double hits = 0;
        TrainingState saved;
        TrainingState end;
        try (SslTrainer trainer = new SslTrainer(spec)) {
            for (int i = 0; i < before + after; i++) {
                batches.add(images.batch(8, trainer.viewPlan()));
            }
            for (int i = 0; i < before; i++) {
                trainer.step(batches.get(i));
            }
            saved = trainer.exportState();
            for (int i = 0; i < after; i++) {
                StepResult r = trainer.step(batches.get(before + i));
                uninterrupted[i] = r.loss();
                hits += r.scalars().get("bank-hits");
            }
            end = trainer.exportState();
        }
        assertThat(hits / after).as("share of images found in the bank").isBetween(0.2, 0.95);
        try (SslTrainer restored = new SslTrainer(spec)) {
            restored.importState(saved);
            float[] resumed = new float[after];
            for (int i = 0; i < after; i++) {
                resumed[i] = restored.step(batches.get(before + i)).loss();
            }
            assertThat(resumed).containsExactly(uninterrupted);
            TrainingState resumedEnd = restored.exportState();
            end.tensors().forEach((name, bytes) -> assertThat(resumedEnd.tensors().get(name)).as(name)
                    .isEqualTo(bytes));
            assertThat(resumedEnd.sameAs(end)).isTrue();
            assertThat(saved.tensors().get("bank/ids")).as("the bank moved on")
                    .isNotEqualTo(end.tensors().get("bank/ids"));
            assertThat(saved.tensors().get("bank/rows")).isNotEqualTo(end.tensors().get("bank/rows"));
        }
    }
}
