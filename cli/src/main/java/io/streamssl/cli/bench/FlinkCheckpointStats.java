package io.streamssl.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Flink's own checkpoint statistics of one job, read from the cluster's REST API: what the web UI's
 * "Checkpoints" tab shows, so the figures are the ones an operator would look at.
 *
 * <pre>{@code
 * FlinkCheckpointStats stats = new FlinkCheckpointStats(cluster.getRestAddress().get(), jobId.toHexString());
 * List<FlinkCheckpointStats.Completed> done = stats.completed(stats.vertexId("trainer: "), fromMs, toMs);
 * }</pre>
 *
 * Endpoints and fields (Flink 2.2): {@code GET /jobs/:jobid} ({@code vertices[].id, name}),
 * {@code GET /jobs/:jobid/checkpoints/config} ({@code interval}: {@code Long.MAX_VALUE} when checkpointing is
 * off), {@code GET /jobs/:jobid/checkpoints} ({@code counts}, {@code summary}, {@code latest.completed},
 * {@code history[]} with {@code id, status, trigger_timestamp, latest_ack_timestamp, state_size,
 * checkpointed_size, end_to_end_duration, failure_message}; all zero and empty when checkpointing is off) and
 * {@code GET /jobs/:jobid/checkpoints/details/:checkpointid/subtasks/:vertexid} ({@code subtasks[]} with
 * {@code start_delay}, {@code alignment.duration}, {@code checkpoint.sync}, {@code checkpoint.async},
 * {@code end_to_end_duration}). Sizes are bytes, durations milliseconds. {@code history} holds only the last
 * {@code web.checkpoints.history} checkpoints: raise it to see a whole run.
 */
public final class FlinkCheckpointStats {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One completed checkpoint, job-wide figures plus the breakdown of one vertex's first subtask.
     *
     * @param stateSize full size of the state the checkpoint refers to
     * @param checkpointedSize bytes this checkpoint wrote (with incremental RocksDB checkpoints: new SST files)
     * @param startDelayMs trigger until the first barrier reached the subtask (it queues behind in-flight records)
     * @param syncMs Flink's synchronous snapshot of the subtask's state backend (not {@code prepareSnapshotPreBarrier})
     */
    public record Completed(long id, long triggerTimestamp, long ackTimestamp, long endToEndMs, long stateSize,
            long checkpointedSize, long startDelayMs, long alignmentMs, long syncMs, long asyncMs,
            long subtaskEndToEndMs) {

        /**
         * Time the subtask's task thread spent on the checkpoint after the barrier arrived: what is left of its
         * end-to-end duration after the start delay, the alignment and the asynchronous part, i.e.
         * {@code prepareSnapshotPreBarrier} plus the synchronous snapshot (Flink reports only the latter). While
         * it runs, the operator processes no records.
         */
        public long taskThreadMs() {
            return Math.max(0, subtaskEndToEndMs - startDelayMs - alignmentMs - asyncMs);
        }
    }

    /** A failed checkpoint (expired, declined, …) with Flink's reason. */
    public record Failed(long id, long triggerTimestamp, String message) {}

    /** The job-wide {@code counts} of the checkpoints endpoint; they include triggers declined before the job ran. */
    public record Counts(long total, long completed, long failed, long inProgress) {}

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI rest;
    private final String jobId;

    /** @param rest the cluster's REST address, e.g. {@code MiniCluster#getRestAddress()} */
    public FlinkCheckpointStats(URI rest, String jobId) {
        this.rest = rest;
        this.jobId = jobId;
    }

    /** The id of the job vertex whose name contains {@code namePart} (an operator chain's name lists its operators). */
    public String vertexId(String namePart) throws IOException, InterruptedException {
        JsonNode job = get("/jobs/" + jobId).orElseThrow(() -> new IllegalStateException("job " + jobId
                + " not found at " + rest));
        List<String> names = new ArrayList<>();
        for (JsonNode v : job.path("vertices")) {
            if (v.path("name").asText().contains(namePart)) {
                return v.path("id").asText();
            }
            names.add(v.path("name").asText());
        }
        throw new IllegalStateException("job " + jobId + " has no vertex named like '" + namePart + "': " + names);
    }

