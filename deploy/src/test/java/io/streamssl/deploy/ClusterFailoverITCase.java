package io.streamssl.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamssl.connectors.ImageProducer;
import io.streamssl.connectors.dataset.Cifar10Binary;
import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.dataset.ImageDataset;
import io.streamssl.connectors.event.CheckpointEvent;
import io.streamssl.connectors.event.MetricsEvent;
import io.streamssl.connectors.event.RestoredEvent;
import io.streamssl.connectors.kafka.EmbeddedKafka;
import io.streamssl.cli.StreamsslCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job on a real multi-process Flink cluster — a JobManager and two one-slot TaskManagers, each its own JVM,
 * DJL on the cluster's classpath, the job jar submitted through the JobManager's REST endpoint — survives
 * {@code kill -9} of the TaskManager that runs the trainer: it restarts on the other TaskManager from its last
 * completed checkpoint (same step, same teacher weights) and trains on. Stopped with a savepoint, it resumes from
 * that savepoint when submitted again through Flink's own CLI ({@code flink run -d}), which runs streamssl's CLI as
 * a Flink program: it must submit and return (no following, no {@code System.exit}).
 *
 * <p>Prints the figures of the run: job jar size, cluster start-up, kill → restored → first step, wall time.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterFailoverITCase {

    @RegisterExtension
    static final LocalFlinkCluster CLUSTER = new LocalFlinkCluster(2);

    private static final String[] TOPICS = {"images", "metrics", "snapshots", "images.dlq"};
    private static final String FIRST = "cluster-1";
    private static final String RESUMED = "cluster-2";
    /** Steps of the first submission; the kill comes at its first completed checkpoint that holds >= 3 steps. */
    private static final long MAX_STEPS = 30;
    private static final long MORE_STEPS = 6;
    private static final Duration PATIENCE = Duration.ofMinutes(3);
    private static final Pattern JOB_ID = Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})");

    @Test
    void trainerSurvivesAKilledTaskManagerAndResumesFromItsSavepoint() throws Exception {
        Path work = CLUSTER.workDir();
        Path jobJar = Path.of(System.getProperty("streamssl.cluster.job-jar"));
        assertThat(jobJar).as("job jar (mvn package builds it)").isRegularFile();
        ExecutorService cli = Executors.newSingleThreadExecutor();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"))) {
            kafka.createTopics(1, TOPICS);
            ImageProducer producer = ImageProducer.builder().setBootstrapServers(kafka.bootstrapServers())
                    .setDataset(cifar10OrGenerated()).optRepeat(0)
                    // ahead of the trainer (16 images a step), little CPU taken from it
                    .optRecordsPerSecond(150).build();
            Thread producing = new Thread(() -> {
                try {
                    producer.run();
                } catch (Exception e) {
                    System.out.println("producer stopped: " + e);
                }
            }, "images-producer");
            producing.setDaemon(true);
            producing.start();
            try (TrainerEvents events = TrainerEvents.asWritten(kafka.bootstrapServers(), "metrics")) {
                failOverAndResume(kafka, events, jobJar, work, cli);
            } finally {
                producer.stop();
                producing.join(10_000);
            }
        } finally {
            cli.shutdownNow();
        }
    }

    private void failOverAndResume(EmbeddedKafka kafka, TrainerEvents events, Path jobJar, Path work,
            ExecutorService cli) throws Exception {
        // ---- 1. `streamssl run --cluster`: submits through REST, follows, stops with a savepoint at MAX_STEPS
        List<String> first = new ArrayList<>(List.of("run", "--cluster", CLUSTER.restAddress(), "--job-jar",
                jobJar.toString(), "--run-id", FIRST, "--max-steps", Long.toString(MAX_STEPS)));
        first.addAll(jobSettings(kafka, work));
        Future<Integer> followed = cli.submit(() -> StreamsslCommand.commandLine().execute(first.toArray(String[]::new)));

        JsonNode firstJob = awaitRunningJob();
        String jobId = firstJob.path("jid").asText();
        assertThat(CLUSTER.get("/jobs/" + jobId + "/checkpoints/config").path("state_backend").asText())
                .as("the job's own configuration (RocksDB) reached the cluster").containsIgnoringCase("RocksDB");

        // ---- 2. a completed checkpoint that holds training progress
        long[] completed = new long[1];
        LocalFlinkCluster.waitFor("a completed checkpoint holding at least 3 training steps", PATIENCE, () -> {
            long id = CLUSTER.get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed").path("id")
                    .asLong(-1);
            completed[0] = id;
            return id > 0 && checkpointEvent(events, id).map(e -> e.step() >= 3).orElse(false);
        });
        long checkpointBeforeKill = completed[0];

        // ---- 3. kill -9 the TaskManager that runs the trainer
        String victim = trainerTaskManager(jobId);
        String survivor = victim.equals("taskmanager-1") ? "taskmanager-2" : "taskmanager-1";
        ClusterProcess victimProcess = CLUSTER.taskManager(victim);
        List<MetricsEvent> beforeKill = events.of(FIRST, MetricsEvent.class);
        MetricsEvent lastBeforeKill = beforeKill.get(beforeKill.size() - 1);
        Instant killedAt = Instant.now();
        long killedNanos = System.nanoTime();
        victimProcess.kill();
        System.out.printf("killed %s (pid %d) at step %d; last completed checkpoint %d%n", victim, victimProcess.pid(),
                lastBeforeKill.step(), checkpointBeforeKill);
        assertThat(victimProcess.isAlive()).isFalse();

        // ---- 4. the job restarts on the other TaskManager from the last completed checkpoint and trains on
        RestoredEvent restored = events.await("the trainer's 'restored' event after the kill", PATIENCE, FIRST,
                RestoredEvent.class, e -> true);
        MetricsEvent firstStepAfter = events.await("a training step after the restore", PATIENCE, FIRST,
                MetricsEvent.class, e -> events.indexOf(e) > events.indexOf(restored));
        long observedNanos = System.nanoTime();
        JsonNode restoredFrom = CLUSTER.get("/jobs/" + jobId + "/checkpoints").path("latest").path("restored");
        long restoredId = restoredFrom.path("id").asLong(-1);
        assertThat(restoredId).as("restored checkpoint (REST latest.restored)")
                .isGreaterThanOrEqualTo(checkpointBeforeKill);
        CheckpointEvent checkpointed = checkpointEvent(events, restoredId).orElseThrow(
                () -> new AssertionError("no 'checkpoint' event for the restored checkpoint " + restoredId));
        assertThat(restored.step()).as("step restored = step of checkpoint %d", restoredId)
                .isEqualTo(checkpointed.step());
        assertThat(restored.teacherSha256()).as("teacher weights restored from checkpoint %d",
                restoredId).isEqualTo(checkpointed.teacherSha256());
        assertThat(firstStepAfter.step()).as("first step after the restore counts on")
                .isEqualTo(restored.step() + 1);
        assertThat(trainerTaskManager(jobId)).as("TaskManager of the restarted trainer").isEqualTo(survivor);
        LocalFlinkCluster.waitFor("the JobManager to drop the killed TaskManager", PATIENCE,
                () -> CLUSTER.get("/taskmanagers").path("taskmanagers").size() == 1);
        Duration killToRestored = Duration.between(killedAt, restored.header().ts());
        Duration killToStep = Duration.between(killedAt, firstStepAfter.header().ts());

        // ---- 5. the follower reaches MAX_STEPS and stops the job with a savepoint
        assertThat(followed.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("exit code of `streamssl run --cluster`")
                .isZero();
        // the reader may lag behind the follower (one poll is not all of the topic): wait for the records
        events.await("the metrics record of step " + MAX_STEPS, PATIENCE, FIRST, MetricsEvent.class,
                e -> e.step() == MAX_STEPS);
        events.await("the savepoint's checkpoint record (step " + MAX_STEPS + ")", PATIENCE, FIRST,
                CheckpointEvent.class, e -> e.step() == MAX_STEPS);
        List<MetricsEvent> firstMetrics = events.of(FIRST, MetricsEvent.class);
        assertThat(firstMetrics.get(firstMetrics.size() - 1).step()).isEqualTo(MAX_STEPS);
        // `run` returns with the job's result; the REST view of the job may still say RUNNING a moment longer
        LocalFlinkCluster.waitFor("job " + jobId + " FINISHED in the REST view", PATIENCE,
                () -> "FINISHED".equals(CLUSTER.get("/jobs/" + jobId).path("state").asText()));
        Path savepoint = onlySavepoint(work.resolve("checkpoints/savepoints"));
        CheckpointEvent savepointEvent = events.of(FIRST, CheckpointEvent.class).stream()
                .max(Comparator.comparingLong(CheckpointEvent::checkpointId)).orElseThrow();
        assertThat(savepointEvent.step()).as("step in the savepoint").isEqualTo(MAX_STEPS);

        // exactly-once across the kill: a read_committed consumer sees every step once, none of the killed attempt's
        List<Long> committedSteps;
        try (TrainerEvents committed = TrainerEvents.asCommitted(kafka.bootstrapServers(), "metrics")) {
            committed.await("the committed metrics record of step " + MAX_STEPS, PATIENCE, FIRST, MetricsEvent.class,
                    e -> e.step() == MAX_STEPS);
            committedSteps = committed.of(FIRST, MetricsEvent.class).stream().map(MetricsEvent::step).toList();
        }
        assertThat(committedSteps).as("steps of the committed metrics records")
                .containsExactlyElementsOf(LongStream.rangeClosed(1, MAX_STEPS).boxed().toList());

        // ---- 6. `flink run -d JAR run …`: Flink's CLI runs our CLI as its program, which submits and returns
        List<String> resume = new ArrayList<>(List.of("run", "-d", jobJar.toString(), "run", "--run-id", RESUMED,
                "--max-steps", Long.toString(MAX_STEPS + MORE_STEPS)));
        resume.addAll(jobSettings(kafka, work));
        resume.addAll(List.of("--set", "checkpoints.restore-from=" + savepoint));
        long cliStart = System.nanoTime();
        ClusterProcess flinkRun = CLUSTER.flinkCli("flink-run", resume);
        int exit = flinkRun.await(PATIENCE.toSeconds());
        double cliSeconds = (System.nanoTime() - cliStart) / 1e9;
        String output = flinkRun.output();
        assertThat(exit).as("exit code of `flink run -d` (output: %s)", output).isZero();
        assertThat(output).contains("submitted (run " + RESUMED + "), detached");
        Matcher m = JOB_ID.matcher(output);
        assertThat(m.find()).as("Flink's CLI reports the job id: %s", output).isTrue();
        String resumedJob = m.group(1);

        RestoredEvent resumedRestore = events.await("the resumed job's 'restored' event", PATIENCE, RESUMED,
                RestoredEvent.class, e -> true);
        assertThat(resumedRestore.step()).as("step restored from the savepoint").isEqualTo(MAX_STEPS);
        assertThat(resumedRestore.teacherSha256()).isEqualTo(savepointEvent.teacherSha256());
        events.await("the resumed job at step " + (MAX_STEPS + MORE_STEPS), PATIENCE, RESUMED, MetricsEvent.class,
                MetricsEvent::finished);
        List<MetricsEvent> resumedMetrics = events.of(RESUMED, MetricsEvent.class);
        assertThat(resumedMetrics.get(0).step()).as("first step of the resumed job").isEqualTo(MAX_STEPS + 1);
        assertThat(resumedMetrics.get(resumedMetrics.size() - 1).step()).isEqualTo(MAX_STEPS + MORE_STEPS);
        // detached: nobody follows it, so the test stops it
        CLUSTER.patch("/jobs/" + resumedJob + "?mode=cancel");
        LocalFlinkCluster.waitFor("the resumed job to be cancelled", PATIENCE,
                () -> CLUSTER.get("/jobs/" + resumedJob).path("state").asText().equals("CANCELED"));

        // ---- figures
        Duration wall = Duration.ofNanos(System.nanoTime() - CLUSTER.startNanos());
        System.out.printf(Locale.ROOT, "%n[cluster figures]%n"
                        + "  job jar: %.1f MB (%s)%n"
                        + "  cluster start (JobManager + 2 TaskManagers registered): %.1f s%n"
                        + "  TaskManager kill -> state restored on the other TaskManager: %.1f s (step %d, checkpoint %d)%n"
                        + "  TaskManager kill -> first training step after recovery: %.1f s (step %d; test saw it after %.1f s)%n"
                        + "  `flink run -d` (a new CLI JVM) returned after %.1f s%n"
                        + "  cluster test wall time (cluster start -> resumed job cancelled): %.1f s%n",
                Files.size(jobJar) / 1e6, jobJar, CLUSTER.startup().toMillis() / 1e3, killToRestored.toMillis() / 1e3,
                restored.step(), restoredId, killToStep.toMillis() / 1e3, firstStepAfter.step(), (observedNanos - killedNanos) / 1e9, cliSeconds,
                wall.toMillis() / 1e3);
    }

    /** The small, fast job of the pipeline tests: ResNet-18 at width 16, batch 16, 32 px, a metrics record per step. */
    private static List<String> jobSettings(EmbeddedKafka kafka, Path work) {
        List<String> sets = new ArrayList<>();
        for (String kv : List.of("kafka.bootstrap-servers=" + kafka.bootstrapServers(), "trainer.width=16",
                "trainer.batch-size=16", "trainer.device=cpu", "method.projector-hidden=256",
                "method.predictor-hidden=256", "method.projector-out=64", "metrics.every-steps=1",
                "snapshots.every-steps=20", "checkpoints.interval=2 s",
                "checkpoints.dir=" + work.resolve("checkpoints").toUri(), "snapshots.dir=" + work.resolve("snapshots"))) {
            sets.add("--set");
            sets.add(kv);
        }
        return sets;
    }

    /** The one running job once the follower has submitted it. */
    private static JsonNode awaitRunningJob() throws InterruptedException {
        JsonNode[] job = new JsonNode[1];
        LocalFlinkCluster.waitFor("the submitted job to run", PATIENCE, () -> {
            for (JsonNode j : CLUSTER.get("/jobs/overview").path("jobs")) {
                if (j.path("state").asText().equals("RUNNING")) {
                    job[0] = j;
                    return true;
                }
            }
            return false;
        });
        return job[0];
    }

    /** Resource id of the TaskManager whose slot runs the trainer's (single) subtask, once it runs. */
    private static String trainerTaskManager(String jobId) throws InterruptedException {
        String[] tm = new String[1];
        LocalFlinkCluster.waitFor("the trainer subtask to run", PATIENCE, () -> {
            for (JsonNode v : CLUSTER.get("/jobs/" + jobId).path("vertices")) {
                if (v.path("name").asText().contains("trainer: ")) {
                    JsonNode subtask = CLUSTER.get("/jobs/" + jobId + "/vertices/" + v.path("id").asText())
                            .path("subtasks").path(0);
                    if (subtask.path("status").asText().equals("RUNNING")) {
                        tm[0] = subtask.path("taskmanager-id").asText();
                        return true;
                    }
                }
            }
            return false;
        });
        return tm[0];
    }

    private static Optional<CheckpointEvent> checkpointEvent(TrainerEvents events, long checkpointId) {
        return events.of(FIRST, CheckpointEvent.class).stream().filter(e -> e.checkpointId() == checkpointId)
                .findFirst();
    }

    private static Path onlySavepoint(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> savepoints = s.filter(p -> Files.exists(p.resolve("_metadata"))).toList();
            assertThat(savepoints).as("savepoints in %s", dir).hasSize(1);
            return savepoints.get(0);
        }
    }

    /** CIFAR-10 from ../shared (streamssl.shared.dir) when present, else the generated set, saying so. */
    private static ImageDataset cifar10OrGenerated() {
        Path dir = Path.of(System.getProperty("streamssl.shared.dir", "../shared"), "datasets", "cifar10");
        if (Cifar10Binary.present(dir)) {
            System.out.println("streaming CIFAR-10 from " + dir);
            return Cifar10Binary.train(dir);
        }
        System.out.println("CIFAR-10 not found at " + dir.toAbsolutePath() + ": streaming the generated set instead");
        return new GeneratedShapes(10_000, 3, 32);
    }
}
