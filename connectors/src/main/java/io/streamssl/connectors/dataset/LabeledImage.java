package io.streamssl.connectors.dataset;

/**
 * One image of a data set, already encoded as it will travel in Kafka.
 *
 * @param id stable id (the Kafka key)
 * @param data encoded bytes
 * @param contentType see {@link io.streamssl.connectors.ImageRecordHeaders}
 * @param width pixels (needed for raw RGB8; informative otherwise, 0 if unknown)
 * @param height pixels
 * @param label class index, or -1
 */
public record LabeledImage(String id, byte[] data, String contentType, int width, int height, int label) {}
