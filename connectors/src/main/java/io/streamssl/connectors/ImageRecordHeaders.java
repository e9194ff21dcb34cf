package io.streamssl.connectors;

/**
 * Kafka header names of an image record. The key is the image id, the value the encoded image.
 *
 * <ul>
 *   <li>{@value #CONTENT_TYPE} (required): {@code image/png}, {@code image/jpeg} or {@code application/x-raw-rgb8}
 *   <li>{@value #WIDTH}, {@value #HEIGHT}: decimal, required for raw RGB8
 *   <li>{@value #LABEL}: optional class index, decimal int (feeds the online probe)
 *   <li>{@value #SOURCE}: optional free text (data set name, camera …)
 *   <li>{@value #TIMESTAMP}: optional epoch milliseconds, decimal
 *   <li>{@value #EPOCH}: optional pass number over a data set, decimal (seeds augmentation: another pass gives other views)
 * </ul>
 * All values are UTF-8 text.
 */
public final class ImageRecordHeaders {

    public static final String CONTENT_TYPE = "content-type";
    public static final String WIDTH = "width";
    public static final String HEIGHT = "height";
    public static final String LABEL = "label";
    public static final String SOURCE = "source";
    public static final String TIMESTAMP = "ts";
    public static final String EPOCH = "epoch";

    public static final String PNG = "image/png";
    public static final String JPEG = "image/jpeg";
    public static final String RAW_RGB8 = "application/x-raw-rgb8";

    private ImageRecordHeaders() {}
}
