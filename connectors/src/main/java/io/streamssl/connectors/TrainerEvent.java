package io.streamssl.connectors;

/**
 * Something the trainer tells the world, already rendered as JSON: the stream element between the trainer and
 * the Kafka sink. A Flink POJO. Built from a typed {@link io.streamssl.connectors.event.TrainerRecord} by
 * {@link io.streamssl.connectors.event.TrainerEventCodec#toStreamElement}; {@link TrainerEventSerializationSchema}
 * routes it to its topic by {@link #kind}.
 */
public class TrainerEvent {

    /** Route of the records of the metrics topic (every event but snapshot announcements). */
    public static final String METRICS = "metrics";
    /** Route of snapshot announcements: the snapshots topic. */
    public static final String SNAPSHOT = "snapshot";

    /** The route: {@link #METRICS} or {@link #SNAPSHOT}. */
    public String kind;
    /** The Kafka key: the model name. */
    public String key;
    /** The record value. */
    public String json;

    public TrainerEvent() {}

    public TrainerEvent(String kind, String key, String json) {
        this.kind = kind;
        this.key = key;
        this.json = json;
    }

    @Override
    public String toString() {
        return kind + ":" + json;
    }
}
