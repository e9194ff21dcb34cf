package io.streamssl.connectors.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamssl.connectors.dataset.Cifar10Binary;
import io.streamssl.connectors.dataset.LabeledImage;
import io.streamssl.connectors.decode.BadImageException.Reason;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {

    private final ImageDecoder decoder = new ImageDecoder(DecodeLimits.DEFAULT);

    @Test
    void pngRgbIsDecodedExactly() {
        BufferedImage source = ImageFixtures.pattern(13, 7, BufferedImage.TYPE_3BYTE_BGR);
        RgbImage image = decoder.decode(ImageFixtures.png(source), ImageDecoder.PNG, 0, 0);
        assertThat(image.width()).isEqualTo(13);
        assertThat(image.height()).isEqualTo(7);
        for (int y = 0; y < 7; y++) {
            for (int x = 0; x < 13; x++) {
                for (int c = 0; c < 3; c++) {
                    assertThat(image.get(x, y, c)).as("(%d,%d) channel %d", x, y, c)
                            .isEqualTo(ImageFixtures.value(x, y, c));
                }
            }
        }
    }

    @Test
    void pngAlphaIsDroppedNotComposited() {
        BufferedImage source = new BufferedImage(2, 1, BufferedImage.TYPE_4BYTE_ABGR);
        source.setRGB(0, 0, 0x00C81E64); // fully transparent (200, 30, 100)
        source.setRGB(1, 0, 0x80FF8000); // half transparent orange
        RgbImage image = decoder.decode(ImageFixtures.png(source), ImageDecoder.PNG, 0, 0);
        assertThat(image.pixels()).containsExactly(200, 30, 100, 255, 128, 0);
    }

    @Test
    void pngGrayIsExpandedWithoutGammaConversion() {
        BufferedImage source = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = source.getRaster();
        raster.setSample(0, 0, 0, 10);
        raster.setSample(1, 0, 0, 128);
        raster.setSample(2, 0, 0, 250);
        RgbImage image = decoder.decode(ImageFixtures.png(source), ImageDecoder.PNG, 0, 0);
        // PIL's convert("RGB") copies L into R, G and B; BufferedImage.getRGB would map 128 to 196 (linear gray)
        assertThat(image.pixels()).containsExactly(10, 10, 10, (byte) 128, (byte) 128, (byte) 128,
                (byte) 250, (byte) 250, (byte) 250);
    }

    @Test
    void grayWithAlphaPngKeepsTheGray() {
        ComponentColorModel grayAlpha = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true,
                false, Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster raster = grayAlpha.createCompatibleWritableRaster(2, 1);
        raster.setPixel(0, 0, new int[] {40, 0});
        raster.setPixel(1, 0, new int[] {220, 255});
        RgbImage image = decoder.decode(ImageFixtures.png(new BufferedImage(grayAlpha, raster, false, null)),
                ImageDecoder.PNG, 0, 0);
        assertThat(image.pixels()).containsExactly(40, 40, 40, (byte) 220, (byte) 220, (byte) 220);
    }

    @Test
    void sixteenBitPngKeepsTheHighByte() {
        ComponentColorModel rgb16 = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = rgb16.createCompatibleWritableRaster(2, 1);
        raster.setPixel(0, 0, new int[] {0x1234, 0xABCD, 0xFFFF});
        raster.setPixel(1, 0, new int[] {0x00FF, 0x8000, 0x7FFF});
        BufferedImage rgb = new BufferedImage(rgb16, raster, false, null);
        RgbImage image = decoder.decode(ImageFixtures.png(rgb), ImageDecoder.PNG, 0, 0);
        assertThat(image.pixels()).containsExactly(0x12, 0xAB, 0xFF, 0x00, 0x80, 0x7F);

        BufferedImage gray = new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_GRAY);
        gray.getRaster().setSample(0, 0, 0, 0xC0DE);
        RgbImage grayImage = decoder.decode(ImageFixtures.png(gray), ImageDecoder.PNG, 0, 0);
        assertThat(grayImage.pixels()).containsExactly(0xC0, 0xC0, 0xC0);
    }

    @Test
    void palettePngIsLookedUp() {
        byte[] r = {(byte) 255, 0, 7};
        byte[] g = {0, (byte) 255, 8};
        byte[] b = {0, 0, 9};
        BufferedImage source = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(2, 3, r, g, b));
        source.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {2, 0, 1});
        RgbImage image = decoder.decode(ImageFixtures.png(source), ImageDecoder.PNG, 0, 0);
        assertThat(image.pixels()).containsExactly(7, 8, 9, 255, 0, 0, 0, 255, 0);
    }

    @Test
    void baselineProgressiveAndGrayJpegsDecodeCloseToTheirSource() {
        BufferedImage flat = new BufferedImage(32, 16, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 32; x++) { // two flat 16x16 blocks, so JPEG loss stays small inside them
                flat.setRGB(x, y, x < 16 ? 0xC83C28 : 0x1E8CDC);
            }
        }
        for (boolean progressive : new boolean[] {false, true}) {
            RgbImage image = decoder.decode(ImageFixtures.jpeg(flat, progressive), ImageDecoder.JPEG, 0, 0);
            assertThat(image.width()).isEqualTo(32);
            assertThat(image.height()).isEqualTo(16);
            assertClose(image, 4, 8, new int[] {200, 60, 40}, 6, "left block, progressive=" + progressive);
            assertClose(image, 27, 8, new int[] {30, 140, 220}, 6, "right block, progressive=" + progressive);
        }
        BufferedImage gray = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                gray.getRaster().setSample(x, y, 0, 90);
            }
        }
        RgbImage grayImage = decoder.decode(ImageFixtures.jpeg(gray, false), ImageDecoder.JPEG, 0, 0);
        assertClose(grayImage, 8, 8, new int[] {90, 90, 90}, 2, "gray JPEG");
        assertThat(grayImage.get(3, 3, 0)).isEqualTo(grayImage.get(3, 3, 1)).isEqualTo(grayImage.get(3, 3, 2));
    }

    @Test
    void adobeCmykJpegIsConvertedWithInvertedInk() {
        // Adobe CMYK stores ink inverted: (0,0,0,0) is full ink everywhere (black), (255,255,255,255) no ink
        // (white), (0,255,255,255) full cyan only: RGB (0, 255, 255)
        WritableRaster cmyk = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 24, 8, 4, null);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 24; x++) {
                cmyk.setPixel(x, y, x < 8 ? new int[] {0, 0, 0, 0}
                        : x < 16 ? new int[] {255, 255, 255, 255} : new int[] {0, 255, 255, 255});
            }
        }
        RgbImage image = decoder.decode(ImageFixtures.adobeJpeg(cmyk, 0), ImageDecoder.JPEG, 0, 0);
        assertThat(image.width()).isEqualTo(24);
        assertThat(image.height()).isEqualTo(8);
        assertClose(image, 3, 4, new int[] {0, 0, 0}, 8, "zero samples: full ink");
        assertClose(image, 11, 4, new int[] {255, 255, 255}, 8, "255 samples: no ink");
        assertClose(image, 20, 4, new int[] {0, 255, 255}, 8, "cyan block");

        RgbImage ycck = decoder.decode(ImageFixtures.adobeJpeg(cmyk, 2), ImageDecoder.JPEG, 0, 0);
        assertThat(ycck.width()).as("YCCK decodes").isEqualTo(24);
    }

    @Test
    void rawRgb8IsCopiedAndItsDimensionsChecked() {
        byte[] raw = {1, 2, 3, 4, 5, 6};
        RgbImage image = decoder.decode(raw, ImageDecoder.RAW_RGB8, 2, 1);
        assertThat(image.pixels()).containsExactly(1, 2, 3, 4, 5, 6);
        raw[0] = 99;
        assertThat(image.pixels()[0]).as("the decoder copies the record's bytes").isEqualTo((byte) 1);

        assertThat(reasonOf(() -> decoder.decode(raw, ImageDecoder.RAW_RGB8, 3, 1))).isEqualTo(Reason.TRUNCATED);
        assertThat(reasonOf(() -> decoder.decode(raw, ImageDecoder.RAW_RGB8, 1, 1)))
                .isEqualTo(Reason.BAD_RAW_DIMENSIONS);
        assertThat(reasonOf(() -> decoder.decode(raw, ImageDecoder.RAW_RGB8, 0, 2)))
                .isEqualTo(Reason.ZERO_DIMENSIONS);
    }

    @Test
    void emptyAndUnknownInputsAreRejectedWithTheirReason() {
        assertThat(reasonOf(() -> decoder.decode(null, ImageDecoder.PNG, 0, 0))).isEqualTo(Reason.EMPTY);
        assertThat(reasonOf(() -> decoder.decode(new byte[0], ImageDecoder.JPEG, 0, 0))).isEqualTo(Reason.EMPTY);
        assertThat(reasonOf(() -> decoder.decode(new byte[] {1, 2}, "image/webp", 0, 0)))
                .isEqualTo(Reason.UNSUPPORTED_CONTENT_TYPE);
        assertThat(reasonOf(() -> decoder.decode(new byte[] {1, 2}, null, 0, 0)))
                .isEqualTo(Reason.UNSUPPORTED_CONTENT_TYPE);
        byte[] garbage = new byte[300];
        Arrays.fill(garbage, (byte) 0x5A);
        assertThat(reasonOf(() -> decoder.decode(garbage, ImageDecoder.PNG, 0, 0))).isEqualTo(Reason.UNDECODABLE);
        assertThat(reasonOf(() -> decoder.decode(garbage, ImageDecoder.JPEG, 0, 0))).isEqualTo(Reason.UNDECODABLE);
    }

    @Test
    void aJpegDeclaredAsPngIsUndecodableAndTheMessageSaysWhatItIs() {
        byte[] jpeg = ImageFixtures.jpeg(ImageFixtures.pattern(8, 8, BufferedImage.TYPE_3BYTE_BGR), false);
        BadImageException e = catchThrowableOfType(BadImageException.class,
                () -> decoder.decode(jpeg, ImageDecoder.PNG, 0, 0));
        assertThat(e.reason()).isEqualTo(Reason.UNDECODABLE);
        assertThat(e.getMessage()).contains("JPEG");
    }

    @Test
    void truncatedPngsAndJpegsAreRejectedAsTruncated() {
        BufferedImage source = ImageFixtures.pattern(48, 48, BufferedImage.TYPE_3BYTE_BGR);
        byte[] png = ImageFixtures.png(source);
        byte[] jpeg = ImageFixtures.jpeg(source, false);
        for (int length : new int[] {png.length - 1, png.length / 2, 30, 20, 9}) {
            assertThat(reasonOf(() -> decoder.decode(Arrays.copyOf(png, length), ImageDecoder.PNG, 0, 0)))
                    .as("PNG cut to %d of %d bytes", length, png.length).isEqualTo(Reason.TRUNCATED);
        }
        for (int length : new int[] {jpeg.length - 2, jpeg.length / 2, 40, 3}) {
            assertThat(reasonOf(() -> decoder.decode(Arrays.copyOf(jpeg, length), ImageDecoder.JPEG, 0, 0)))
                    .as("JPEG cut to %d of %d bytes", length, jpeg.length).isEqualTo(Reason.TRUNCATED);
        }
    }

    @Test
    void pixelLimitIsCheckedFromTheHeaderBeforeDecoding() {
        // a bare PNG header claiming 50,000 x 50,000: rejected on its claim (not as truncated, not by an OOM)
        byte[] png = ImageFixtures.png(ImageFixtures.pattern(4, 4, BufferedImage.TYPE_3BYTE_BGR));
        byte[] huge = Arrays.copyOf(png, 33);
        putInt(huge, 16, 50_000);
        putInt(huge, 20, 50_000);
        BadImageException e = catchThrowableOfType(BadImageException.class,
                () -> decoder.decode(huge, ImageDecoder.PNG, 0, 0));
        assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS);
        assertThat(e.getMessage()).contains("50000x50000");

        byte[] jpeg = ImageFixtures.jpeg(ImageFixtures.pattern(4, 4, BufferedImage.TYPE_3BYTE_BGR), false);
        int sof = sofOffset(jpeg);
        byte[] hugeJpeg = Arrays.copyOf(jpeg, sof + 10);
        hugeJpeg[sof + 5] = (byte) 0xEA; // height 60,000
        hugeJpeg[sof + 6] = 0x60;
        hugeJpeg[sof + 7] = (byte) 0xEA; // width 60,000
        hugeJpeg[sof + 8] = 0x60;
        assertThat(reasonOf(() -> decoder.decode(hugeJpeg, ImageDecoder.JPEG, 0, 0)))
                .isEqualTo(Reason.TOO_MANY_PIXELS);

        ImageDecoder small = new ImageDecoder(new DecodeLimits(1 << 20, 15));
        assertThat(reasonOf(() -> small.decode(png, ImageDecoder.PNG, 0, 0))).isEqualTo(Reason.TOO_MANY_PIXELS);
        assertThat(reasonOf(() -> small.decode(new byte[48], ImageDecoder.RAW_RGB8, 4, 4)))
                .isEqualTo(Reason.TOO_MANY_PIXELS);
        assertThat(new ImageDecoder(new DecodeLimits(1 << 20, 16)).decode(png, ImageDecoder.PNG, 0, 0).width())
                .isEqualTo(4);
    }

    @Test
    void byteLimitIsChecked() {
        byte[] png = ImageFixtures.png(ImageFixtures.pattern(4, 4, BufferedImage.TYPE_3BYTE_BGR));
        ImageDecoder tight = new ImageDecoder(new DecodeLimits(png.length - 1, 1_000_000));
        assertThat(reasonOf(() -> tight.decode(png, ImageDecoder.PNG, 0, 0))).isEqualTo(Reason.TOO_MANY_BYTES);
    }

    @Test
    void zeroSizedHeadersAreRejected() {
        byte[] png = ImageFixtures.png(ImageFixtures.pattern(4, 4, BufferedImage.TYPE_3BYTE_BGR));
        putInt(png, 16, 0);
        assertThat(reasonOf(() -> decoder.decode(png, ImageDecoder.PNG, 0, 0))).isEqualTo(Reason.ZERO_DIMENSIONS);
    }

    @Test
    void aOnePixelImageDecodes() {
        BufferedImage one = new BufferedImage(1, 1, BufferedImage.TYPE_3BYTE_BGR);
        one.setRGB(0, 0, 0x0A141E);
        assertThat(decoder.decode(ImageFixtures.png(one), ImageDecoder.PNG, 0, 0).pixels())
                .containsExactly(10, 20, 30);
    }

    @Test
    void pngRoundTripOfRealImagesIsLossless() {
        Path cifar = Path.of(System.getProperty("streamssl.shared.dir", "../shared"), "datasets", "cifar10");
        assumeTrue(Cifar10Binary.present(cifar), "CIFAR-10 not found at " + cifar.toAbsolutePath()
                + " (set -Dstreamssl.shared.dir): skipping the real-image test");
        Iterator<LabeledImage> images = Cifar10Binary.train(cifar).iterator();
        for (int i = 0; i < 64; i++) {
            byte[] raw = images.next().data();
            RgbImage image = decoder.decode(raw, ImageDecoder.RAW_RGB8, 32, 32);
            BufferedImage buffered = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
            for (int p = 0; p < 1024; p++) {
                buffered.setRGB(p % 32, p / 32, ((raw[p * 3] & 0xFF) << 16) | ((raw[p * 3 + 1] & 0xFF) << 8)
                        | (raw[p * 3 + 2] & 0xFF));
            }
            RgbImage fromPng = decoder.decode(ImageFixtures.png(buffered), ImageDecoder.PNG, 0, 0);
            assertThat(fromPng.pixels()).isEqualTo(image.pixels());
        }
    }

    private static BadImageException.Reason reasonOf(Runnable decode) {
        BadImageException e = catchThrowableOfType(BadImageException.class, decode::run);
        assertThat(e).as("expected a BadImageException").isNotNull();
        assertThat(e.getMessage()).startsWith(e.reason().name());
        return e.reason();
    }

    private static void assertClose(RgbImage image, int x, int y, int[] rgb, int tolerance, String what) {
        for (int c = 0; c < 3; c++) {
            assertThat(Math.abs(image.get(x, y, c) - rgb[c])).as("%s channel %d: %d vs %d", what, c,
                    image.get(x, y, c), rgb[c]).isLessThanOrEqualTo(tolerance);
        }
    }

    private static void putInt(byte[] data, int at, int value) {
        data[at] = (byte) (value >>> 24);
        data[at + 1] = (byte) (value >>> 16);
        data[at + 2] = (byte) (value >>> 8);
        data[at + 3] = (byte) value;
    }

    /** Offset of the first SOF0/SOF2 marker's 0xFF byte. */
    private static int sofOffset(byte[] jpeg) {
        for (int i = 2; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && ((jpeg[i + 1] & 0xFF) == 0xC0 || (jpeg[i + 1] & 0xFF) == 0xC2)) {
                return i;
            }
        }
        throw new AssertionError("no SOF marker");
    }
}
