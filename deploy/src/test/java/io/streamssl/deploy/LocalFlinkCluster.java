package io.streamssl.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.taskexecutor.TaskManagerRunner;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;
import org.apache.flink.util.FileUtils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Flink 2.2 session cluster of separate JVMs on this machine — one JobManager
 * ({@link StandaloneSessionClusterEntrypoint}) and N TaskManagers ({@link TaskManagerRunner}) with one slot each —
 * started the way {@code bin/jobmanager.sh} and {@code bin/taskmanager.sh} start them, from what the deploy module
 * built: {@code target/flink-dist-lib} (Flink from Maven Central, standing in for a distribution's {@code lib/}) plus
 * {@code target/flink-lib} (DJL and the PyTorch natives, as on a real cluster).
 *
 * <p>A JUnit extension: registered as a static field it starts before all tests and stops every process after
 * them, and also from a JVM shutdown hook; a failed test gets the tail of every process's log. The logs stay in
 * {@code target/cluster-it/logs}.
 */
final class LocalFlinkCluster implements BeforeAllCallback, AfterAllCallback, AfterTestExecutionCallback {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LOG_CONFIG = String.join("\n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.out.ref = out",
            "appender.out.name = out",
            "appender.out.type = Console",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-40.40c{1.} [%t] %m%n",
            "logger.kafka.name = org.apache.kafka",
            "logger.kafka.level = WARN",
            "");

    private final int taskManagers;
    private final Path work;
    private final Path distLib;
    private final Path clusterLib;
    private final List<String> jvmFlags;
    private final String djlCache;
    private final List<ClusterProcess> processes = new CopyOnWriteArrayList<>();
    private final Map<String, ClusterProcess> taskManagerById = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Thread shutdownHook = new Thread(this::stopAll, "local-flink-cluster-stop");
    private Configuration config;
    private List<String> jobManagerCommand;
    private ClusterProcess jobManager;
    private long startNanos;
    private Duration startup;

    /** A cluster whose paths and flags come from the failsafe configuration in deploy/pom.xml. */
    LocalFlinkCluster(int taskManagers) {
        this.taskManagers = taskManagers;
        this.work = Path.of(required("streamssl.cluster.work-dir")).toAbsolutePath();
        this.distLib = Path.of(required("streamssl.cluster.flink-dist-lib"));
        this.clusterLib = Path.of(required("streamssl.cluster.flink-lib"));
        this.jvmFlags = List.of(required("streamssl.cluster.jvm-flags").trim().split("\\s+"));
        this.djlCache = required("ENGINE_CACHE_DIR");
    }

    // ---- JUnit

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        context.getExecutionException().ifPresent(e -> System.out.println(logTails(80)));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stopAll();
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
    }

    // ---- lifecycle

    void start() throws Exception {
        startNanos = System.nanoTime();
        FileUtils.deleteDirectory(work.toFile());
        Files.createDirectories(work.resolve("conf"));
        Files.createDirectories(work.resolve("tmp"));
        config = configuration();
        new YAMLMapper().writeValue(work.resolve("conf/config.yaml").toFile(), config.toMap());
        Files.writeString(work.resolve("conf/log4j2.properties"), LOG_CONFIG);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            JobManagerProcessSpec jm = JobManagerProcessUtils.processSpecFromConfig(config);
            jobManagerCommand = java(JobManagerProcessUtils.generateJvmParametersStr(jm, config));
            jobManagerCommand.addAll(List.of(StandaloneSessionClusterEntrypoint.class.getName(), "--configDir",
                    confDir()));
            jobManagerCommand.addAll(split(JobManagerProcessUtils.generateDynamicConfigsStr(jm)));
            jobManager = ClusterProcess.start("jobmanager", jobManagerCommand, Map.of(), logFile("jobmanager"));
            processes.add(jobManager);

            TaskExecutorProcessSpec tm = TaskExecutorProcessUtils.processSpecFromConfig(config);
            for (int i = 1; i <= taskManagers; i++) {
                String id = "taskmanager-" + i;
                List<String> tmCommand = java(ProcessMemoryUtils.generateJvmParametersStr(tm));
                // DJL inside the TaskManager: offline, natives unpacked once into the shared cache (as in surefire)
                tmCommand.addAll(List.of("-Dai.djl.offline=true", "-DENGINE_CACHE_DIR=" + djlCache,
                        "-DDJL_CACHE_DIR=" + djlCache));
                tmCommand.addAll(List.of(TaskManagerRunner.class.getName(), "--configDir", confDir()));
                tmCommand.addAll(split(TaskExecutorProcessUtils.generateDynamicConfigsStr(tm)));
                // a fixed resource id: the REST API names the TaskManager of each task by it
                tmCommand.addAll(List.of("-D", TaskManagerOptions.TASK_MANAGER_RESOURCE_ID.key() + "=" + id));
                // libtorch's OpenMP threads spin otherwise (see ./streamssl)
                ClusterProcess p = ClusterProcess.start(id, tmCommand, Map.of("OMP_WAIT_POLICY", "PASSIVE",
                        // one instruction set on every CPU (see the parent pom)
                        "ONEDNN_MAX_CPU_ISA", "AVX2", "ATEN_CPU_CAPABILITY", "avx2", "MKL_CBWR", "AVX2"), logFile(id));
                processes.add(p);
                taskManagerById.put(id, p);
            }
            waitFor("the JobManager's REST endpoint and " + taskManagers + " registered TaskManagers",
                    Duration.ofMinutes(3), () -> answer("/taskmanagers")
                            .map(r -> r.path("taskmanagers").size() == taskManagers).orElse(false));
            startup = Duration.ofNanos(System.nanoTime() - startNanos);
        } catch (Exception | AssertionError e) {
            System.out.println(logTails(80));
            stopAll();
            throw e;
        }
    }

    /**
     * The cluster's config.yaml, from Flink's typed options (a renamed key fails compilation, not the cluster):
     * loopback, free ports, one slot per TaskManager, RocksDB, a fast restart and fast detection of a dead
     * TaskManager.
     */
    private Configuration configuration() throws IOException {
        Configuration c = new Configuration();
        c.set(JobManagerOptions.ADDRESS, "localhost");
        c.set(JobManagerOptions.BIND_HOST, "localhost");
        c.set(JobManagerOptions.PORT, freePort());
        c.set(RestOptions.ADDRESS, "localhost");
        c.set(RestOptions.BIND_ADDRESS, "localhost");
        c.set(RestOptions.PORT, freePort());
        c.set(TaskManagerOptions.HOST, "localhost");
        c.set(TaskManagerOptions.BIND_HOST, "localhost");
        c.set(TaskManagerOptions.NUM_TASK_SLOTS, 1);
        c.set(JobManagerOptions.TOTAL_PROCESS_MEMORY, MemorySize.parse("1g"));
        // libtorch and RocksDB allocate natively: the JVM's share can stay small
        c.set(TaskManagerOptions.TOTAL_PROCESS_MEMORY, MemorySize.parse("1536m"));
        c.set(TaskManagerOptions.MANAGED_MEMORY_FRACTION, 0.2f);
        c.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        c.set(CoreOptions.TMP_DIRS, work.resolve("tmp").toString());
        // restart a failed job after 1 s, a few times (exponential back-off would only slow the test down)
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        // a killed TaskManager stops answering heartbeat RPCs: after 2 failed ones 1 s apart it counts as lost.
        // The timeout proper stays generous: on 2 busy cores a live TaskManager can be slow to answer.
        c.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, Duration.ofSeconds(1));
        c.set(HeartbeatManagerOptions.HEARTBEAT_RPC_FAILURE_THRESHOLD, 2);
        c.set(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT, Duration.ofSeconds(20));
        return c;
    }

    /** Stops every process it started (SIGTERM, then SIGKILL). Safe to call twice. */
    void stopAll() {
        List<ClusterProcess> reversed = new ArrayList<>(processes);
        Collections.reverse(reversed);
        for (ClusterProcess p : reversed) {
            if (p.isAlive()) {
                p.stop(15);
            }
        }
    }

    // ---- processes

    /** The running JobManager process. */
    ClusterProcess jobManager() {
        return jobManager;
    }

    /**
     * Starts a new JobManager with the same configuration (addresses and ports), once the previous one is dead,
     * and waits until its REST endpoint answers and every live TaskManager has registered with it again. Without
     * high availability it knows no job of its predecessor.
     */
    void restartJobManager() throws Exception {
        if (jobManager.isAlive()) {
            throw new AssertionError("the JobManager (pid " + jobManager.pid() + ") still runs");
        }
        int restart = (int) processes.stream().filter(p -> p.name().startsWith("jobmanager")).count() + 1;
        String name = "jobmanager-" + restart;
        jobManager = ClusterProcess.start(name, jobManagerCommand, Map.of(), logFile(name));
        processes.add(jobManager);
        long alive = taskManagerById.values().stream().filter(ClusterProcess::isAlive).count();
        waitFor("the new JobManager's REST endpoint and " + alive + " registered TaskManagers", Duration.ofMinutes(3),
                () -> answer("/taskmanagers").map(r -> r.path("taskmanagers").size() == alive).orElse(false));
    }

    /** A TaskManager by resource id ({@code taskmanager-N}). */
    ClusterProcess taskManager(String resourceId) {
        ClusterProcess p = taskManagerById.get(resourceId);
        if (p == null) {
            throw new AssertionError("no TaskManager '" + resourceId + "' among " + taskManagerById.keySet());
        }
        return p;
    }

    /**
     * Runs Flink's CLI ({@code flink …}) against this cluster in its own JVM, as {@code bin/flink} does; the
     * process is stopped with the cluster if the test leaves it running.
     */
    ClusterProcess flinkCli(String name, List<String> args) throws IOException {
        List<String> command = java("");
        command.add("org.apache.flink.client.cli.CliFrontend");
        command.addAll(args);
        ClusterProcess p = ClusterProcess.start(name, command, Map.of("FLINK_CONF_DIR", confDir()), logFile(name));
        processes.add(p);
        return p;
    }

    private List<String> java(String memoryFlags) {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.addAll(jvmFlags);
        c.addAll(split(memoryFlags));
        c.add("-Dlog4j.configurationFile=" + work.resolve("conf/log4j2.properties").toUri());
        c.add("-cp");
        c.add(distLib.resolve("*") + java.io.File.pathSeparator + clusterLib.resolve("*"));
        return c;
    }

    // ---- REST

    URI restUri() {
        return URI.create("http://localhost:" + config.get(RestOptions.PORT));
    }

    /** {@code GET path} on the JobManager's REST API, as JSON. */
    JsonNode get(String path) {
        return send(HttpRequest.newBuilder(restUri().resolve(path)).GET(), path);
    }

    /** {@code PATCH path} (e.g. {@code /jobs/ID?mode=cancel}). */
    JsonNode patch(String path) {
        return send(HttpRequest.newBuilder(restUri().resolve(path)).method("PATCH", HttpRequest.BodyPublishers.noBody()),
                path);
    }

    /** {@code GET path} while the JobManager starts: empty until its REST endpoint answers 2xx. */
    private Optional<JsonNode> answer(String path) {
        try {
            return Optional.of(get(path));
        } catch (UncheckedIOException | AssertionError notYet) {
            return Optional.empty(); // not listening yet, or 503 during its leader election
        }
    }

    private JsonNode send(HttpRequest.Builder request, String path) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new AssertionError("REST " + path + ": HTTP " + r.statusCode() + " " + r.body());
            }
            return r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException("REST " + path + " at " + restUri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- facts

    Path workDir() {
        return work;
    }

    String restAddress() {
        return "localhost:" + config.get(RestOptions.PORT);
    }

    /** From the start of {@link #start()} to every TaskManager registered. */
    Duration startup() {
        return startup;
    }

    long startNanos() {
        return startNanos;
    }

    String logTails(int lines) {
        StringBuilder sb = new StringBuilder();
        for (ClusterProcess p : processes) {
            sb.append("\n===== last ").append(lines).append(" lines of ").append(p).append(" =====\n")
                    .append(p.tail(lines)).append('\n');
        }
        return sb.toString();
    }

    // ---- helpers of this class

    static void waitFor(String what, Duration timeout, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(250);
        }
    }

    private String confDir() {
        return work.resolve("conf").toString();
    }

    private Path logFile(String name) {
        return work.resolve("logs").resolve(name + ".log");
    }

    private static List<String> split(String flags) {
        String t = flags.trim();
        return t.isEmpty() ? new ArrayList<>() : new ArrayList<>(List.of(t.split("\\s+")));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set: run this test through"
                    + " Maven (deploy/pom.xml's failsafe configuration sets it)");
        }
        return v;
    }

}
