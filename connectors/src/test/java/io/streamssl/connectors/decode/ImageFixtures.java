package io.streamssl.connectors.decode;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageWriterSpi;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Encodes test images with the JDK's own PNG and JPEG writers (independent of the decoder under test). */
final class ImageFixtures {

    private ImageFixtures() {
    }

    static byte[] png(BufferedImage image) {
        return write(jdkWriter("com.sun.imageio.plugins.png.PNGImageWriterSpi"), new IIOImage(image, null, null),
                false, false);
    }

    static byte[] jpeg(BufferedImage image, boolean progressive) {
        return write(jdkWriter("com.sun.imageio.plugins.jpeg.JPEGImageWriterSpi"), new IIOImage(image, null, null),
                true, progressive);
    }

    /**
     * An Adobe CMYK ({@code transform} 0) or YCCK ({@code transform} 2) JPEG, as Photoshop writes them: the JDK
     * writer encodes the 4-band raster as is, and an APP14 "Adobe" segment is inserted after SOI to declare it.
     * Adobe CMYK samples are stored inverted (0 = full ink).
     */
    static byte[] adobeJpeg(Raster fourBands, int transform) {
        byte[] plain = write(jdkWriter("com.sun.imageio.plugins.jpeg.JPEGImageWriterSpi"),
                new IIOImage(fourBands, null, null), true, false);
        // FF EE, length 14, "Adobe", version 100, flags0 0, flags1 0, transform
        byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0,
                (byte) transform};
        byte[] out = new byte[plain.length + app14.length];
        System.arraycopy(plain, 0, out, 0, 2);
        System.arraycopy(app14, 0, out, 2, app14.length);
        System.arraycopy(plain, 2, out, 2 + app14.length, plain.length - 2);
        return out;
    }

    /** Fills {@code image} with a deterministic pattern: value = (x·37 + y·11 + c·101) mod 256 per channel. */
    static BufferedImage pattern(int width, int height, int type) {
        BufferedImage image = new BufferedImage(width, height, type);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, 0xFF000000 | (value(x, y, 0) << 16) | (value(x, y, 1) << 8) | value(x, y, 2));
            }
        }
        return image;
    }

    static int value(int x, int y, int c) {
        return (x * 37 + y * 11 + c * 101) % 256;
    }

    private static ImageWriter jdkWriter(String spiClass) {
        Iterator<ImageWriterSpi> spis = IIORegistry.getDefaultInstance().getServiceProviders(ImageWriterSpi.class,
                spi -> spi.getClass().getName().equals(spiClass), false);
        try {
            return spis.next().createWriterInstance();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] write(ImageWriter writer, IIOImage image, boolean jpeg, boolean progressive) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (jpeg) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(0.95f);
            }
            if (progressive) {
                param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            }
            writer.write(null, image, param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
