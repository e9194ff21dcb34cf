package io.streamssl.connectors.event;

import java.time.Instant;
import java.util.Objects;

/**
 * The fields every trainer event starts with: who wrote it and where the trainer stood.
 *
 * @param runId the run that wrote it ({@code run_id}); one topic holds the events of many runs
 * @param model the model name, also the record key ({@code model})
 * @param step optimiser steps done ({@code step})
 * @param images images trained on ({@code images})
 * @param epoch the highest epoch (pass over a data set) trained ({@code epoch})
 * @param attempt Flink's attempt number: 0, plus one per restart ({@code attempt})
 * @param ts when the trainer wrote it, by its clock ({@code ts}, ISO-8601)
 */
public record EventHeader(String runId, String model, long step, long images, long epoch, int attempt, Instant ts) {

    public EventHeader {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(ts, "ts");
    }
}
