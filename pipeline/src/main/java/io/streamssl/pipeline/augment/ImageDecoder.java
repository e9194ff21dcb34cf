package io.streamssl.pipeline.augment;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes record payloads into {@link RgbImage}s: PNG and JPEG (through ImageIO), and raw RGB8 with
 * dimensions from the record headers. Limits are checked before pixels are allocated; every failure is a
 * {@link BadImageException} with its reason.
 */
public final class ImageDecoder {

    public static final String PNG = "image/png";
    public static final String JPEG = "image/jpeg";
    public static final String RAW_RGB8 = "application/x-raw-rgb8";

    private final DecodeLimits limits;

    public ImageDecoder(DecodeLimits limits) {
        this.limits = limits;
    }

    /**
     * @param contentType one of {@link #PNG}, {@link #JPEG}, {@link #RAW_RGB8}
     * @param rawWidth width for raw RGB8 (ignored otherwise)
     * @param rawHeight height for raw RGB8 (ignored otherwise)
     */
    public RgbImage decode(byte[] data, String contentType, int rawWidth, int rawHeight) {
        if (data == null || data.length == 0) {
            throw new BadImageException(BadImageException.Reason.EMPTY, "the record has no image bytes");
        }
        if (data.length > limits.maxBytes()) {
            throw new BadImageException(BadImageException.Reason.TOO_MANY_BYTES,
                    data.length + " bytes exceed the limit of " + limits.maxBytes());
        }
        if (contentType == null) {
            throw new BadImageException(BadImageException.Reason.UNSUPPORTED_CONTENT_TYPE,
                    "no content-type header: use " + PNG + ", " + JPEG + " or " + RAW_RGB8);
        }
        switch (contentType) {
            case RAW_RGB8:
                return raw(data, rawWidth, rawHeight);
            case PNG:
            case JPEG:
                return encoded(data, contentType);
            default:
                throw new BadImageException(BadImageException.Reason.UNSUPPORTED_CONTENT_TYPE,
                        "'" + contentType + "': use " + PNG + ", " + JPEG + " or " + RAW_RGB8);
        }
    }

    private RgbImage raw(byte[] data, int w, int h) {
        if (w <= 0 || h <= 0) {
            throw new BadImageException(BadImageException.Reason.BAD_RAW_DIMENSIONS,
                    "raw RGB8 needs positive width and height headers, got " + w + "x" + h);
        }
        checkPixels(w, h);
        if ((long) w * h * 3 != data.length) {
            throw new BadImageException(data.length < (long) w * h * 3 ? BadImageException.Reason.TRUNCATED
                    : BadImageException.Reason.BAD_RAW_DIMENSIONS,
                    "raw RGB8 " + w + "x" + h + " needs " + ((long) w * h * 3) + " bytes, got " + data.length);
        }
        return new RgbImage(w, h, data.clone());
    }

    private void checkPixels(long w, long h) {
        if (w * h > limits.maxPixels()) {
            throw new BadImageException(BadImageException.Reason.TOO_MANY_PIXELS,
                    w + "x" + h + " exceeds the limit of " + limits.maxPixels() + " pixels");
        }
    }

    private RgbImage encoded(byte[] data, String contentType) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new BadImageException(BadImageException.Reason.UNDECODABLE,
                        "not a " + contentType + " image (no decoder recognises its header)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                checkPixels(reader.getWidth(0), reader.getHeight(0));
                BufferedImage img = reader.read(0);
                return fromBuffered(img);
            } finally {
                reader.dispose();
            }
        } catch (BadImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            boolean truncated = String.valueOf(e.getMessage()).toLowerCase().contains("end of")
                    || e instanceof java.io.EOFException;
            throw new BadImageException(truncated ? BadImageException.Reason.TRUNCATED
                    : BadImageException.Reason.UNDECODABLE, contentType + ": " + e.getMessage(), e);
        }
    }

    /** Any BufferedImage to RGB8 (alpha dropped, grayscale expanded). */
    public static RgbImage fromBuffered(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        byte[] px = new byte[w * h * 3];
        for (int i = 0; i < argb.length; i++) {
            px[i * 3] = (byte) (argb[i] >> 16);
            px[i * 3 + 1] = (byte) (argb[i] >> 8);
            px[i * 3 + 2] = (byte) argb[i];
        }
        return new RgbImage(w, h, px);
    }
}
