package io.streamssl.cli;

import io.streamssl.models.GpuRequirement;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import io.streamssl.pipeline.program.LaunchMode;
import java.nio.file.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code streamssl run}: the job jar's {@code run} program plus submission from outside to a session cluster
 * ({@code --cluster}), with the job jar ({@code --job-jar}).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the training job against an existing Kafka (kafka.bootstrap-servers). Topics must exist:"
                + " images, metrics, snapshots, images.dlq (names configurable).",
                "",
                "By default the job runs on an embedded local Flink in this process. With --cluster HOST:PORT it goes"
                        + " to a running Flink 2.2 session cluster through its JobManager's REST endpoint, with the job"
                        + " jar (--job-jar); the cluster's lib/ must hold DJL and the PyTorch natives"
                        + " (deploy/target/flink-lib, see README \"Run on a cluster\"). Under Flink's own CLI,"
                        + " `flink run JAR run ...`, the job jar's own `run` is the job's program.",
                "",
                "It then follows the job on the metrics topic (reachable from here at kafka.bootstrap-servers),"
                        + " prints progress, stops the job with a savepoint at --max-steps or on Ctrl-C, and prints"
                        + " the summary. Detached (--detach, `flink run -d`, application mode) it submits and returns."})
public final class RunCommand extends io.streamssl.pipeline.program.RunCommand {

    @Option(names = "--cluster", paramLabel = "HOST:PORT",
            description = "Submit to this Flink session cluster: its JobManager's REST address (rest.address:rest.port,"
                    + " e.g. localhost:8081).")
    String cluster;

    @Option(names = "--job-jar", paramLabel = "PATH",
            description = "With --cluster: the job jar to send (default: " + "deploy/target/flink-usrlib/streamssl-job.jar,"
                    + " else pipeline/target/streamssl-pipeline-*-job.jar; `mvn -B -DskipTests package` builds them).")
    Path jobJar;

    @Override
    protected StreamExecutionEnvironment environment(JobConfig config, LaunchMode mode) {
        if (cluster == null) {
            if (jobJar != null) {
                throw new IllegalArgumentException("--job-jar goes with --cluster (`flink run` takes the jar itself)");
            }
            if (!mode.isFlinkProgram()) {
                // the embedded Flink trains in this JVM: a missing GPU fails here, before Kafka is read
                GpuRequirement.check(config.get(StreamsslOptions.DEVICE));
            }
            return super.environment(config, mode);
        }
        if (mode.isFlinkProgram()) {
            throw new IllegalArgumentException("--cluster submits from outside a cluster; under Flink's CLI the job"
                    + " goes where `flink run` sends it (its -m / rest.address): drop --cluster");
        }
        return SessionCluster.parse(cluster).submitting(jobJar, config);
    }
}
