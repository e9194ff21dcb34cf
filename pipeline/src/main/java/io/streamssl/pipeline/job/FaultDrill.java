package io.streamssl.pipeline.job;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code testing.fail-at-steps}: attempt {@code i} of the job fails at step {@code failAtSteps[i]}, or at the first
 * step after it, once a checkpoint this attempt took past step 0 has completed; attempts past the list run
 * undisturbed. Waiting for that checkpoint makes every drilled restart a restore (a failure before any checkpoint
 * would restart from nothing, which rehearses nothing); without it, whether the checkpoint every 500 ms had
 * completed by the listed step depended on the machine's load.
 */
final class FaultDrill {

    private final int attempt;
    private final long failAtStep;
    private final Map<Long, Long> stepOfCheckpoint = new HashMap<>();
    private boolean armed;

    FaultDrill(List<Long> failAtSteps, int attempt) {
        this.attempt = attempt;
        this.failAtStep = attempt < failAtSteps.size() ? failAtSteps.get(attempt) : -1;
    }

    /** This attempt put its state at {@code step} into checkpoint {@code checkpointId}. */
    void checkpointTaken(long checkpointId, long step) {
        stepOfCheckpoint.put(checkpointId, step);
    }

    /** Checkpoint {@code checkpointId} completed: one this attempt took past step 0 arms the drill. */
    void checkpointCompleted(long checkpointId) {
        Long step = stepOfCheckpoint.remove(checkpointId);
        armed |= step != null && step > 0;
    }

    /** @throws FaultDrillException if this attempt is to fail at {@code step} */
    void afterStep(long step) {
        if (failAtStep >= 0 && step >= failAtStep && armed) {
            throw new FaultDrillException("fault drill (testing.fail-at-steps): attempt " + attempt + " fails at step "
                    + step + " (listed: " + failAtStep + ")");
        }
    }

    /** The exception {@code testing.fail-at-steps} throws: a deliberate failure, to rehearse recovery. */
    public static final class FaultDrillException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FaultDrillException(String message) {
            super(message);
        }
    }
}
