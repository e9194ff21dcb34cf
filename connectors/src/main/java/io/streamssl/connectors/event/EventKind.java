package io.streamssl.connectors.event;

import io.streamssl.connectors.TrainerEvent;
import java.util.Arrays;

/**
 * The kinds of trainer event: the value of the {@code event} field on the wire, the record type that carries
 * it, and the topic it goes to. The one place these names are spelled.
 */
public enum EventKind {
    /** Training progress every {@code metrics.every-steps} steps: {@link MetricsEvent}. */
    METRICS("metrics", MetricsEvent.class, TrainerEvent.METRICS),
    /** A snapshot written and committed with a checkpoint: {@link SnapshotEvent}, on the snapshots topic. */
    SNAPSHOT("snapshot", SnapshotEvent.class, TrainerEvent.SNAPSHOT),
    /** What went into checkpoint N: {@link CheckpointEvent}. */
    CHECKPOINT("checkpoint", CheckpointEvent.class, TrainerEvent.METRICS),
    /** What a restored job loaded: {@link RestoredEvent}. */
    RESTORED("restored", RestoredEvent.class, TrainerEvent.METRICS),
    /** Digests of every state tensor at {@code max-steps}: {@link FinalStateEvent}. */
    FINAL_STATE("final-state", FinalStateEvent.class, TrainerEvent.METRICS),
    /** What one step trained on (with {@code metrics.trained-ids}): {@link TrainedEvent}. */
    TRAINED("trained", TrainedEvent.class, TrainerEvent.METRICS),
    /** A committed snapshot's held-out kNN and linear figures (with {@code eval.*}): {@link EvalEvent}. */
    EVAL("eval", EvalEvent.class, TrainerEvent.METRICS);

    private final String wireName;
    private final Class<? extends TrainerRecord> recordType;
    private final String route;

    EventKind(String wireName, Class<? extends TrainerRecord> recordType, String route) {
        this.wireName = wireName;
        this.recordType = recordType;
        this.route = route;
    }

    /** The {@code event} field's value. */
    public String wireName() {
        return wireName;
    }

    public Class<? extends TrainerRecord> recordType() {
        return recordType;
    }

    /** {@link TrainerEvent#METRICS} or {@link TrainerEvent#SNAPSHOT}: which topic the sink writes it to. */
    public String route() {
        return route;
    }

    public static EventKind ofWireName(String name) {
        for (EventKind k : values()) {
            if (k.wireName.equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown trainer event '" + name + "': expected one of "
                + Arrays.stream(values()).map(EventKind::wireName).toList());
    }
}
