package io.streamssl.pipeline.program;

import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import io.streamssl.pipeline.job.JobFlinkConfiguration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code run} as the job jar's program: what {@code flink run streamssl-job.jar run …} and application mode (the
 * FlinkDeployment's {@code args}) execute. It builds the job on the environment Flink installed (or an embedded
 * local one when started as a plain {@code java} program), then follows it or returns, as {@link LaunchMode} allows.
 * The CLI's {@code ./streamssl run} extends it with submission to a session cluster from outside.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the training job against an existing Kafka (kafka.bootstrap-servers). Topics must exist:"
                + " images, metrics, snapshots, images.dlq (names configurable).",
                "",
                "Under Flink's CLI, `flink run JAR run ...`, this command is the job's program: the job goes where"
                        + " `flink run` sends it. Started as a plain Java program, it runs on an embedded local Flink.",
                "",
                "It then follows the job on the metrics topic (reachable from here at kafka.bootstrap-servers),"
                        + " prints progress, stops the job with a savepoint at --max-steps or on Ctrl-C, and prints"
                        + " the summary. Detached (--detach, `flink run -d`, application mode) it submits and returns."})
public class RunCommand implements Callable<Integer> {

    @Mixin
    protected JobOptions job;

    @Option(names = "--detach",
            description = "Submit and return without following: the job runs until stopped, e.g. `flink stop"
                    + " --savepointPath DIR JOB_ID`. Needs a cluster (`./streamssl run --cluster` or `flink run`);"
                    + " implied by `flink run -d` and application mode.")
    protected boolean detach;

    @Option(names = "--run-id", paramLabel = "ID",
            description = "The run_id of this run's metrics records (default: a random UUID).")
    protected String runId;

    @Override
    public Integer call() throws Exception {
        JobConfig config = job.load(Map.of());
        if (!config.contains(StreamsslOptions.BOOTSTRAP_SERVERS)) {
            throw new IllegalArgumentException("config key 'kafka.bootstrap-servers' is required for `run`"
                    + " (e.g. --set kafka.bootstrap-servers=localhost:9092); `streamssl demo` brings its own broker");
        }
        LaunchMode mode = LaunchMode.current();
        // under application mode the JobManager (with HA, the Kubernetes operator's last-state) restores the job
        AutoResume resume = mode == LaunchMode.FLINK_APPLICATION ? null
                : AutoResume.prepare(config, job.fresh(), System.out);
        if (resume != null) {
            config = resume.config();
        }
        StreamExecutionEnvironment env = environment(config, mode); // checks the arguments first
        // a wrong address or a missing topic fails here, naming the key, rather than in a job that keeps restarting
        new KafkaStartupCheck(config, config.kafkaClientProperties(), KafkaStartupCheck.TIMEOUT).check()
                .forEach(System.out::println);
        String id = runId != null ? runId : UUID.randomUUID().toString();
        JobRunner runner = new JobRunner(env, config, id, System.out);
        if (resume != null) {
            runner.onSubmitted(resume::submitted);
        }
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

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for the embedded Flink's REST endpoint", e);
        }
    }

    /** The environment the job is built on: Flink's context environment, or an embedded local one. */
    protected StreamExecutionEnvironment environment(JobConfig config, LaunchMode mode) {
        if (detach && mode == LaunchMode.STANDALONE) {
            throw new IllegalArgumentException("--detach needs --cluster HOST:PORT: without it the job runs on a"
                    + " Flink inside this process, which ends with it");
        }
        Configuration flink = JobFlinkConfiguration.of(config);
        if (mode == LaunchMode.STANDALONE) {
            // a known REST port for the embedded Flink, where JobRunner reads the job's failure causes
            int port = freePort();
            flink.set(RestOptions.PORT, port);
            flink.set(RestOptions.BIND_PORT, Integer.toString(port));
        }
        return StreamExecutionEnvironment.getExecutionEnvironment(flink);
    }
}
