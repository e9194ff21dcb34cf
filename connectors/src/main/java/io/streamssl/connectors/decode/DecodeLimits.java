package io.streamssl.connectors.decode;

/**
 * Upper bounds checked before decoding: encoded bytes, and pixels as declared by the header (so a tiny file
 * claiming 100k×100k pixels is rejected without allocating).
 */
public record DecodeLimits(int maxBytes, long maxPixels) {

    public static final DecodeLimits DEFAULT = new DecodeLimits(16 << 20, 40_000_000L);

    public DecodeLimits {
        if (maxBytes <= 0 || maxPixels <= 0) {
            throw new IllegalArgumentException("decode limits must be positive, got " + maxBytes + " bytes, "
                    + maxPixels + " pixels");
        }
    }
}
