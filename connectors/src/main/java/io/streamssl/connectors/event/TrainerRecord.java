package io.streamssl.connectors.event;

/**
 * One trainer event, typed. {@link TrainerEventCodec} reads and writes them as the JSON records of the metrics
 * and snapshots topics (README "Topics and records").
 */
public sealed interface TrainerRecord
        permits MetricsEvent, SnapshotEvent, CheckpointEvent, RestoredEvent, FinalStateEvent, TrainedEvent,
        EvalEvent {

    EventHeader header();

    EventKind kind();

    default String runId() {
        return header().runId();
    }

    default long step() {
        return header().step();
    }
}