    /**
     * Whether the job checkpoints periodically: {@code GET /jobs/:jobid/checkpoints/config} reports the interval
     * as {@code Long.MAX_VALUE} (older versions: -1) when checkpointing is disabled.
     */
    public boolean periodicCheckpoints() throws IOException, InterruptedException {
        long interval = get("/jobs/" + jobId + "/checkpoints/config").map(c -> c.path("interval").asLong(-1))
                .orElse(-1L);
        return interval > 0 && interval != Long.MAX_VALUE;
    }

    /** The job's checkpoint counts; empty when Flink has no checkpoint statistics for it. */
    public Optional<Counts> counts() throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/checkpoints").map(c -> {
            JsonNode n = c.path("counts");
            return new Counts(n.path("total").asLong(), n.path("completed").asLong(), n.path("failed").asLong(),
                    n.path("in_progress").asLong());
        });
    }

    /**
     * The completed checkpoints in {@code history} triggered in {@code [fromMillis, toMillis]}, oldest first,
     * each with the breakdown of subtask 0 of {@code vertexId}.
     */
    public List<Completed> completed(String vertexId, long fromMillis, long toMillis)
            throws IOException, InterruptedException {
        JsonNode overview = get("/jobs/" + jobId + "/checkpoints").orElseThrow(() -> new IllegalStateException(
                "job " + jobId + " has no checkpoint statistics: is checkpointing on?"));
        List<Completed> out = new ArrayList<>();
        for (JsonNode h : overview.path("history")) {
            long trigger = h.path("trigger_timestamp").asLong();
            if (!h.path("status").asText().equals("COMPLETED") || h.path("is_savepoint").asBoolean(false)
                    || trigger < fromMillis || trigger > toMillis) {
                continue;
            }
            long id = h.path("id").asLong();
            JsonNode details = get("/jobs/" + jobId + "/checkpoints/details/" + id + "/subtasks/" + vertexId)
                    .orElseThrow(() -> new IllegalStateException("no details of checkpoint " + id + " for vertex "
                            + vertexId));
            JsonNode sub = details.path("subtasks").path(0);
            out.add(new Completed(id, trigger, h.path("latest_ack_timestamp").asLong(),
                    h.path("end_to_end_duration").asLong(), h.path("state_size").asLong(),
                    h.path("checkpointed_size").asLong(), sub.path("start_delay").asLong(),
                    sub.path("alignment").path("duration").asLong(), sub.path("checkpoint").path("sync").asLong(),
                    sub.path("checkpoint").path("async").asLong(), sub.path("end_to_end_duration").asLong()));
        }
        out.sort((a, b) -> Long.compare(a.id(), b.id()));
        return out;
    }

    /** The failed checkpoints in {@code history} triggered in {@code [fromMillis, toMillis]}, oldest first. */
    public List<Failed> failed(long fromMillis, long toMillis) throws IOException, InterruptedException {
        List<Failed> out = new ArrayList<>();
        for (JsonNode h : get("/jobs/" + jobId + "/checkpoints").map(c -> c.path("history"))
                .orElse(JSON.createArrayNode())) {
            long trigger = h.path("trigger_timestamp").asLong();
            if (h.path("status").asText().equals("FAILED") && trigger >= fromMillis && trigger <= toMillis) {
                out.add(new Failed(h.path("id").asLong(), trigger, h.path("failure_message").asText("")));
            }
        }
        out.sort((a, b) -> Long.compare(a.id(), b.id()));
        return out;
    }

    /** The JSON at {@code path}; empty on 404. */
    private Optional<JsonNode> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(rest.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw new IOException("GET " + request.uri() + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return Optional.of(JSON.readTree(response.body()));
    }
}
