package io.streamssl.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.event.CheckpointEvent;
import io.streamssl.connectors.event.MetricsEvent;
import io.streamssl.connectors.event.RestoredEvent;
import io.streamssl.connectors.event.TrainerRecord;
import io.streamssl.pipeline.program.JobRunner;
import io.streamssl.pipeline.config.JobConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A job cancelled after some checkpoints and restored from its last retained checkpoint continues the step
 * count where that checkpoint stood, with exactly the teacher weights that went into it; and the online
 * probe beats chance on the generated set.
 */
class RestoreITCase extends PipelineITBase {

    @BeforeAll
    static void produce() throws Exception {
        PipelineFixture.produce(kafka, new GeneratedShapes(1000, 5, 32), 4000);
    }

    @Test
    void restoredJobContinuesStepCountWithTheCheckpointedTeacher() throws Exception {
        Path checkpoints = work.resolve("checkpoints");
        Map<String, String> values = PipelineFixture.smallJob(kafka, work);
        values.put("checkpoints.dir", checkpoints.toString());
        JobConfig first = JobConfig.of(values);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(JobFlinkConfiguration.of(first));
        TrainingJob.build(env, first, "restore-1");
        JobClient job = env.executeAsync("restore-1");
        PipelineFixture.waitFor("a completed checkpoint after step 6", Duration.ofMinutes(3),
                () -> latestCheckpoint(checkpoints).map(p -> checkpointEvent(id(p)).map(e -> e.step() >= 6)
                        .orElse(false)).orElse(false));
        job.cancel().get();
        Path latest = latestCheckpoint(checkpoints).orElseThrow();
        CheckpointEvent checkpointed = checkpointEvent(id(latest)).orElseThrow();
        long step = checkpointed.step();
        System.out.println("restoring " + latest + " = " + checkpointed);

        values.put("checkpoints.restore-from", latest.toString());
        values.put("trainer.max-steps", Long.toString(step + 6));
        JobConfig second = JobConfig.of(values);
        JobRunner.Summary s = new JobRunner(
                StreamExecutionEnvironment.getExecutionEnvironment(JobFlinkConfiguration.of(second)), second,
                "restore-2", new PrintStream(System.out, true)).run();

        RestoredEvent restored = events("restore-2", RestoredEvent.class).get(0);
        assertThat(restored.step()).as("step restored").isEqualTo(step);
        assertThat(restored.teacherSha256()).as("teacher restored").isEqualTo(checkpointed.teacherSha256());
        assertThat(s.steps()).isEqualTo(step + 6);
        // the restored job's first metrics record counts on from the checkpoint, not from zero
        assertThat(events("restore-2", MetricsEvent.class).get(0).step()).isGreaterThan(step);
    }

    @Test
    void probeBeatsChanceOnTheGeneratedSet() throws Exception {
        Map<String, String> values = PipelineFixture.smallJob(kafka, work.resolve("probe"));
        values.put("trainer.max-steps", "80");
        values.put("kafka.group-id", "probe");
        values.put("metrics.every-steps", "10");
        // the encoder stays at its seeded initialisation (a learning rate of 1e-12 moves no float32 weight: it must be
        // positive), so the probe learns a convex problem on fixed features: its accuracy does not hang on a short
        // training trajectory, which libtorch's kernels make differ between kinds of CPU (when the encoder trained:
        // 0.178 on one AVX-512 machine, 0.237 on an AMD one with AVX2 kernels, 0.28-0.34 on others)
        values.put("trainer.learning-rate", "1e-12");
        JobConfig config = JobConfig.of(values);
        new JobRunner(StreamExecutionEnvironment.getExecutionEnvironment(JobFlinkConfiguration.of(config)),
                config, "probe", new PrintStream(System.out, true)).run();
        List<MetricsEvent> m = events("probe", MetricsEvent.class);
        // accuracy over the second half: 40 steps x 32 labelled images, each scored before the probe trained on it
        double correct = 0;
        double n = 0;
        for (MetricsEvent r : m) {
            if (r.step() > 40) {
                correct += (r.probeAccuracy() == null ? 0 : r.probeAccuracy()) * r.probeCount();
                n += r.probeCount();
            }
        }
        System.out.printf("probe accuracy over steps 41-80: %.3f on %d images%n", correct / n, (long) n);
        assertThat(n).isEqualTo(40 * 32);
        // 0.275 measured; a probe at chance (0.1) over 1280 images has a standard deviation of 0.0084, so 0.17 is
        // eight of them above chance and 0.1 below what it measures
        assertThat(correct / n).as("online probe accuracy (chance = 0.1)").isGreaterThan(0.17);
    }

    private static <T extends TrainerRecord> List<T> events(String runId, Class<T> type) {
        return PipelineFixture.events(kafka, runId, type, false);
    }

    private static Optional<CheckpointEvent> checkpointEvent(long checkpointId) {
        return events("restore-1", CheckpointEvent.class).stream().filter(e -> e.checkpointId() == checkpointId)
                .findFirst();
    }

    private static long id(Path chk) {
        return Long.parseLong(chk.getFileName().toString().substring("chk-".length()));
    }

    /** The newest {@code chk-N} directory with a {@code _metadata} file (a completed checkpoint). */
    static Optional<Path> latestCheckpoint(Path root) {
        if (!Files.exists(root)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.walk(root, 3)) {
            return s.filter(p -> p.getFileName().toString().equals("_metadata")).map(Path::getParent)
                    .filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .max(Comparator.comparingLong(RestoreITCase::id));
        } catch (Exception e) {
            return Optional.empty(); // directories vanish while older checkpoints are subsumed
        }
    }
}
