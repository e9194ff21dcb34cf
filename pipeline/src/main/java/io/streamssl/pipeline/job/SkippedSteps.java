package io.streamssl.pipeline.job;

import io.streamssl.connectors.DeadLetter;
import io.streamssl.models.StepResult;
import java.util.List;
import org.apache.flink.runtime.execution.SuppressRestartsException;

/**
 * What follows a step skipped for a non-finite loss: its images become dead letters (reason
 * {@value #REASON}, stage {@value #STAGE}), and {@code trainer.max-consecutive-skipped-steps} skipped steps in a
 * row fail the job, naming the method and the learning rate. The failure suppresses Flink's restarts: a restart
 * would resume from the last checkpoint with the same model and learning rate and diverge again, so the job stops
 * and the user resumes from that checkpoint with a lower learning rate.
 *
 * <p>The count of consecutive skips is not checkpointed: a job restored for another reason starts it at 0.
 */
final class SkippedSteps {

    static final String STAGE = "trainer";
    static final String REASON = "NON_FINITE_LOSS";

    private final String model;
    private final String method;
    private final int maxConsecutive;
    private int consecutive;

    SkippedSteps(String model, String method, int maxConsecutive) {
        if (maxConsecutive < 1) {
            throw new IllegalArgumentException("trainer.max-consecutive-skipped-steps must be at least 1, got "
                    + maxConsecutive);
        }
        this.model = model;
        this.method = method;
        this.maxConsecutive = maxConsecutive;
    }

    /** A step trained: the run of skipped steps ends. */
    void trained() {
        consecutive = 0;
    }

    /**
     * Counts skipped step {@code r}.
     *
     * @throws SuppressRestartsException wrapping a {@link NonFiniteLossException} at the limit
     */
    void skipped(StepResult r) {
        consecutive++;
        if (consecutive >= maxConsecutive) {
            throw new SuppressRestartsException(new NonFiniteLossException("trainer '" + model + "': "
                    + consecutive + " steps in a row had a non-finite loss (the last " + r.loss() + " at step "
                    + (r.step() + 1) + ") with method " + method + " at learning rate " + r.learningRate()
                    + ": lower trainer.learning-rate or check the input, then resume from the last checkpoint; the"
                    + " skipped batches are on the dead-letter topic with reason " + REASON
                    + " (trainer.max-consecutive-skipped-steps=" + maxConsecutive + ")"));
        }
    }

    int consecutive() {
        return consecutive;
    }

    /** One dead letter per image of skipped step {@code r}: id and source position, no bytes (the views were made). */
    List<DeadLetter> deadLetters(List<TrainingSample> samples, StepResult r) {
        String detail = "loss " + r.loss() + " at step " + (r.step() + 1) + " (" + method + ", learning rate "
                + r.learningRate() + "): the step on this batch of " + samples.size() + " images was skipped, the"
                + " model is unchanged";
        return samples.stream().map(s -> {
            DeadLetter d = new DeadLetter();
            d.id = s.id;
            d.position = s.position;
            d.stage = STAGE;
            d.reason = REASON;
            // a replay's record was trained before and stays in the buffer; it may still be what broke the step
            d.detail = s.replayed() ? detail + "; this image was replayed from the buffer (use " + s.uses + ")"
                    : detail;
            return d;
        }).toList();
    }

    /** The cause of the job's failure after too many skipped steps. */
    static final class NonFiniteLossException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NonFiniteLossException(String message) {
            super(message);
        }
    }
}
