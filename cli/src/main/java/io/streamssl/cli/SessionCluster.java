package io.streamssl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.job.JobFlinkConfiguration;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A running Flink session cluster, addressed by its JobManager's REST endpoint ({@code rest.address:rest.port}):
 * where {@code streamssl run --cluster HOST:PORT} submits the job.
 */
public record SessionCluster(String host, int port) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** What the JobManager reports about itself ({@code GET /overview}). */
    public record Overview(String flinkVersion, int taskManagers, int slotsTotal, int slotsAvailable) {}

    public SessionCluster {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("--cluster needs HOST:PORT, the JobManager's REST address");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--cluster port " + port + " is not a TCP port (1-65535)");
        }
    }

    /** Parses {@code HOST:PORT} ({@code [v6-address]:PORT} for IPv6). */
    public static SessionCluster parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("--cluster '" + hostPort + "': expected HOST:PORT, the JobManager's REST"
                    + " address (rest.address:rest.port, e.g. localhost:8081)");
        }
        String host = hostPort.substring(0, colon).replaceAll("^\\[(.*)]$", "$1");
        try {
            return new SessionCluster(host, Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--cluster '" + hostPort + "': the port is not a number");
        }
    }

    public URI restUri() {
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
    }

    /**
     * Asks the JobManager for its overview: fails, naming the address and what to start, when nothing answers
     * there or what answers is not Flink's REST endpoint.
     */
    public Overview overview() {
        URI uri = restUri().resolve("/overview");
        HttpResponse<String> response;
        try {
            response = HttpClient.newBuilder().connectTimeout(TIMEOUT).build().send(
                    HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalArgumentException("no Flink REST endpoint answers at " + restUri() + " (" + e.getClass()
                    .getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "): a Flink "
                    + flinkMinor(EnvironmentInformation.getVersion()) + " session cluster must be running there"
                    + " (its JobManager's rest.address:rest.port), or pass the right --cluster HOST:PORT", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking " + uri, e);
        }
        if (response.statusCode() != 200) {
            throw new IllegalArgumentException(uri + " answered HTTP " + response.statusCode() + ": --cluster must be"
                    + " a Flink JobManager's REST address (rest.address:rest.port)");
        }
        try {
            JsonNode o = JSON.readTree(response.body());
            if (!o.hasNonNull("flink-version")) {
                throw new IOException("no flink-version field");
            }
            return new Overview(o.get("flink-version").asText(), o.path("taskmanagers").asInt(),
                    o.path("slots-total").asInt(), o.path("slots-available").asInt());
        } catch (IOException e) {
            throw new IllegalArgumentException(uri + " did not answer like a Flink JobManager (" + e.getMessage()
                    + "): --cluster must be its REST address (rest.address:rest.port)", e);
        }
    }

    /**
     * What a user should hear before submitting to a cluster with this overview: a Flink version other than
     * the one the job jar was built against, or no TaskManager to run on. Empty when all is well.
     */
    public static String warnings(Overview o, String clientVersion) {
        StringBuilder w = new StringBuilder();
        if (!flinkMinor(o.flinkVersion()).equals(flinkMinor(clientVersion))) {
            w.append("warning: the cluster runs Flink ").append(o.flinkVersion()).append(", streamssl is built for ")
                    .append(clientVersion).append(": the job may not start there\n");
        }
        if (o.taskManagers() == 0) {
            w.append("warning: no TaskManager has registered with the cluster yet: the job waits for a slot\n");
        }
        return w.toString();
    }

    private static String flinkMinor(String version) {
        String[] parts = version.split("\\.");
        return parts.length >= 2 ? parts[0] + "." + parts[1] : version;
    }

    /**
     * The environment that submits a job to this session cluster with {@code jobJar} (or the one {@link JobJar#locate}
     * finds), after printing the cluster's version warnings and what goes where: {@code run --cluster} and
     * {@code embed --cluster} submit this way.
     */
    StreamExecutionEnvironment submitting(Path jobJar, JobConfig config) {
        Path jar = JobJar.locate(jobJar);
        Overview overview = overview();
        System.out.print(warnings(overview, EnvironmentInformation.getVersion()));
        System.out.println("submitting " + jar + " to Flink " + overview.flinkVersion() + " at " + restUri() + " ("
                + overview.taskManagers() + " TaskManagers, " + overview.slotsAvailable() + " free slots)");
        return StreamExecutionEnvironment.createRemoteEnvironment(host, port, JobFlinkConfiguration.of(config),
                jar.toString());
    }
}
