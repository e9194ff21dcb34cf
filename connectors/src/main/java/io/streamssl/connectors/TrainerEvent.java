package io.streamssl.connectors;

/**
 * Something the trainer tells the world, already rendered as JSON: a metrics record or a snapshot
 * announcement. A Flink POJO. {@link TrainerEventSerializationSchema} routes it to its topic.
 */
public class TrainerEvent {

    /** Kind of a metrics record. */
    public static final String METRICS = "metrics";
    /** Kind of a snapshot announcement. */
    public static final String SNAPSHOT = "snapshot";

    /** {@link #METRICS} or {@link #SNAPSHOT}. */
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
