package io.streamssl.pipeline.program;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamssl.connectors.KafkaClientProperties;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import io.streamssl.pipeline.job.JobFlinkConfiguration;
import io.streamssl.pipeline.job.TrainingJob;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Submits the training job and follows it through its metrics topic: prints one progress line, stops the job
 * with a savepoint once {@code trainer.max-steps} is reached (or on Ctrl-C), and returns the summary.
 *
 * <p>It reads the metrics topic with {@code read_uncommitted}, so it sees progress as the trainer makes it;
 * downstream consumers should read {@code read_committed} and see only checkpointed records.
 */
public final class JobRunner {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a finished run reports. */
    public record Summary(long steps, long images, double loss, Double probeAccuracy, String snapshot,
            String savepoint) {
        public String line() {
            return String.format(Locale.ROOT, "steps=%d images=%d loss=%.4f probe_acc=%s snapshot=%s", steps, images,
                    loss, probeAccuracy == null ? "n/a" : String.format(Locale.ROOT, "%.4f", probeAccuracy),
                    snapshot == null ? "none" : snapshot);
        }
    }

    private final StreamExecutionEnvironment env;
    private final JobConfig config;
    private final String runId;
    private final PrintStream console;
    private final boolean interactive;

    public JobRunner(StreamExecutionEnvironment env, JobConfig config, String runId, PrintStream console) {
        this.env = env;
        this.config = config;
        this.runId = runId;
        this.console = console;
        this.interactive = System.console() != null;
    }

    /**
     * Submits the job and returns without following it: for detached runs ({@code --detach}, {@code flink run -d},
     * application mode), where the job outlives this call and whoever stops it takes the savepoint.
     */
    public JobClient submit() throws Exception {
        TrainingJob.build(env, config, runId);
        return env.executeAsync(jobName());
    }

