package io.streamssl.pipeline.program;

/**
 * {@code run} cancelled the job because it kept failing with the same root cause: the message names the cause,
 * how often, and the key that allows more restarts. The CLI prints it without a stack trace.
 */
public final class JobStoppedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public JobStoppedException(String message) {
        super(message);
    }
}
