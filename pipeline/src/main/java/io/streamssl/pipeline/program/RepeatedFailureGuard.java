package io.streamssl.pipeline.program;

/**
 * Decides when a restarting job should stop: after {@code job.max-restarts-same-cause} restarts for one root
 * cause in a row, during which training did not get past the step it had reached before (a missing topic, a
 * batch that fails every time). A cause that recurs after new progress (a TaskManager lost now and then) starts
 * a new count.
 */
final class RepeatedFailureGuard {

    private final int maxRestarts;
    private String cause;
    private int count;
    private long stepAtCount = -1;

    /** @param maxRestarts restarts allowed for one cause in a row; 0 = never stop */
    RepeatedFailureGuard(int maxRestarts) {
        this.maxRestarts = maxRestarts;
    }

    /**
     * Records a failure whose root cause is {@code rootCause}, with {@code highestStep} the highest training step
     * reported so far; true when the job should be stopped now.
     */
    boolean failed(String rootCause, long highestStep) {
        if (rootCause.equals(cause) && highestStep <= stepAtCount) {
            count++;
        } else {
            cause = rootCause;
            count = 1;
        }
        stepAtCount = highestStep;
        return maxRestarts > 0 && count > maxRestarts;
    }

    /** Failures for the current cause in a row. */
    int count() {
        return count;
    }
}
