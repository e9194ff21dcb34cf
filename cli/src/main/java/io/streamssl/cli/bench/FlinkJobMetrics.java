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
        Optional<Map<String, Long>> sums = sums(vertexNamePart, List.of(metric));
        return sums.isPresent() ? OptionalLong.of(sums.get().get(metric)) : OptionalLong.empty();
    }

    /**
     * The sums over the subtasks of several metrics of one vertex, read in one request and so from one fetch of
     * the TaskManager's metrics; empty while the job or one of the metrics is not registered yet.
     */
    public Optional<Map<String, Long>> sums(String vertexNamePart, List<String> metrics)
            throws IOException, InterruptedException {
        Optional<String> vertex = vertexId(vertexNamePart);
        if (vertex.isEmpty()) {
            return Optional.empty(); // the job is still being initialised
        }
        String base = "/jobs/" + jobId + "/vertices/" + vertex.get() + "/subtasks/metrics";
        Map<String, String> metricOfId = new HashMap<>();
        for (JsonNode m : get(base)) {
            String id = m.path("id").asText();
            for (String metric : metrics) {
                if (id.equals(metric) || id.endsWith("." + metric)) {
                    metricOfId.put(id, metric);
                }
            }
        }
        if (!metricOfId.values().containsAll(metrics)) {
            return Optional.empty(); // not registered (yet): the tasks are starting
        }
        JsonNode values = get(base + "?agg=sum&get=" + URLEncoder.encode(String.join(",", metricOfId.keySet()),
                StandardCharsets.UTF_8));
        Map<String, Long> totals = new HashMap<>();
        metrics.forEach(m -> totals.put(m, 0L));
        for (JsonNode v : values) {
            totals.merge(metricOfId.get(v.path("id").asText()), Math.round(v.path("sum").asDouble()), Long::sum);
        }
        return Optional.of(totals);
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
