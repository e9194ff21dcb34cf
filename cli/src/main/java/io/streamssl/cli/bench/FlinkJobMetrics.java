package io.streamssl.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Operator metrics of a running job, summed over a vertex's subtasks, from the cluster's REST API
 * ({@code GET /jobs/:jobid/vertices/:vertexid/subtasks/metrics?get=…&agg=sum}): the figures the web UI shows.
 *
 * <pre>{@code
 * FlinkJobMetrics m = new FlinkJobMetrics(cluster.getRestAddress().get(), jobId.toHexString());
 * OptionalLong in = m.sum("decode + augment", "records_in");
 * }</pre>
 *
 * Operator metrics are named {@code <operator name>.<metric>} there (Flink replaces some characters of the
 * name); a metric is found by its suffix {@code .<metric>} among the vertex's metric ids. The values are as fresh
 * as {@code metrics.fetcher.update-interval}; one request reads one fetch of the TaskManager's metrics.
 */
public final class FlinkJobMetrics {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI rest;
    private final String jobId;
    private final Map<String, String> vertexIds = new HashMap<>();

    public FlinkJobMetrics(URI rest, String jobId) {
        this.rest = rest;
        this.jobId = jobId;
    }

    /** The sum over the subtasks of the vertex named like {@code vertexNamePart} of metric {@code metric}. */
    public OptionalLong sum(String vertexNamePart, String metric) throws IOException, InterruptedException {
        Optional<String> vertex = vertexId(vertexNamePart);
        if (vertex.isEmpty()) {
            return OptionalLong.empty(); // the job is still being initialised
        }
        String base = "/jobs/" + jobId + "/vertices/" + vertex.get() + "/subtasks/metrics";
        List<String> ids = new ArrayList<>();
        for (JsonNode m : get(base)) {
            String id = m.path("id").asText();
            if (id.equals(metric) || id.endsWith("." + metric)) {
                ids.add(id);
            }
        }
        if (ids.isEmpty()) {
            return OptionalLong.empty(); // not registered (yet): the tasks are starting
        }
        JsonNode values = get(base + "?agg=sum&get=" + URLEncoder.encode(String.join(",", ids),
                StandardCharsets.UTF_8));
        long total = 0;
        for (JsonNode v : values) {
            total += Math.round(v.path("sum").asDouble());
        }
        return OptionalLong.of(total);
    }

    /** The vertex's id; empty while the job has no vertices yet (just submitted). */
    private Optional<String> vertexId(String namePart) throws IOException, InterruptedException {
        String cached = vertexIds.get(namePart);
        if (cached != null) {
            return Optional.of(cached);
        }
        List<String> names = new ArrayList<>();
        for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
            if (v.path("name").asText().contains(namePart)) {
                vertexIds.put(namePart, v.path("id").asText());
                return Optional.of(v.path("id").asText());
            }
            names.add(v.path("name").asText());
        }
        if (names.isEmpty()) {
            return Optional.empty();
        }
        throw new IllegalStateException("job " + jobId + " has no vertex named like '" + namePart + "': " + names);
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(rest.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + request.uri() + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return JSON.readTree(response.body());
    }
}
