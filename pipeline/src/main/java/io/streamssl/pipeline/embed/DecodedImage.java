package io.streamssl.pipeline.embed;

import io.streamssl.connectors.decode.RgbImage;

/**
 * An image of the images topic, decoded, on its way to the encoder: its id (the output record's key), where it
 * came from, and its RGB pixels at their original size (the encoder's input size is known only once a snapshot
 * is loaded). A Flink POJO, so that it travels and is checkpointed without Kryo.
 */
public class DecodedImage {

    public String id;
    /** {@code topic-partition@offset}, for logs. */
    public String position;
    public int width;
    public int height;
    /** H×W×3 uint8, row-major. */
    public byte[] pixels;

    public DecodedImage() {}

    public static DecodedImage of(String id, String position, RgbImage image) {
        DecodedImage d = new DecodedImage();
        d.id = id;
        d.position = position;
        d.width = image.width();
        d.height = image.height();
        d.pixels = image.pixels();
        return d;
    }

    public RgbImage rgb() {
        return new RgbImage(width, height, pixels);
    }
}