    /** Submits the job, follows it to {@code trainer.max-steps} and stops it with a savepoint. */
    public Summary run() throws Exception {
        TrainingJob.build(env, config, runId);
        long maxSteps = config.get(StreamsslOptions.MAX_STEPS);
        try (KafkaConsumer<byte[], byte[]> metrics = metricsConsumer()) {
            JobClient client = env.executeAsync(jobName());
            console.println("job " + client.getJobID() + " submitted (run " + runId + ")"
                    + (maxSteps > 0 ? ", stopping after " + maxSteps + " steps" : ", Ctrl-C stops it with a savepoint"));
            Thread hook = new Thread(() -> stopQuietly(client), "streamssl-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            JsonNode last = null;
            String snapshot = null;
            boolean finished = false;
            long lastStatusCheck = 0;
            JobStatus lastStatus = JobStatus.RUNNING;
            while (!finished) {
                for (ConsumerRecord<byte[], byte[]> r : metrics.poll(Duration.ofMillis(500))) {
                    JsonNode m = JSON.readTree(new String(r.value(), StandardCharsets.UTF_8));
                    if (!runId.equals(m.path("run_id").asText())) {
                        continue;
                    }
                    String event = m.path("event").asText();
                    if (event.equals("restored")) {
                        console.println("restored at step " + m.path("step").asLong());
                    }
                    if (!event.equals("metrics")) {
                        continue;
                    }
                    last = m;
                    if (m.hasNonNull("snapshot")) {
                        snapshot = m.get("snapshot").asText();
                    }
                    progress(m, maxSteps);
                    finished = m.path("finished").asBoolean(false);
                }
                if (System.nanoTime() - lastStatusCheck > TimeUnit.SECONDS.toNanos(2)) {
                    lastStatusCheck = System.nanoTime();
                    JobStatus status = client.getJobStatus().get(30, TimeUnit.SECONDS);
                    if (status != lastStatus && status != JobStatus.CREATED && status != JobStatus.INITIALIZING) {
                        // a restart (lost TaskManager, failed task) is otherwise silent until steps resume
                        console.println((interactive ? "\n" : "") + "job " + status.name().toLowerCase(Locale.ROOT)
                                + (status == JobStatus.RESTARTING ? ": a task failed, Flink restarts the job from its"
                                        + " last checkpoint" : ""));
                        lastStatus = status;
                    }
                    if (status.isGloballyTerminalState()) {
                        if (interactive) {
                            console.println();
                        }
                        // surfaces the job's failure cause
                        client.getJobExecutionResult().get();
                        throw new IllegalStateException("the job ended (" + status + ") before reaching max-steps");
                    }
                }
            }
            if (interactive) {
                console.println();
            }
            String savepoint = client.stopWithSavepoint(false, savepointDir(), SavepointFormatType.CANONICAL)
                    .get(5, TimeUnit.MINUTES);
            client.getJobExecutionResult().get(5, TimeUnit.MINUTES);
            Runtime.getRuntime().removeShutdownHook(hook);
            console.println("stopped with savepoint " + savepoint);
            return new Summary(last.path("step").asLong(), last.path("images").asLong(), last.path("loss").asDouble(),
                    last.hasNonNull("probe_acc") ? last.get("probe_acc").asDouble() : null, snapshot, savepoint);
        }
    }

    /** Where {@link #run()} and a detached job's stopper put savepoints: {@code <checkpoints.dir>/savepoints}. */
    public String savepointDir() {
        return JobFlinkConfiguration.uri(config.get(StreamsslOptions.CHECKPOINT_DIR)).replaceAll("/$", "") + "/savepoints";
    }

    private String jobName() {
        return "streamssl: " + config.get(StreamsslOptions.MODEL_NAME);
    }

    private void stopQuietly(JobClient client) {
        try {
            if (!client.getJobStatus().get(5, TimeUnit.SECONDS).isGloballyTerminalState()) {
                console.println("\nstopping with a savepoint …");
                String sp = client.stopWithSavepoint(false, savepointDir(), SavepointFormatType.CANONICAL)
                        .get(2, TimeUnit.MINUTES);
                console.println("savepoint: " + sp + " (resume with --set checkpoints.restore-from=" + sp + ")");
            }
        } catch (Exception e) {
            console.println("could not stop with a savepoint: " + e.getMessage());
        }
    }

    private void progress(JsonNode m, long maxSteps) {
        String line = String.format(Locale.ROOT, "step %d%s | loss %.4f | %.1f img/s (in steps %.1f) | lr %.4f%s | probe %s%s",
                m.path("step").asLong(), maxSteps > 0 ? "/" + maxSteps : "", m.path("loss").asDouble(),
                m.path("images_per_s").asDouble(), m.path("train_images_per_s").asDouble(),
                m.path("learning_rate").asDouble(),
                m.has("tau") ? String.format(Locale.ROOT, " | tau %.4f", m.get("tau").asDouble()) : "",
                m.hasNonNull("probe_acc") ? String.format(Locale.ROOT, "%.1f%%", 100 * m.get("probe_acc").asDouble())
                        : "n/a",
                m.hasNonNull("snapshot") ? " | snapshot " + m.get("snapshot").asText().replaceAll(".*/", "") : "");
        if (interactive) {
            console.print("\r" + line + "   ");
            console.flush();
        } else {
            console.println(line);
        }
    }

    private KafkaConsumer<byte[], byte[]> metricsConsumer() {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(
                KafkaClientProperties.of(config.get(StreamsslOptions.BOOTSTRAP_SERVERS)).consumer(IsolationLevel.READ_UNCOMMITTED));
        String topic = config.get(StreamsslOptions.METRICS_TOPIC);
        List<PartitionInfo> parts = c.partitionsFor(topic, Duration.ofSeconds(30));
        if (parts == null || parts.isEmpty()) {
            c.close();
            throw new IllegalArgumentException("metrics topic '" + topic + "' does not exist at "
                    + config.get(StreamsslOptions.BOOTSTRAP_SERVERS) + ": create it (see README \"Topics\")");
        }
        List<TopicPartition> tps = parts.stream().map(pi -> new TopicPartition(topic, pi.partition())).toList();
        c.assign(tps);
        c.seekToEnd(tps);
        tps.forEach(c::position); // resolve the end now, before the job writes
        return c;
    }
}
