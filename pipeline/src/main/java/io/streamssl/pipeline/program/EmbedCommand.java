package io.streamssl.pipeline.program;

import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import io.streamssl.pipeline.embed.EmbedRunner;
import io.streamssl.pipeline.job.JobFlinkConfiguration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code embed} as the job jar's program ({@code flink run streamssl-job.jar embed …}, application mode): builds the
 * embed job ({@code io.streamssl.pipeline.embed.EmbedJob}) on the environment Flink installed, or on an embedded
 * local Flink when started as a plain Java program, then follows its output or returns, as {@link LaunchMode}
 * allows. The CLI's {@code ./streamssl embed} extends it with submission to a session cluster from outside.
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = {"Embed the images of an images topic with the newest committed snapshot of a training job"
                + " and write the embeddings to a topic (embed.output-topic, default embeddings): key = image id,"
                + " value = float32 little-endian, headers snapshot-step, snapshot-sha256, model, method.",
                "",
                "Reads kafka.images-topic and the training job's kafka.snapshots-topic (read_committed) at"
                        + " kafka.bootstrap-servers, e.g. the address `streamssl demo` prints; the snapshot directories"
                        + " the announcements name must be readable where the job runs. Images that come before any"
                        + " snapshot wait for the first one. Exactly once: read the output read_committed.",
                "",
                "It prints the snapshot in use and the embeddings written (read from the output topic) until"
                        + " --max-images or Ctrl-C. Its checkpoints go to <checkpoints.dir>-embed unless"
                        + " --checkpoints-dir is given; a new job starts at the image group's committed offsets"
                        + " (embed.group-id) unless kafka.starting-offsets is set."})
public class EmbedCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The job's config (YAML): kafka.* (bootstrap servers, topics, security), embed.*,"
                    + " checkpoints.*, augment.max-image-* are used.")
    protected Path config;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
            description = "Override a config key, e.g. --set embed.batch-size=64 (repeatable).")
    protected Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--max-images", paramLabel = "N", defaultValue = "0",
            description = "Stop after N committed embeddings (default: ${DEFAULT-VALUE} = run until Ctrl-C).")
    protected long maxImages;

    @Option(names = "--checkpoints-dir", paramLabel = "DIR",
            description = "The embed job's checkpoints (default: the config's checkpoints.dir with -embed appended).")
    protected String checkpointsDir;

    @Option(names = "--detach", description = "Submit and return; the job runs until cancelled. Needs a cluster"
            + " (`./streamssl embed --cluster` or `flink run`); implied by `flink run -d` and application mode.")
    protected boolean detach;

    @Override
    public Integer call() throws Exception {
        if (maxImages < 0) {
            throw new IllegalArgumentException("--max-images must be >= 0 (0 = until Ctrl-C), got " + maxImages);
        }
        LaunchMode mode = LaunchMode.current();
        checkOptions(mode);
        JobConfig config = config(JobConfig.load(this.config, overrides), checkpointsDir);
        if (!config.contains(StreamsslOptions.BOOTSTRAP_SERVERS)) {
            throw new IllegalArgumentException("config key 'kafka.bootstrap-servers' is required for `embed`: the"
                    + " training job's Kafka (e.g. --set kafka.bootstrap-servers=localhost:9092, or the address"
                    + " `streamssl demo` prints)");
        }
        new KafkaStartupCheck(config, config.kafkaClientProperties(), KafkaStartupCheck.TIMEOUT).check()
                .forEach(System.out::println);
        EmbedRunner runner = new EmbedRunner(environment(config, mode), config, System.out);
        if (detach || !mode.mayFollow()) {
            JobClient client = runner.submit();
            System.out.println("embed job " + client.getJobID() + " submitted, detached: it runs until cancelled"
                    + " (flink cancel " + client.getJobID() + ")");
            return 0;
        }
        runner.optProgressEvery(Duration.ofSeconds(10)).run(maxImages);
        return 0;
    }

    /** Checks the launch options before anything is contacted. */
    protected void checkOptions(LaunchMode mode) {
        if (detach && mode == LaunchMode.STANDALONE) {
            throw new IllegalArgumentException("--detach needs --cluster HOST:PORT: without it the job runs on a Flink"
                    + " inside this process, which ends with it");
        }
    }

    /** The user's config with the embed job's own checkpoint directory and, unless set, committed offsets. */
    public static JobConfig config(JobConfig user, String checkpointsDir) {
        Map<String, String> over = new LinkedHashMap<>();
        over.put(StreamsslOptions.CHECKPOINT_DIR.key(), checkpointsDir != null ? checkpointsDir
                : user.get(StreamsslOptions.CHECKPOINT_DIR).replaceAll("/+$", "") + "-embed");
        if (!user.contains(StreamsslOptions.STARTING_OFFSETS)) {
            over.put(StreamsslOptions.STARTING_OFFSETS.key(), "committed");
        }
        return user.with(over);
    }

    /** The environment the job is built on: Flink's context environment, or an embedded local one. */
    protected StreamExecutionEnvironment environment(JobConfig config, LaunchMode mode) {
        Configuration flink = JobFlinkConfiguration.of(config);
        if (mode == LaunchMode.STANDALONE) {
            // any free port for the embedded Flink's REST endpoint: a training job (`demo`) may hold 8081
            flink.set(RestOptions.BIND_PORT, "0");
        }
        return StreamExecutionEnvironment.getExecutionEnvironment(flink);
    }
}
