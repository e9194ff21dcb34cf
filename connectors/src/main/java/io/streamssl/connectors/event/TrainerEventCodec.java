package io.streamssl.connectors.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamssl.connectors.TrainerEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The JSON form of {@link TrainerRecord}s on the metrics and snapshots topics: the one place that knows the field
 * names (README "Topics and records"). Fields are written in a fixed order — the header ({@code event},
 * {@code run_id}, {@code model}, {@code step}, {@code images}, {@code epoch}, {@code attempt}, {@code ts}), then the
 * kind's own — so a record reads the same in a console consumer run after run.
 *
 * <p>Written through a Jackson tree rather than data binding: a metrics record spreads the method's own scalars
 * ({@code tau}, …) as top-level fields, and optional fields are left out rather than written as null.
 */
public final class TrainerEventCodec {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fields of a metrics record that are not the method's scalars. */
    private static final Set<String> METRICS_FIELDS = Set.of("event", "run_id", "model", "step", "images", "epoch",
            "attempt", "ts", "loss", "learning_rate", "images_per_s", "train_images_per_s", "probe_acc", "probe_n",
            "skipped_steps", "labels_out_of_range", "snapshot", "finished", "snapshot_write_failures",
            "snapshot_error");

    private TrainerEventCodec() {}

    /** The record as the JSON text the trainer publishes. */
    public static String encode(TrainerRecord record) {
        ObjectNode n = JSON.createObjectNode();
        EventHeader h = record.header();
        n.put("event", record.kind().wireName());
        n.put("run_id", h.runId());
        n.put("model", h.model());
        n.put("step", h.step());
        n.put("images", h.images());
        n.put("epoch", h.epoch());
        n.put("attempt", h.attempt());
        n.put("ts", h.ts().toString());
        switch (record.kind()) {
            case METRICS -> {
                MetricsEvent m = (MetricsEvent) record;
                n.put("loss", m.loss());
                n.put("learning_rate", m.learningRate());
                m.scalars().forEach(n::put);
                n.put("images_per_s", m.imagesPerSecond());
                n.put("train_images_per_s", m.trainImagesPerSecond());
                n.put("probe_acc", m.probeAccuracy());
                n.put("probe_n", m.probeCount());
                n.put("skipped_steps", m.skippedSteps());
                n.put("labels_out_of_range", m.labelsOutOfRange());
                if (m.snapshot() != null) {
                    n.put("snapshot", m.snapshot());
                }
                n.put("finished", m.finished());
                if (m.snapshotWriteFailures() > 0) {
                    n.put("snapshot_write_failures", m.snapshotWriteFailures());
                }
                if (m.snapshotError() != null) {
                    n.put("snapshot_error", m.snapshotError());
                }
            }
            case SNAPSHOT -> {
                SnapshotEvent s = (SnapshotEvent) record;
                n.put("path", s.path());
                n.put("method", s.method());
                n.put("weights_sha256", s.weightsSha256());
                n.put("checkpoint_id", s.checkpointId());
            }
            case CHECKPOINT -> {
                CheckpointEvent c = (CheckpointEvent) record;
                n.put("checkpoint_id", c.checkpointId());
                n.put("teacher_sha256", c.teacherSha256());
                n.put("state_bytes", c.stateBytes());
                n.put("pending", c.pending());
                n.put("copy_ms", c.copyMillis());
                if (c.replayBufferSha256() != null) {
                    n.put("replay_buffer_sha256", c.replayBufferSha256());
                }
            }
            case RESTORED -> {
                RestoredEvent r = (RestoredEvent) record;
                n.put("teacher_sha256", r.teacherSha256());
                n.put("pending", r.pending());
                if (r.seedChangedFrom() != null) {
                    n.put("seed_changed_from", r.seedChangedFrom());
                }
                if (r.replayBufferSha256() != null) {
                    n.put("replay_buffer_sha256", r.replayBufferSha256());
                }
            }
            case FINAL_STATE -> {
                FinalStateEvent f = (FinalStateEvent) record;
                ObjectNode digests = n.putObject("tensor_sha256");
                f.tensorSha256().forEach(digests::put);
                n.put("tensors", f.tensors());
                n.put("state_bytes", f.stateBytes());
            }
            case TRAINED -> {
                TrainedEvent t = (TrainedEvent) record;
                ArrayNode ids = n.putArray("ids");
                t.ids().forEach(ids::add);
                ArrayNode epochs = n.putArray("epochs");
                t.epochs().forEach(epochs::add);
                n.put("batch_sha256", t.batchSha256());
                ArrayNode uses = n.putArray("uses");
                t.uses().forEach(uses::add);
                n.put("replayed", t.replayed());
            }
            case EVAL -> {
                EvalEvent e = (EvalEvent) record;
                n.put("snapshot", e.snapshot());
                n.put("weights_sha256", e.weightsSha256());
                n.put("checkpoint_id", e.checkpointId());
                n.put("data", e.data());
                n.put("bank_n", e.bankCount());
                n.put("query_n", e.queryCount());
                n.put("knn_20", e.knn20());
                n.put("knn_200", e.knn200());
                n.put("linear", e.linear());
                ArrayNode perClass = n.putArray("knn_200_per_class");
                for (double a : e.knn200PerClass()) {
                    if (Double.isNaN(a)) {
                        perClass.addNull();
                    } else {
                        perClass.add(a);
                    }
                }
                n.put("eval_s", e.seconds());
            }
        }
        return n.toString();
    }

