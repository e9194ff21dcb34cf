package io.streamssl.pipeline.cli;

import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import io.streamssl.pipeline.job.TrainingJob;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streamssl run}: the training job against an existing Kafka — on an embedded Flink, on a session cluster
 * ({@code --cluster}), or as the program of {@code flink run} / application mode.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the training job against an existing Kafka (kafka.bootstrap-servers). Topics must exist:"
                + " images, metrics, snapshots, images.dlq (names configurable).",
                "",
                "By default the job runs on an embedded local Flink in this process. With --cluster HOST:PORT it goes"
                        + " to a running Flink 2.2 session cluster through its JobManager's REST endpoint, with the job"
                        + " jar (--job-jar); the cluster's lib/ must hold DJL and the PyTorch natives"
                        + " (deploy/target/flink-lib, see README \"Run on a cluster\"). Under Flink's own CLI,"
                        + " `flink run JAR run ...`, this command is the job's program.",
                "",
                "It then follows the job on the metrics topic (reachable from here at kafka.bootstrap-servers),"
                        + " prints progress, stops the job with a savepoint at --max-steps or on Ctrl-C, and prints"
                        + " the summary. Detached (--detach, `flink run -d`, application mode) it submits and returns."})
public final class RunCommand implements Callable<Integer> {

    @Mixin
    JobOptions job;

    @Option(names = "--cluster", paramLabel = "HOST:PORT",
            description = "Submit to this Flink session cluster: its JobManager's REST address (rest.address:rest.port,"
                    + " e.g. localhost:8081).")
    String cluster;

    @Option(names = "--job-jar", paramLabel = "PATH",
            description = "With --cluster: the job jar to send (default: the jar this CLI runs from, else "
                    + "deploy/target/flink-usrlib/streamssl-job.jar; `mvn -B -DskipTests package` builds it).")
    Path jobJar;

    @Option(names = "--detach",
            description = "Submit and return without following: the job runs until stopped, e.g. `flink stop"
                    + " --savepointPath DIR JOB_ID`. Needs --cluster or `flink run`; implied by `flink run -d` and"
                    + " application mode.")
    boolean detach;

    @Option(names = "--run-id", paramLabel = "ID",
            description = "The run_id of this run's metrics records (default: a random UUID).")
    String runId;

    @Override
    public Integer call() throws Exception {
        JobConfig config = job.load(Map.of());
        if (!config.contains(StreamsslOptions.BOOTSTRAP_SERVERS)) {
            throw new IllegalArgumentException("config key 'kafka.bootstrap-servers' is required for `run`"
                    + " (e.g. --set kafka.bootstrap-servers=localhost:9092); `streamssl demo` brings its own broker");
        }
        LaunchMode mode = LaunchMode.current();
        StreamExecutionEnvironment env;
        if (cluster != null) {
            if (mode.isFlinkProgram()) {
                throw new IllegalArgumentException("--cluster submits from outside a cluster; under Flink's CLI the job"
                        + " goes where `flink run` sends it (its -m / rest.address): drop --cluster");
            }
            SessionCluster target = SessionCluster.parse(cluster);
            Path jar = JobJar.locate(jobJar);
            SessionCluster.Overview overview = target.overview();
            System.out.print(SessionCluster.warnings(overview, EnvironmentInformation.getVersion()));
            System.out.println("submitting " + jar + " to Flink " + overview.flinkVersion() + " at " + target.restUri()
                    + " (" + overview.taskManagers() + " TaskManagers, " + overview.slotsAvailable() + " free slots)");
            env = StreamExecutionEnvironment.createRemoteEnvironment(target.host(), target.port(),
                    TrainingJob.flinkConfiguration(config), jar.toString());
        } else {
            if (jobJar != null) {
                throw new IllegalArgumentException("--job-jar goes with --cluster (`flink run` takes the jar itself)");
            }
            if (detach && mode == LaunchMode.STANDALONE) {
                throw new IllegalArgumentException("--detach needs --cluster HOST:PORT: without it the job runs on a"
                        + " Flink inside this process, which ends with it");
            }
            env = StreamExecutionEnvironment.getExecutionEnvironment(TrainingJob.flinkConfiguration(config));
        }
        String id = runId != null ? runId : UUID.randomUUID().toString();
        JobRunner runner = new JobRunner(env, config, id, System.out);
        if (detach || !mode.mayFollow()) {
            JobClient client = runner.submit();
            System.out.println("job " + client.getJobID() + " submitted (run " + id + "), detached: it runs until"
                    + " stopped. Stop it with a savepoint: flink stop --savepointPath " + runner.savepointDir() + " "
                    + client.getJobID() + (config.get(StreamsslOptions.MAX_STEPS) > 0
                            ? " (at trainer.max-steps the trainer stops training; the job keeps running)" : ""));
            return 0;
        }
        JobRunner.Summary s = runner.run();
        System.out.println(s.line());
        return 0;
    }
}
