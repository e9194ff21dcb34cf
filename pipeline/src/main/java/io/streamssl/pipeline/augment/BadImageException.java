package io.streamssl.pipeline.augment;

/**
 * The one error for input that cannot become views: it carries a machine-readable {@link Reason} and a
 * human-readable detail, so the pipeline can dead-letter the record with both.
 */
public final class BadImageException extends RuntimeException {

    /** Why an image was rejected. */
    public enum Reason {
        EMPTY,
        TRUNCATED,
        UNDECODABLE,
        UNSUPPORTED_CONTENT_TYPE,
        TOO_MANY_BYTES,
        TOO_MANY_PIXELS,
        BAD_RAW_DIMENSIONS
    }

    private final Reason reason;

    public BadImageException(Reason reason, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
    }

    public BadImageException(Reason reason, String detail, Throwable cause) {
        super(reason + ": " + detail, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