    /** The record as the Flink stream element the sink routes by kind and keys by model. */
    public static TrainerEvent toStreamElement(TrainerRecord record) {
        return new TrainerEvent(record.kind().route(), record.header().model(), encode(record));
    }

    public static TrainerRecord decode(byte[] utf8) {
        return decode(new String(utf8, StandardCharsets.UTF_8));
    }

    /** Reads one record; a missing field or an unknown kind is an {@link IllegalArgumentException} naming it. */
    public static TrainerRecord decode(String json) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a trainer event must be a JSON object: " + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("a trainer event must be a JSON object, got: " + json);
        }
        EventKind kind = EventKind.ofWireName(text(n, "event"));
        EventHeader h = new EventHeader(text(n, "run_id"), text(n, "model"), number(n, "step").asLong(),
                number(n, "images").asLong(), number(n, "epoch").asLong(), number(n, "attempt").asInt(),
                Instant.parse(text(n, "ts")));
        return switch (kind) {
            case METRICS -> {
                Map<String, Double> scalars = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    if (!METRICS_FIELDS.contains(f.getKey()) && f.getValue().isNumber()) {
                        scalars.put(f.getKey(), f.getValue().asDouble());
                    }
                }
                JsonNode probe = n.path("probe_acc");
                yield new MetricsEvent(h, number(n, "loss").asDouble(), number(n, "learning_rate").floatValue(),
                        scalars, number(n, "images_per_s").asDouble(), number(n, "train_images_per_s").asDouble(),
                        probe.isNumber() ? probe.asDouble() : null, number(n, "probe_n").asInt(),
                        n.hasNonNull("snapshot") ? n.get("snapshot").asText() : null, n.path("finished").asBoolean(),
                        n.path("skipped_steps").asLong(0), n.path("labels_out_of_range").asLong(0),
                        n.path("snapshot_write_failures").asInt(),
                        n.hasNonNull("snapshot_error") ? n.get("snapshot_error").asText() : null);
            }
            case SNAPSHOT -> new SnapshotEvent(h, text(n, "path"), text(n, "method"), text(n, "weights_sha256"),
                    n.path("checkpoint_id").isNumber() ? n.get("checkpoint_id").asLong() : null);
            case CHECKPOINT -> new CheckpointEvent(h, number(n, "checkpoint_id").asLong(), text(n, "teacher_sha256"),
                    number(n, "state_bytes").asLong(), number(n, "pending").asInt(), n.path("copy_ms").asLong(),
                    optionalText(n, "replay_buffer_sha256"));
            case RESTORED -> new RestoredEvent(h, text(n, "teacher_sha256"), number(n, "pending").asInt(),
                    n.path("seed_changed_from").isNumber() ? n.get("seed_changed_from").asLong() : null,
                    optionalText(n, "replay_buffer_sha256"));
            case FINAL_STATE -> {
                TreeMap<String, String> digests = new TreeMap<>();
                field(n, "tensor_sha256").fields().forEachRemaining(e -> digests.put(e.getKey(), e.getValue().asText()));
                yield new FinalStateEvent(h, digests, number(n, "tensors").asInt(), number(n, "state_bytes").asLong());
            }
            case TRAINED -> {
                List<String> ids = new ArrayList<>();
                field(n, "ids").forEach(id -> ids.add(id.asText()));
                List<Long> epochs = new ArrayList<>();
                field(n, "epochs").forEach(e -> epochs.add(e.asLong()));
                List<Integer> uses = new ArrayList<>();
                if (n.has("uses")) { // absent in events of earlier versions: all first uses
                    n.get("uses").forEach(u -> uses.add(u.asInt()));
                } else {
                    ids.forEach(id -> uses.add(0));
                }
                yield new TrainedEvent(h, ids, epochs, text(n, "batch_sha256"), uses,
                        n.has("replayed") ? n.get("replayed").asInt() : 0);
            }
            case EVAL -> {
                JsonNode perClass = field(n, "knn_200_per_class");
                double[] accuracy = new double[perClass.size()];
                for (int i = 0; i < accuracy.length; i++) {
                    accuracy[i] = perClass.get(i).isNumber() ? perClass.get(i).asDouble() : Double.NaN;
                }
                yield new EvalEvent(h, text(n, "snapshot"), text(n, "weights_sha256"),
                        n.path("checkpoint_id").isNumber() ? n.get("checkpoint_id").asLong() : null, text(n, "data"),
                        number(n, "bank_n").asInt(), number(n, "query_n").asInt(), number(n, "knn_20").asDouble(),
                        number(n, "knn_200").asDouble(), number(n, "linear").asDouble(), accuracy,
                        number(n, "eval_s").asDouble());
            }
        };
    }

    private static JsonNode field(JsonNode n, String name) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("trainer event without '" + name + "': " + n);
        }
        return v;
    }

    /** The field's text, or null when it is absent (records of earlier versions, or nothing to say). */
    private static String optionalText(JsonNode n, String name) {
        return n.hasNonNull(name) ? n.get(name).asText() : null;
    }

    private static String text(JsonNode n, String name) {
        return field(n, name).asText();
    }

    private static JsonNode number(JsonNode n, String name) {
        JsonNode v = field(n, name);
        if (!v.isNumber()) {
            throw new IllegalArgumentException("trainer event field '" + name + "' must be a number, got " + v);
        }
        return v;
    }
}
