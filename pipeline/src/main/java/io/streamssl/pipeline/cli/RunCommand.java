package io.streamssl.pipeline.cli;

import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import io.streamssl.pipeline.job.TrainingJob;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code streamssl run}: the training job against an existing Kafka, on an embedded Flink. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the training job against an existing Kafka (kafka.bootstrap-servers), on an embedded"
                + " local Flink. Topics must exist: images, metrics, snapshots, images.dlq (names configurable).")
public final class RunCommand implements Callable<Integer> {

    @Mixin
    JobOptions job;

    @Override
    public Integer call() throws Exception {
        JobConfig config = job.load(Map.of());
        if (!config.contains(StreamsslOptions.BOOTSTRAP_SERVERS)) {
            throw new IllegalArgumentException("config key 'kafka.bootstrap-servers' is required for `run`"
                    + " (e.g. --set kafka.bootstrap-servers=localhost:9092); `streamssl demo` brings its own broker");
        }
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(TrainingJob.flinkConfiguration(config));
        JobRunner.Summary s = new JobRunner(env, config, UUID.randomUUID().toString(), System.out).run();
        System.out.println(s.line());
        return 0;
    }
}
