package io.streamssl.cli.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamssl.connectors.event.EventKind;
import io.streamssl.connectors.event.TrainerEventCodec;
import io.streamssl.connectors.event.TrainerEventReader;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The trainer events of a metrics topic, or of a saved copy of one (JSON Lines: one record per line, as on the
 * topic), grouped by run. Records of kinds the codec knows are decoded by {@link TrainerEventCodec} and a broken one
 * is an error naming its line; records of other kinds (newer than this build) are kept untyped rather than
 * rejected, so that a report of an older build still opens a newer log.
 *
 * <pre>{@code
 * MetricsLog log = MetricsLog.readJsonl(Path.of("run.jsonl"));
 * List<LoggedEvent> events = log.eventsOf(log.newestRun().runId());
 * }</pre>
 */
public final class MetricsLog {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fields every record starts with; an untyped record's other numeric fields are its values. */
    private static final Set<String> HEADER_FIELDS = Set.of("event", "run_id", "model", "step", "images", "epoch",
            "attempt", "ts");
    private static final Set<String> KNOWN_KINDS = Arrays.stream(EventKind.values()).map(EventKind::wireName)
            .collect(Collectors.toUnmodifiableSet());

    private final String source;
    private final List<LoggedEvent> events;
    private final List<String> skipped;

    private MetricsLog(String source, List<LoggedEvent> events, List<String> skipped) {
        this.source = source;
        this.events = List.copyOf(events);
        this.skipped = List.copyOf(skipped);
    }

    /** A log from records already in hand (tests, a reader of one's own). */
    public static MetricsLog of(String source, List<LoggedEvent> events) {
        return new MetricsLog(source, events, List.of());
    }

    /**
     * Reads a saved log. Blank lines are ignored; a line that is not a JSON object, or a known kind missing a field,
     * is an {@link IllegalArgumentException} naming the file and line; an untyped record without {@code run_id} or
     * {@code step} is skipped and listed in {@link #skipped()}.
     */
    public static MetricsLog readJsonl(Path file) {
        List<LoggedEvent> events = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNo = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                collect(file + " line " + lineNo, line.strip(), " (a metrics log holds one trainer event per line, as"
                        + " on the metrics topic or as --save-jsonl writes it)", events, skipped);
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such file: " + file + " (--jsonl FILE: a log saved with"
                    + " --save-jsonl, or the metrics topic's values one per line)", e);
        } catch (MalformedInputException e) {
            throw new IllegalArgumentException(file + " is not UTF-8 text: --jsonl wants one JSON record per line", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return new MetricsLog(file.toString(), events, skipped);
    }

    /**
     * Reads the metrics topic {@code read_committed} to its end with the shared {@link TrainerEventReader}: the
     * records of completed checkpoints, as a downstream consumer sees them. Each value goes through
     * {@link #parse} as a saved log's line does, so kinds newer than this build are kept here too.
     */
    public static MetricsLog readTopic(String bootstrapServers, String topic, Duration timeout) {
        return readTopic(bootstrapServers, Map.of(), topic, timeout);
    }

    /** As {@link #readTopic(String, String, Duration)}, with extra Kafka client properties (security settings). */
    public static MetricsLog readTopic(String bootstrapServers, Map<String, String> clientProperties, String topic,
            Duration timeout) {
        List<String> values;
        try (TrainerEventReader reader = TrainerEventReader.builder().setBootstrapServers(bootstrapServers)
                .setTopic(topic).optClientProperties(clientProperties).build()) {
            values = reader.readJsonToEnd(timeout);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(e.getMessage() + ": a long topic takes longer, raise --read-timeout", e);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new IllegalArgumentException("no Kafka broker answered at " + bootstrapServers + " (" + e.getMessage()
                    + "): check -b HOST:PORT", e);
        }
        String source = "topic '" + topic + "' at " + bootstrapServers;
        List<LoggedEvent> events = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            collect(source + " record " + (i + 1), values.get(i), "", events, skipped);
        }
        return new MetricsLog(source, events, skipped);
    }

    /** Parses one record found at {@code where} into {@code events}, or notes in {@code skipped} why not. */
    private static void collect(String where, String json, String hint, List<LoggedEvent> events,
            List<String> skipped) {
        try {
            LoggedEvent e = parse(json);
            if (e == null) {
                skipped.add(where + ": an untyped record needs run_id and a numeric step");
            } else {
                events.add(e);
            }
        } catch (IllegalArgumentException | DateTimeException e) { // the codec parses ts with java.time
            throw new IllegalArgumentException(where + ": " + e.getMessage() + hint, e);
        }
    }

