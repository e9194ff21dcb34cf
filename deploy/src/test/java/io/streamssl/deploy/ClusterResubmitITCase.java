package io.streamssl.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamssl.cli.StreamsslCommand;
import io.streamssl.connectors.ImageProducer;
import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.event.CheckpointEvent;
import io.streamssl.connectors.event.MetricsEvent;
import io.streamssl.connectors.event.RestoredEvent;
import io.streamssl.connectors.event.TrainedEvent;
import io.streamssl.connectors.kafka.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A session cluster without high availability loses its JobManager ({@code kill -9}): the cluster forgets the job,
 * its retained checkpoints stay in {@code checkpoints.dir}. A new JobManager comes up, and the same
 * {@code streamssl run --cluster … --detach} command again finds the newest completed checkpoint of the run (its
 * {@code streamssl-run.json} names the lost job) and resumes from it: the trainer's {@code restored} step and
 * teacher digest are those of that checkpoint, and every record is trained exactly once across both submissions
 * (the committed {@code trained} audit events).
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterResubmitITCase {

    @RegisterExtension
    static final LocalFlinkCluster CLUSTER = new LocalFlinkCluster(1);

    private static final int BATCH = 8;
    private static final long MAX_STEPS = 60;
    /** From when the trainer runs, at most 4 steps a second: the first job is mid-training when its JobManager dies. */
    private static final double RECORDS_PER_SECOND = 32;
    private static final Duration PATIENCE = Duration.ofMinutes(3);
    private static final Pattern RESUMING = Pattern.compile("resuming from checkpoint (\\d+) of job ([0-9a-f]{32})");

    @Test
    void theSameRunCommandResumesAfterTheJobManagerWasLost() throws Exception {
        Path work = CLUSTER.workDir();
        Path jobJar = Path.of(System.getProperty("streamssl.cluster.job-jar"));
        assertThat(jobJar).as("job jar (mvn package builds it)").isRegularFile();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"))) {
            kafka.createTopics(1, "images", "metrics", "snapshots", "images.dlq");
            ImageProducer producer = ImageProducer.builder().setBootstrapServers(kafka.bootstrapServers())
                    .setDataset(new GeneratedShapes(2_000, 5, 16)).optRepeat(1)
                    .optRecordsPerSecond(RECORDS_PER_SECOND).build();
            Thread producing = new Thread(() -> {
                try {
                    producer.run();
                } catch (Exception e) {
                    System.out.println("producer stopped: " + e);
                }
            }, "images-producer");
            producing.setDaemon(true);
            try (TrainerEvents written = TrainerEvents.asWritten(kafka.bootstrapServers(), "metrics");
                    TrainerEvents committed = TrainerEvents.asCommitted(kafka.bootstrapServers(), "metrics")) {
                long start = System.nanoTime();
                // ---- 1. the first submission, detached; images flow once the trainer runs (no backlog to rush it)
                String firstOut = submit(kafka, work, jobJar, "resubmit-1");
                String firstJob = onlyRunningJob();
                assertThat(firstOut).contains("job " + firstJob + " submitted (run resubmit-1), detached");
                awaitTrainerRunning(firstJob);
                producing.start();

                // ---- 2. two completed checkpoints that hold training steps, then kill -9 the JobManager
                // a checkpoint's record is committed once the checkpoint completed
                committed.await("a second completed checkpoint holding training steps", PATIENCE, "resubmit-1",
                        CheckpointEvent.class, c -> c.step() > 0 && committed.of("resubmit-1", CheckpointEvent.class)
                                .stream().filter(e -> e.step() > 0 && e.checkpointId() < c.checkpointId())
                                .findAny().isPresent());
                long checkpointBeforeKill = committed.of("resubmit-1", CheckpointEvent.class).stream()
                        .mapToLong(CheckpointEvent::checkpointId).max().orElseThrow();
                ClusterProcess jobManager = CLUSTER.jobManager();
                jobManager.kill();
                System.out.printf("killed the JobManager (pid %d) after checkpoint %d%n", jobManager.pid(),
                        checkpointBeforeKill);
                assertThat(jobManager.isAlive()).isFalse();

                // ---- 3. a new JobManager (the TaskManager re-registers): it knows no job
                long restartNanos = System.nanoTime();
                CLUSTER.restartJobManager();
                double jobManagerSeconds = (System.nanoTime() - restartNanos) / 1e9;
                assertThat(CLUSTER.get("/jobs/overview").path("jobs")).as("jobs of the new JobManager").isEmpty();

                // ---- 4. the same command again: resumes from the newest checkpoint of the lost job
                String secondOut = submit(kafka, work, jobJar, "resubmit-2");
                Matcher resuming = RESUMING.matcher(secondOut);
                assertThat(resuming.find()).as("second submission's output:%n%s", secondOut).isTrue();
                long checkpointId = Long.parseLong(resuming.group(1));
                assertThat(resuming.group(2)).as("job resumed from").isEqualTo(firstJob);
                assertThat(checkpointId).as("checkpoint resumed from").isGreaterThanOrEqualTo(checkpointBeforeKill);
                String secondJob = onlyRunningJob();
                assertThat(secondJob).isNotEqualTo(firstJob);

                committed.await("the second job's committed audit of step " + MAX_STEPS, PATIENCE, "resubmit-2",
                        TrainedEvent.class, t -> t.step() == MAX_STEPS);
                // Without its JobManager the TaskManager runs the lost job's tasks on until heartbeat.timeout; what
                // they write stays uncommitted. Everything the lost job wrote comes before the second job's records.
                written.await("the second job's audit of step " + MAX_STEPS, PATIENCE, "resubmit-2",
                        TrainedEvent.class, t -> t.step() == MAX_STEPS);
                long lostJobLastStep = written.of("resubmit-1", MetricsEvent.class).stream()
                        .mapToLong(MetricsEvent::step).max().orElse(0);
                double wallSeconds = (System.nanoTime() - start) / 1e9;
                CLUSTER.patch("/jobs/" + secondJob + "?mode=cancel");

                // the restored state is the checkpoint's (its record is committed: the restore committed it)
                CheckpointEvent checkpointed = committed.of("resubmit-1", CheckpointEvent.class).stream()
                        .filter(c -> c.checkpointId() == checkpointId).findFirst().orElseThrow(
                                () -> new AssertionError("no committed 'checkpoint' event " + checkpointId));
                RestoredEvent restored = committed.of("resubmit-2", RestoredEvent.class).get(0);
                assertThat(restored.step()).as("step restored").isEqualTo(checkpointed.step()).isPositive()
                        .as("checkpointed mid-training").isLessThan(MAX_STEPS);
                assertThat(restored.teacherSha256()).as("teacher restored")
                        .isEqualTo(checkpointed.teacherSha256());

                List<TrainedEvent> before = committed.of("resubmit-1", TrainedEvent.class);
                List<TrainedEvent> after = committed.of("resubmit-2", TrainedEvent.class);
                assertThat(before).as("committed by the lost job: up to its checkpoint")
                        .allMatch(t -> t.step() <= checkpointed.step());
                assertThat(after.get(0).step()).as("first step of the second job")
                        .isEqualTo(checkpointed.step() + 1);
                Map<String, Integer> times = new HashMap<>();
                for (List<TrainedEvent> part : List.of(before, after)) {
                    for (TrainedEvent t : part) {
                        for (int i = 0; i < t.ids().size(); i++) {
                            times.merge(t.ids().get(i) + "@" + t.epochs().get(i), 1, Integer::sum);
                        }
                    }
                }
                assertThat(times).as("records trained across both jobs").hasSize((int) (MAX_STEPS * BATCH));
                assertThat(times.values()).as("times each record was trained").containsOnly(1);
                System.out.printf("%n[resubmit figures] JobManager restart: %.1f s; checkpoint %d (step %d)"
                                + " resumed; the lost job's tasks trained on to step %d (uncommitted); wall time from the first submission: %.1f s%n",
                        jobManagerSeconds, checkpointId, checkpointed.step(), lostJobLastStep, wallSeconds);
            } finally {
                producer.stop();
                producing.join(10_000);
            }
        }
    }

    /** {@code streamssl run --cluster … --detach}, in this JVM; what it printed. */
    private static String submit(EmbeddedKafka kafka, Path work, Path jobJar, String runId) {
        List<String> args = new ArrayList<>(List.of("run", "--cluster", CLUSTER.restAddress(), "--job-jar",
                jobJar.toString(), "--detach", "--run-id", runId, "--max-steps", Long.toString(MAX_STEPS)));
        for (String kv : List.of("kafka.bootstrap-servers=" + kafka.bootstrapServers(), "trainer.device=cpu",
                "trainer.width=8", "trainer.batch-size=" + BATCH, "augment.size=16", "method.projector-hidden=64",
                "method.predictor-hidden=64", "method.projector-out=32", "metrics.every-steps=1",
                "metrics.trained-ids=true", "snapshots.every-steps=1000", "checkpoints.interval=1 s",
                "checkpoints.dir=" + work.resolve("checkpoints").toUri(), "snapshots.dir=" + work.resolve("snapshots"))) {
            args.add("--set");
            args.add(kv);
        }
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(new Tee(out, captured), true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = StreamsslCommand.commandLine().execute(args.toArray(String[]::new));
        } finally {
            System.out.flush();
            System.setOut(out);
        }
        String printed = captured.toString(StandardCharsets.UTF_8);
        assertThat(exit).as("exit code of `streamssl run --cluster … --detach`; output:%n%s", printed).isZero();
        return printed;
    }

    /** The id of the one running job. */
    private static String onlyRunningJob() throws InterruptedException {
        String[] id = new String[1];
        LocalFlinkCluster.waitFor("the submitted job to run", PATIENCE, () -> {
            for (JsonNode j : CLUSTER.get("/jobs/overview").path("jobs")) {
                if (j.path("state").asText().equals("RUNNING")) {
                    id[0] = j.path("jid").asText();
                    return true;
                }
            }
            return false;
        });
        return id[0];
    }

    /** Until the trainer's subtask runs (its state initialized, libtorch loaded). */
    private static void awaitTrainerRunning(String jobId) throws InterruptedException {
        LocalFlinkCluster.waitFor("the trainer subtask to run", PATIENCE, () -> {
            for (JsonNode v : CLUSTER.get("/jobs/" + jobId).path("vertices")) {
                if (v.path("name").asText().contains("trainer: ")) {
                    return v.path("status").asText().equals("RUNNING");
                }
            }
            return false;
        });
    }

    /** Writes to two streams: the console, and what the test reads back. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            a.flush();
            b.flush();
        }
    }
}
