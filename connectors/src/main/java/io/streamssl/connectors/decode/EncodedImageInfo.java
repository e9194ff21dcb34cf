package io.streamssl.connectors.decode;

import io.streamssl.connectors.decode.BadImageException.Reason;

/**
 * What the encoded image bytes declare about themselves (the PNG or JPEG signature, the width and the height),
 * read without decoding, so that limits are enforced before a codec allocates anything (a 60-byte PNG may claim
 * 100,000 × 100,000 pixels). Not to be confused with the Kafka record's headers, which declare the content type
 * the producer claims ({@link io.streamssl.connectors.ImageRecordHeaders}).
 *
 * <p>PNG: the signature, then the IHDR chunk, which the specification requires to come first; the chunk
 * sequence is also walked up to IEND (lengths only, no CRC) because the JDK's reader reports a cut-off file
 * as an "invalid chunk length" rather than as truncation. JPEG: the marker segments are walked from SOI to
 * the first start-of-frame (SOF0–SOF15 except DHT, JPG and DAC), whose fields give height and width.
 */
record EncodedImageInfo(int width, int height) {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    static boolean looksLikePng(byte[] data) {
        if (data.length < PNG_SIGNATURE.length) {
            return false;
        }
        for (int i = 0; i < PNG_SIGNATURE.length; i++) {
            if (data[i] != PNG_SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    static boolean looksLikeJpeg(byte[] data) {
        return data.length >= 2 && (data[0] & 0xFF) == 0xFF && (data[1] & 0xFF) == 0xD8;
    }

    /** The declared dimensions of a PNG; throws if the bytes are not a complete PNG chunk sequence. */
    static EncodedImageInfo png(byte[] data) {
        if (!looksLikePng(data)) {
            throw new BadImageException(Reason.UNDECODABLE, "declared image/png but the bytes lack the PNG signature"
                    + (looksLikeJpeg(data) ? " (they start like a JPEG)" : ""));
        }
        // signature (8) + IHDR length (4) + "IHDR" (4) + width (4) + height (4)
        if (data.length < 24) {
            throw new BadImageException(Reason.TRUNCATED, "PNG of " + data.length + " bytes ends inside its IHDR chunk");
        }
        if (data[12] != 'I' || data[13] != 'H' || data[14] != 'D' || data[15] != 'R') {
            throw new BadImageException(Reason.UNDECODABLE, "PNG does not start with an IHDR chunk");
        }
        long width = u32(data, 16);
        long height = u32(data, 20);
        if (width == 0 || height == 0) {
            throw new BadImageException(Reason.ZERO_DIMENSIONS, "PNG declares " + width + "x" + height + " pixels");
        }
        if (width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw new BadImageException(Reason.TOO_MANY_PIXELS, "PNG declares " + width + "x" + height + " pixels");
        }
        return new EncodedImageInfo((int) width, (int) height);
    }

    /** Walks the PNG chunks (length, type, data, CRC) and fails with TRUNCATED if IEND is never reached. */
    static void requireCompletePng(byte[] data) {
        long pos = 8;
        while (pos + 8 <= data.length) {
            long length = u32(data, (int) pos);
            boolean iend = data[(int) pos + 4] == 'I' && data[(int) pos + 5] == 'E' && data[(int) pos + 6] == 'N'
                    && data[(int) pos + 7] == 'D';
            pos += 12 + length;
            if (iend) {
                if (pos > data.length) {
                    break;
                }
                return;
            }
        }
        throw new BadImageException(Reason.TRUNCATED, "PNG of " + data.length + " bytes ends before its IEND chunk");
    }

    /** The declared dimensions of a JPEG, from its first start-of-frame segment. */
    static EncodedImageInfo jpeg(byte[] data) {
        if (!looksLikeJpeg(data)) {
            throw new BadImageException(Reason.UNDECODABLE, "declared image/jpeg but the bytes lack the SOI marker"
                    + (looksLikePng(data) ? " (they start like a PNG)" : ""));
        }
        int pos = 2;
        while (true) {
            // a marker is 0xFF, optional 0xFF fill bytes, then the marker code
            if (pos >= data.length) {
                throw new BadImageException(Reason.TRUNCATED, "JPEG of " + data.length
                        + " bytes ends before its frame header");
            }
            if ((data[pos] & 0xFF) != 0xFF) {
                throw new BadImageException(Reason.UNDECODABLE, "JPEG marker expected at byte " + pos);
            }
            while (pos < data.length && (data[pos] & 0xFF) == 0xFF) {
                pos++;
            }
            if (pos >= data.length) {
                throw new BadImageException(Reason.TRUNCATED, "JPEG ends inside a marker");
            }
            int marker = data[pos++] & 0xFF;
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
                continue; // TEM, RSTn, SOI: no length field
            }
            if (marker == 0xD9 || marker == 0xDA) {
                throw new BadImageException(Reason.UNDECODABLE, "JPEG has no frame header before "
                        + (marker == 0xD9 ? "its end" : "its scan data"));
            }
            if (pos + 2 > data.length) {
                throw new BadImageException(Reason.TRUNCATED, "JPEG ends inside a segment length");
            }
            int length = ((data[pos] & 0xFF) << 8) | (data[pos + 1] & 0xFF);
            if (length < 2) {
                throw new BadImageException(Reason.UNDECODABLE, "JPEG segment 0x" + Integer.toHexString(marker)
                        + " has length " + length);
            }
            boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
                    && marker != 0xCC;
            if (startOfFrame) {
                // length (2), precision (1), height (2), width (2), components (1)
                if (pos + 8 > data.length) {
                    throw new BadImageException(Reason.TRUNCATED, "JPEG ends inside its frame header");
                }
                int height = ((data[pos + 3] & 0xFF) << 8) | (data[pos + 4] & 0xFF);
                int width = ((data[pos + 5] & 0xFF) << 8) | (data[pos + 6] & 0xFF);
                if (width == 0 || height == 0) {
                    // height 0 means "defined later by a DNL marker", which no mainstream codec supports either
                    throw new BadImageException(Reason.ZERO_DIMENSIONS, "JPEG frame declares " + width + "x" + height
                            + " pixels");
                }
                return new EncodedImageInfo(width, height);
            }
            pos += length;
        }
    }

    private static long u32(byte[] data, int at) {
        return ((long) (data[at] & 0xFF) << 24) | ((data[at + 1] & 0xFF) << 16) | ((data[at + 2] & 0xFF) << 8)
                | (data[at + 3] & 0xFF);
    }
}