    /** One record; null for an untyped record that no run can claim (no run_id or no step). */
    static LoggedEvent parse(String json) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        if (!n.path("event").isTextual()) {
            throw new IllegalArgumentException("no 'event' field: not a trainer event");
        }
        String kind = n.get("event").asText();
        if (KNOWN_KINDS.contains(kind)) {
            return LoggedEvent.of(TrainerEventCodec.decode(json), json);
        }
        if (!n.path("run_id").isTextual() || !n.path("step").isNumber()) {
            return null;
        }
        Map<String, Double> numbers = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!HEADER_FIELDS.contains(f.getKey()) && f.getValue().isNumber()) {
                numbers.put(f.getKey(), f.getValue().asDouble());
            }
        }
        Instant ts = null;
        if (n.path("ts").isTextual()) {
            try {
                ts = Instant.parse(n.get("ts").asText());
            } catch (DateTimeParseException e) {
                ts = null; // an untyped record's clock is only used to find the newest run
            }
        }
        return new LoggedEvent(json, kind, n.get("run_id").asText(), n.path("model").asText(null),
                n.get("step").asLong(), n.path("attempt").asInt(0), ts, null, numbers,
                n.path("method").isTextual() ? n.get("method").asText() : null);
    }

    /** Where the records came from, for messages. */
    public String source() {
        return source;
    }

    public List<LoggedEvent> events() {
        return events;
    }

    /** Lines of a saved log that were left out, each with its place and why. */
    public List<String> skipped() {
        return skipped;
    }

    /** The runs in the log, the one with the newest record first. */
    public List<RunSummary> runs() {
        Map<String, List<LoggedEvent>> byRun = new LinkedHashMap<>();
        events.forEach(e -> byRun.computeIfAbsent(e.runId(), k -> new ArrayList<>()).add(e));
        List<RunSummary> runs = new ArrayList<>();
        byRun.forEach((id, list) -> runs.add(RunSummary.of(id, list, lastPosition(id))));
        runs.sort(Comparator.comparing(RunSummary::newest, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparingInt(RunSummary::lastPosition).reversed());
        return runs;
    }

    /** The run with the newest record (by the trainer's clock; position in the log for records without one). */
    public RunSummary newestRun() {
        List<RunSummary> runs = runs();
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no trainer events in " + source + ": is it the metrics topic"
                    + " (kafka.metrics-topic) of a job that ran?");
        }
        return runs.get(0);
    }

    /** The run {@code runId}; an error listing the runs found when there is none of that id. */
    public RunSummary run(String runId) {
        return runs().stream().filter(r -> r.runId().equals(runId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no records of run '" + runId + "' in " + source
                        + (events.isEmpty() ? ", which holds no trainer events" : "; runs found:\n" + describe(runs())
                                + "pick one with --run-id")));
    }

    /** The records of one run, in log order. */
    public List<LoggedEvent> eventsOf(String runId) {
        return events.stream().filter(e -> e.runId().equals(runId)).toList();
    }

    /** Writes every record read, all runs, one JSON per line as on the topic: a copy {@code --jsonl} reads back. */
    public void writeJsonl(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                for (LoggedEvent e : events) {
                    out.write(e.json());
                    out.newLine();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** One line per run: id, model, records, steps, newest record. */
    public static String describe(List<RunSummary> runs) {
        StringBuilder sb = new StringBuilder();
        for (RunSummary r : runs) {
            sb.append(String.format("  %s  model %s, %d records, steps up to %d%s%n", r.runId(), r.model(),
                    r.records(), r.maxStep(), r.newest() == null ? "" : ", last at " + r.newest()));
        }
        return sb.toString();
    }

    private int lastPosition(String runId) {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i).runId().equals(runId)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A run as found in the log.
     *
     * @param newest the newest record's {@code ts}, or null if none has one
     * @param lastPosition the index of its last record in the log, to order runs without clocks
     */
    public record RunSummary(String runId, String model, int records, long maxStep, Instant newest, int lastPosition) {

        static RunSummary of(String runId, List<LoggedEvent> events, int lastPosition) {
            String model = events.stream().map(LoggedEvent::model).filter(m -> m != null).findFirst().orElse("?");
            long maxStep = events.stream().mapToLong(LoggedEvent::step).max().orElse(0);
            Instant newest = events.stream().map(LoggedEvent::ts).filter(t -> t != null).max(Comparator.naturalOrder())
                    .orElse(null);
            return new RunSummary(runId, model, events.size(), maxStep, newest, lastPosition);
        }
    }
}
