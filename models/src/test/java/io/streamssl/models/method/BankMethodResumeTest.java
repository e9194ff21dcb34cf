package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.models.TrainerSpec;
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
        ResumedRun run = ResumedRun.of(spec, TrainingImages.load(16, 3), 8, 3, 4);
        assertThat(run.meanScalar("bank-hits")).as("share of images found in the bank").isBetween(0.2, 0.95);
        run.assertBitForBit(method);
        assertThat(run.saved.tensors().get("bank/ids")).as("the bank moved on")
                .isNotEqualTo(run.end.tensors().get("bank/ids"));
        assertThat(run.saved.tensors().get("bank/rows")).isNotEqualTo(run.end.tensors().get("bank/rows"));
    }
}
