package io.streamssl.cli.report;

import io.streamssl.connectors.event.EvalEvent;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.connectors.event.TrainerEventCodec;
import io.streamssl.connectors.event.TrainerRecord;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One record of a metrics log as read. A kind that {@link TrainerEventCodec} knows arrives typed ({@link #typed()});
 * any other kind — one newer than this build, or {@code eval} records of a build without that kind — keeps its header and its numeric fields, so a
 * report draws what it can of it instead of failing on a record it has no type for.
 *
 * @param json the record as on the topic, one line of a saved log
 * @param kind the {@code event} field
 * @param step the {@code step} field
 * @param attempt the {@code attempt} field, 0 when an untyped record has none
 * @param ts the {@code ts} field, or null when an untyped record has none
 * @param typed the typed record, or null for a kind the codec does not know
 * @param numbers an untyped record's numeric fields besides the header's, in their order; for a typed eval record its
 *     accuracies and {@code eval_s}; empty for other typed ones
 * @param method the {@code method} field when the record names one (snapshot announcements, maybe eval), else null
 */
public record LoggedEvent(String json, String kind, String runId, String model, long step, int attempt, Instant ts,
        TrainerRecord typed, Map<String, Double> numbers, String method) {

    public LoggedEvent {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(runId, "runId");
        numbers = Collections.unmodifiableMap(new LinkedHashMap<>(numbers));
    }

    /** A record the codec decoded, with the JSON it came as. */
    public static LoggedEvent of(TrainerRecord record, String json) {
        Map<String, Double> numbers = record instanceof EvalEvent e
                ? evalNumbers(e) : Map.of();
        return new LoggedEvent(json, record.kind().wireName(), record.runId(), record.header().model(),
                record.step(), record.header().attempt(), record.header().ts(), record, numbers,
                record instanceof SnapshotEvent s ? s.method() : null);
    }

    /** The figures of an eval record that a report charts: the accuracies and the evaluation's wall time. */
    private static Map<String, Double> evalNumbers(EvalEvent e) {
        Map<String, Double> n = new LinkedHashMap<>();
        n.put("knn_20", e.knn20());
        n.put("knn_200", e.knn200());
        n.put("linear", e.linear());
        n.put("eval_s", e.seconds());
        return n;
    }

    public boolean isTyped() {
        return typed != null;
    }
}
