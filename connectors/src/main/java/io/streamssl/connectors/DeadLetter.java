package io.streamssl.connectors;

/**
 * A record that could not be trained on: the original bytes and id, where it came from, the stage that
 * rejected it and why. A Flink POJO; {@link DeadLetterSerializationSchema} writes it to the dead-letter topic.
 */
public class DeadLetter {

    public String id;
    public byte[] data;
    public String contentType;
    public String position;
    public String stage;
    public String reason;
    public String detail;

    public DeadLetter() {}

    public static DeadLetter of(ImageRecord r, String stage, String reason, String detail) {
        DeadLetter d = new DeadLetter();
        d.id = r.id;
        d.data = r.data;
        d.contentType = r.contentType;
        d.position = r.position();
        d.stage = stage;
        d.reason = reason;
        d.detail = detail;
        return d;
    }
}
