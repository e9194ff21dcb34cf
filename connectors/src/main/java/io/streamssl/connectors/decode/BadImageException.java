package io.streamssl.connectors.decode;

/**
 * The one error for input that cannot become views: it carries a machine-readable {@link Reason} and a
 * human-readable detail, so the pipeline can dead-letter the record with both.
 */
public final class BadImageException extends RuntimeException {

    /** Why an image was rejected. */
    public enum Reason {
        /** No bytes at all. */
        EMPTY,
        /** The bytes end before the image does (header, chunk or entropy-coded data cut off). */
        TRUNCATED,
        /** Not an image of the declared type, or corrupt beyond what the codec tolerates. */
        UNDECODABLE,
        /** A content type other than PNG, JPEG or raw RGB8. */
        UNSUPPORTED_CONTENT_TYPE,
        /** More encoded bytes than {@link DecodeLimits#maxBytes()}. */
        TOO_MANY_BYTES,
        /** The header declares more pixels than {@link DecodeLimits#maxPixels()}. */
        TOO_MANY_PIXELS,
        /** Raw RGB8 whose width/height headers do not match its length. */
        BAD_RAW_DIMENSIONS,
        /** The header declares a zero width or height. */
        ZERO_DIMENSIONS
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
