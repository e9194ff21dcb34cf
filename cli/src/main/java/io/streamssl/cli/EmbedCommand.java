package io.streamssl.cli;

import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import io.streamssl.pipeline.embed.EmbedRunner;
import io.streamssl.pipeline.job.JobFlinkConfiguration;
import io.streamssl.pipeline.program.KafkaStartupCheck;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streamssl embed}: the embed job ({@code io.streamssl.pipeline.embed.EmbedJob}) on an embedded local Flink, or
 * on a session cluster with {@code --cluster}; it follows the embeddings topic and prints progress.
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = {"Embed the images of an images topic with the newest committed snapshot of a training job"
                + " and write the embeddings to a topic (embed.output-topic, default embeddings): key = image id,"
                + " value = float32 little-endian, headers snapshot-step, snapshot-sha256, model, method.",
                "",
                "Reads kafka.images-topic and the training job's kafka.snapshots-topic (read_committed) at"
                        + " kafka.bootstrap-servers, e.g. the address `streamssl demo` prints; the snapshot directories"
                        + " the announcements name must be readable here (or on the cluster). Images that come before"
                        + " any snapshot wait for the first one. Exactly once: read the output read_committed.",
                "",
                "By default the job runs on an embedded local Flink in this process; with --cluster HOST:PORT it goes"
                        + " to a Flink session cluster with the job jar, as `streamssl run --cluster`. Its checkpoints go"
                        + " to <checkpoints.dir>-embed unless --checkpoints-dir is given; a new job starts at the image"
                        + " group's committed offsets (embed.group-id) unless kafka.starting-offsets is set."})
public final class EmbedCommand implements Callable<Integer> {

    @Mixin
    JobConfigOptions job;

    @Option(names = "--cluster", paramLabel = "HOST:PORT",
            description = "Submit to this Flink session cluster: its JobManager's REST address (rest.address:rest.port,"
                    + " e.g. localhost:8081).")
    String cluster;

    @Option(names = "--job-jar", paramLabel = "PATH",
            description = "With --cluster: the job jar to send (default as for `streamssl run --cluster`).")
    Path jobJar;

    @Option(names = "--max-images", paramLabel = "N", defaultValue = "0",
            description = "Stop after N committed embeddings (default: ${DEFAULT-VALUE} = run until Ctrl-C).")
    long maxImages;

    @Option(names = "--checkpoints-dir", paramLabel = "DIR",
            description = "The embed job's checkpoints (default: the config's checkpoints.dir with -embed appended).")
    String checkpointsDir;

    @Option(names = "--detach", description = "With --cluster: submit and return; the job runs until cancelled.")
    boolean detach;

    @Override
    public Integer call() throws Exception {
        if (maxImages < 0) {
            throw new IllegalArgumentException("--max-images must be >= 0 (0 = until Ctrl-C), got " + maxImages);
        }
        if (jobJar != null && cluster == null) {
            throw new IllegalArgumentException("--job-jar goes with --cluster");
        }
        if (detach && cluster == null) {
            throw new IllegalArgumentException("--detach needs --cluster HOST:PORT: without it the job runs on a Flink"
                    + " inside this process, which ends with it");
        }
        if (cluster != null) {
            SessionCluster.parse(cluster); // a malformed address fails before anything is contacted
        }
        JobConfig config = config(job.load(), checkpointsDir);
        if (!config.contains(StreamsslOptions.BOOTSTRAP_SERVERS)) {
            throw new IllegalArgumentException("config key 'kafka.bootstrap-servers' is required for `embed`: the"
                    + " training job's Kafka (e.g. --set kafka.bootstrap-servers=localhost:9092, or the address"
                    + " `streamssl demo` prints)");
        }
        new KafkaStartupCheck(config, config.kafkaClientProperties(), java.time.Duration.ofSeconds(10)).check()
                .forEach(System.out::println);
        EmbedRunner runner = new EmbedRunner(environment(config), config, System.out);
        if (detach) {
            JobClient client = runner.submit();
            System.out.println("embed job " + client.getJobID() + " submitted, detached: it runs until cancelled"
                    + " (flink cancel " + client.getJobID() + ")");
            return 0;
        }
        runner.run(maxImages);
        return 0;
    }

    /** The user's config with the embed job's own checkpoint directory and, unless set, committed offsets. */
    static JobConfig config(JobConfig user, String checkpointsDir) {
        Map<String, String> over = new LinkedHashMap<>();
        over.put(StreamsslOptions.CHECKPOINT_DIR.key(), checkpointsDir != null ? checkpointsDir
                : user.get(StreamsslOptions.CHECKPOINT_DIR).replaceAll("/+$", "") + "-embed");
        if (!user.contains(StreamsslOptions.STARTING_OFFSETS)) {
            over.put(StreamsslOptions.STARTING_OFFSETS.key(), "committed");
        }
        return user.with(over);
    }

    private StreamExecutionEnvironment environment(JobConfig config) {
        Configuration flink = JobFlinkConfiguration.of(config);
        if (cluster == null) {
            return StreamExecutionEnvironment.getExecutionEnvironment(flink);
        }
        SessionCluster target = SessionCluster.parse(cluster);
        Path jar = JobJar.locate(jobJar);
        SessionCluster.Overview overview = target.overview();
        System.out.print(SessionCluster.warnings(overview, EnvironmentInformation.getVersion()));
        System.out.println("submitting " + jar + " to Flink " + overview.flinkVersion() + " at " + target.restUri()
                + " (" + overview.taskManagers() + " TaskManagers, " + overview.slotsAvailable() + " free slots)");
        return StreamExecutionEnvironment.createRemoteEnvironment(target.host(), target.port(), flink, jar.toString());
    }
}
