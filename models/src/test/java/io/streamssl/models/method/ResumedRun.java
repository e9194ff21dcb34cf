package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.models.MultiCropBatch;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.StepResult;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.TrainingState;
import java.util.ArrayList;
import java.util.List;

/**
 * The checkpoint-restore check of the method tests: one trainer runs {@code before + after} fixed batches and
 * exports its state after {@code before} of them; a second trainer of the same spec imports that state and runs the
 * same {@code after} batches. {@link #assertBitForBit} then holds the restored run to the uninterrupted one: every
 * loss and every checkpointed tensor equal to the bit, as a Flink restore from a checkpoint must be.
 */
final class ResumedRun {

    /** The state after {@code before} steps: what the checkpoint held. */
    final TrainingState saved;
    /** The uninterrupted run's state at the end. */
    final TrainingState end;
    /** The restored run's state at the end. */
    final TrainingState resumedEnd;
    /** The losses of the {@code after} steps, uninterrupted and restored. */
    final float[] uninterrupted;
    final float[] resumed;
    /** The uninterrupted run's {@code after} step results (for a method's own scalars: bank hits and the like). */
    final List<StepResult> uninterruptedSteps = new ArrayList<>();

    private ResumedRun(TrainerSpec spec, TrainingImages images, int batchSize, int before, int after) {
        List<MultiCropBatch> batches = new ArrayList<>();
        uninterrupted = new float[after];
        resumed = new float[after];
        try (SslTrainer trainer = new SslTrainer(spec)) {
            for (int i = 0; i < before + after; i++) {
                batches.add(images.batch(batchSize, trainer.viewPlan()));
            }
            for (int i = 0; i < before; i++) {
                assertThat(trainer.step(batches.get(i)).loss()).as("loss of step %d", i + 1).isFinite();
            }
            saved = trainer.exportState();
            for (int i = 0; i < after; i++) {
                StepResult r = trainer.step(batches.get(before + i));
                uninterruptedSteps.add(r);
                uninterrupted[i] = r.loss();
            }
            end = trainer.exportState();
        }
        try (SslTrainer restored = new SslTrainer(spec)) {
            restored.importState(saved);
            for (int i = 0; i < after; i++) {
                resumed[i] = restored.step(batches.get(before + i)).loss();
            }
            resumedEnd = restored.exportState();
        }
    }

    /** Runs both: {@code before} steps, the export, then {@code after} steps uninterrupted and restored. */
    static ResumedRun of(TrainerSpec spec, TrainingImages images, int batchSize, int before, int after) {
        return new ResumedRun(spec, images, batchSize, before, after);
    }

    /** The mean of a method's scalar over the uninterrupted run's {@code after} steps. */
    double meanScalar(String name) {
        return uninterruptedSteps.stream().mapToDouble(r -> r.scalars().get(name)).average().orElseThrow();
    }

    /** The restored run equals the uninterrupted one to the bit, and the steps after the cut changed the state. */
    void assertBitForBit(String method) {
        assertThat(resumed).as("%s losses after the restore", method).containsExactly(uninterrupted);
        end.tensors().forEach((name, bytes) -> assertThat(resumedEnd.tensors().get(name))
                .as("%s tensor %s", method, name).isEqualTo(bytes));
        assertThat(resumedEnd.sameAs(end)).as("%s state after the restored steps", method).isTrue();
        assertThat(saved.sameAs(end)).as("%s: training moved the state", method).isFalse();
    }
}
