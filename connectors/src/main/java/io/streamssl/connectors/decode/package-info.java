/**
 * Decoding of the images that travel in {@link io.streamssl.connectors.ImageRecord}s into plain
 * {@link io.streamssl.connectors.decode.RgbImage} buffers, without Flink types, so the job and readers outside
 * it (an evaluator's image folder, an embedding service) decode the same way.
 *
 * <pre>{@code
 * ImageDecoder decoder = new ImageDecoder(DecodeLimits.DEFAULT);
 * RgbImage image = decoder.decode(bytes, ImageDecoder.JPEG, 0, 0);
 * }</pre>
 *
 * <ul>
 *   <li>{@link io.streamssl.connectors.decode.ImageDecoder}: PNG / JPEG / raw RGB8 to RGB8, PIL's
 *       {@code convert("RGB")} semantics;</li>
 *   <li>{@link io.streamssl.connectors.decode.DecodeLimits}: the byte and pixel limits, checked against what
 *       the bytes declare ({@code EncodedImageInfo}) before any codec runs;</li>
 *   <li>{@link io.streamssl.connectors.decode.BadImageException}: every bad input, with a machine-readable
 *       reason for the dead-letter topic.</li>
 * </ul>
 */
package io.streamssl.connectors.decode;
