package io.streamssl.pipeline.job;

import java.util.List;

/**
 * {@code testing.fail-at-steps}: attempt {@code i} of the job fails right after step {@code failAtSteps[i]}, to
 * rehearse recovery; attempts past the list run undisturbed.
 */
final class FaultDrill {

    private final int attempt;
    private final long failAtStep;

    FaultDrill(List<Long> failAtSteps, int attempt) {
        this.attempt = attempt;
        this.failAtStep = attempt < failAtSteps.size() ? failAtSteps.get(attempt) : -1;
    }

    /** @throws FaultDrillException if this attempt is to fail at {@code step} */
    void afterStep(long step) {
        if (step == failAtStep) {
            throw new FaultDrillException("fault drill (testing.fail-at-steps): attempt " + attempt + " fails at step "
                    + step);
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
