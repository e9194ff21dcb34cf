package io.streamssl.pipeline.program;

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
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.RestOptions;

/**
 * A job's failures as its JobManager records them ({@code GET /jobs/<id>/exceptions}, Flink's REST API): what
 * {@code run} prints when the job restarts, instead of only "a task failed".
 */
public final class JobExceptionHistory {

    /** One failure: when, and its root cause as {@code Class: message} (the innermost "Caused by"). */
    public record Failure(long timestamp, String rootCause) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final URI rest;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    public JobExceptionHistory(URI rest) {
        this.rest = rest;
    }

    /**
     * The REST endpoint of the cluster that {@code programConfig} submits to: {@code rest.address} (else the
     * JobManager's address, else localhost) and {@code rest.port}, as Flink's own client finds it. Empty when
     * {@code rest.bind-port} is set to other than {@code rest.port} (a local cluster on a free port, {@code "0"},
     * or a range): the port it binds is then known to the cluster only, and {@code rest.port}'s 8081 may be another
     * cluster's (a demo running beside), whose answers would be about other jobs.
     */
    public static Optional<URI> restUri(ReadableConfig programConfig) {
        String port = Integer.toString(programConfig.get(RestOptions.PORT));
        if (!programConfig.getOptional(RestOptions.BIND_PORT).map(port::equals).orElse(true)) {
            return Optional.empty();
        }
        String host = programConfig.getOptional(RestOptions.ADDRESS)
                .orElse(programConfig.getOptional(JobManagerOptions.ADDRESS).orElse("localhost"));
        return Optional.of(URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port));
    }

    /** The job's failures, newest first; empty when the endpoint does not answer (a restart is then only named). */
    public List<Failure> failures(String jobId) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(rest.resolve("/jobs/" + jobId
                    + "/exceptions?maxExceptions=20")).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? parse(r.body()) : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** The failures of a {@code /jobs/<id>/exceptions} answer, newest first. */
    static List<Failure> parse(String body) throws IOException {
        List<Failure> out = new ArrayList<>();
        for (JsonNode e : JSON.readTree(body).path("exceptionHistory").path("entries")) {
            out.add(new Failure(e.path("timestamp").asLong(), rootCause(e.path("exceptionName").asText(),
                    e.path("stacktrace").asText())));
        }
        out.sort((a, b) -> Long.compare(b.timestamp(), a.timestamp()));
        return out;
    }

    /**
     * The innermost cause of a Java stack trace, {@code Class: message}, with the message's first line only and the
     * class without its package; {@code exceptionName} when the trace names no cause.
     */
    static String rootCause(String exceptionName, String stacktrace) {
        String first = stacktrace.lines().findFirst().orElse(exceptionName);
        String root = first;
        List<String> lines = stacktrace.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("Caused by: ")) {
                root = lines.get(i).substring("Caused by: ".length());
            }
        }
        int colon = root.indexOf(": ");
        String type = colon < 0 ? root : root.substring(0, colon);
        String message = colon < 0 ? "" : root.substring(colon);
        return type.substring(type.lastIndexOf('.') + 1) + message;
    }
}
