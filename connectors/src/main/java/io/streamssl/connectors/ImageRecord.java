package io.streamssl.connectors;

import java.util.Objects;

/**
 * One image as read from Kafka, before decoding. A Flink POJO (public fields, no-arg constructor) so it
 * travels without Kryo.
 *
 * <p>{@code problem} is non-null when the record's envelope is already known to be bad (e.g. a label header
 * that is not a number); the decode stage then dead-letters it with that reason instead of training on it.
 */
public class ImageRecord {

    /** No label header. */
    public static final int NO_LABEL = -1;

    public String id;
    public byte[] data;
    public String contentType;
    public int width;
    public int height;
    public int label = NO_LABEL;
    public String source;
    public long timestamp;
    public long epoch;
    public String topic;
    public int partition;
    public long offset;
    public String problem;

    public ImageRecord() {}

    /** Where it came from, for logs and dead letters: {@code topic-partition@offset}. */
    public String position() {
        return topic + "-" + partition + "@" + offset;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ImageRecord r)) {
            return false;
        }
        return Objects.equals(id, r.id) && java.util.Arrays.equals(data, r.data)
                && Objects.equals(contentType, r.contentType) && width == r.width && height == r.height
                && label == r.label && Objects.equals(source, r.source) && timestamp == r.timestamp
                && epoch == r.epoch && Objects.equals(problem, r.problem);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, contentType, label, epoch);
    }

    @Override
    public String toString() {
        return "ImageRecord{" + id + ", " + contentType + ", " + (data == null ? 0 : data.length) + " bytes, label="
                + label + ", epoch=" + epoch + (problem == null ? "" : ", problem=" + problem) + "}";
    }
}
