package io.streamssl.cli;

import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.program.LaunchMode;
import java.nio.file.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code streamssl embed}: the job jar's {@code embed} program (an embedded local Flink by default) plus submission
 * from outside to a session cluster ({@code --cluster}) with the job jar, as {@code streamssl run --cluster}.
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
                        + " to a Flink 2.2 session cluster with the job jar, as `streamssl run --cluster`. It prints"
                        + " the snapshot in use and the embeddings written until --max-images or Ctrl-C. Its"
                        + " checkpoints go to <checkpoints.dir>-embed unless --checkpoints-dir is given; a new job"
                        + " starts at the image group's committed offsets (embed.group-id) unless"
                        + " kafka.starting-offsets is set."})
public final class EmbedCommand extends io.streamssl.pipeline.program.EmbedCommand {

    @Option(names = "--cluster", paramLabel = "HOST:PORT",
            description = "Submit to this Flink session cluster: its JobManager's REST address (rest.address:rest.port,"
                    + " e.g. localhost:8081).")
    String cluster;

    @Option(names = "--job-jar", paramLabel = "PATH",
            description = "With --cluster: the job jar to send (default as for `streamssl run --cluster`).")
    Path jobJar;

    @Override
    protected void checkOptions(LaunchMode mode) {
        if (jobJar != null && cluster == null) {
            throw new IllegalArgumentException("--job-jar goes with --cluster");
        }
        if (cluster == null) {
            super.checkOptions(mode);
            return;
        }
        if (mode.isFlinkProgram()) {
            throw new IllegalArgumentException("--cluster submits from outside a cluster; under Flink's CLI the job"
                    + " goes where `flink run` sends it: drop --cluster");
        }
        SessionCluster.parse(cluster); // a malformed address fails before anything is contacted
    }

    @Override
    protected StreamExecutionEnvironment environment(JobConfig config, LaunchMode mode) {
        if (cluster == null) {
            return super.environment(config, mode);
        }
        return SessionCluster.parse(cluster).submitting(jobJar, config);
    }
}
