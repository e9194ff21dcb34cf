package io.streamssl.pipeline.program;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.connectors.kafka.EmbeddedKafka;
import io.streamssl.pipeline.config.JobConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job that fails the same way on every attempt — its images topic is missing, so the Kafka source's enumerator
 * fails at each start — is cancelled by {@code run} after {@code job.max-restarts-same-cause} restarts, with the
 * root cause printed for each failure and in the error, instead of restarting forever behind "a task failed".
 */
class RepeatedFailureITCase {

    @TempDir
    Path work;

    @Test
    void aJobFailingForTheSameCauseIsStoppedWithThatCause() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"))) {
            kafka.createTopics(1, "metrics", "snapshots", "images.dlq"); // no "images"
            JobConfig config = JobConfig.of(Map.of("kafka.bootstrap-servers", kafka.bootstrapServers(),
                    "trainer.width", "8", "trainer.batch-size", "8", "trainer.device", "cpu",
                    "checkpoints.dir", work.resolve("checkpoints").toString(),
                    "snapshots.dir", work.resolve("snapshots").toString(),
                    "job.max-restarts-same-cause", "2"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream console = new PrintStream(out, true, StandardCharsets.UTF_8);
            JobRunner runner = new JobRunner(new RunCommand().environment(config, LaunchMode.STANDALONE), config,
                    "repeated-failure", console);

            assertThatThrownBy(runner::run).isInstanceOf(JobStoppedException.class)
                    .hasMessageContaining("failed 3 times in a row with the same root cause")
                    .hasMessageContaining("UnknownTopicOrPartitionException")
                    .hasMessageContaining("job.max-restarts-same-cause=2");

            String printed = out.toString(StandardCharsets.UTF_8);
            assertThat(printed.lines().filter(l -> l.startsWith("job failed: ")))
                    .hasSize(3)
                    .allSatisfy(l -> assertThat(l).contains("UnknownTopicOrPartitionException"));
        }
    }
}
