package io.streamssl.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.connectors.ImageProducer;
import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.event.CheckpointEvent;
import io.streamssl.connectors.event.FinalStateEvent;
import io.streamssl.connectors.event.MetricsEvent;
import io.streamssl.connectors.event.RestoredEvent;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.connectors.event.TrainedEvent;
import io.streamssl.connectors.event.TrainerEventReader;
import io.streamssl.connectors.event.TrainerRecord;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.ViewBatch;
import io.streamssl.models.snapshot.SnapshotWriter;
import io.streamssl.pipeline.program.JobRunner;
import io.streamssl.pipeline.config.JobConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Training state is exactly-once Flink state: a run interrupted by failures — two task exceptions (the
 * {@code testing.fail-at-steps} drill) and a TaskManager taken down under the running job — ends with the very
 * bytes an uninterrupted run ends with; with decode/augment at parallelism 2, every produced record is trained
 * on exactly once per epoch (and snapshot retention leaves the newest 2 and every 20th step on disk); a
 * stop-with-savepoint resumes at another augment parallelism and counts on; and
 * every snapshot announced on the topic belongs to a completed checkpoint. With a replay buffer (BYOL with minred,
 * MoCo v2 with reservoir) the failures change neither the batches nor the buffer, every restore loads the buffer its
 * checkpoint wrote, and a stop-with-savepoint carries the buffer into the resumed job.
 *
 * <p>Runs are compared bit for bit at a fixed number of intra-op threads (failsafe sets {@code OMP_NUM_THREADS},
 * 2 by default; {@code -Dit.omp.threads=N} changes it).
 *
 * <p>The TaskManager failure is the MiniCluster's {@code terminateTaskManager} plus a fresh TaskManager for the
 * restart; a real {@code kill -9} of a TaskManager process is in the deploy module's multi-process test.
 */
class ExactlyOnceTrainingITCase extends PipelineITBase {

    private static final int BATCH = 16;
    /** -Dexactly.runs=deepclusterv2,"byol minred": only these runs of the parameterised test (to try one by hand). */
    private static final String ONLY = System.getProperty("exactly.runs", "");

    /** Index (in the MiniCluster) of the TaskManager that is up: the test takes it down and starts a replacement. */
    static int liveTaskManager;

    /** SEED's teacher: a SimCLR snapshot of a ResNet-18 at width 8 after two steps on random pixels. */
    static Path seedTeacher;

    @BeforeAll
    static void writeSeedTeacher() throws Exception {
        TrainerSpec spec = TrainerSpec.byolCifar(8, 4, 1000).withMethod("simclr",
                Map.of("projector-hidden", "32", "projector-out", "16"));
        byte[] px = new byte[4 * 2 * 32 * 32 * 3];
        new java.util.Random(7).nextBytes(px);
        try (SslTrainer trainer = new SslTrainer(spec)) {
            trainer.step(new ViewBatch(4, 2, 32, 32, px, new int[] {-1, -1, -1, -1}));
            trainer.step(new ViewBatch(4, 2, 32, 32, px, new int[] {-1, -1, -1, -1}));
            seedTeacher = SnapshotWriter.write(work.resolve("seed-teacher"), trainer, Map.of("trainer.method", "simclr"));
        }
    }

    @BeforeAll
    static void produceImages() throws Exception {
        kafka.createTopics(2, "images-2p", "images-sp");
        PipelineFixture.produce(kafka, new GeneratedShapes(1200, 21, 32), 1200);
        // two epochs of 320 images over two partitions: 640 records = 40 steps of 16
        ImageProducer.builder().setBootstrapServers(kafka.bootstrapServers()).setDataset(new GeneratedShapes(320, 22, 32))
                .optTopic("images-2p").optRepeat(2).build().run();
        ImageProducer.builder().setBootstrapServers(kafka.bootstrapServers()).setDataset(new GeneratedShapes(256, 23, 32))
                .optTopic("images-sp").optRepeat(1).build().run();
    }

    /**
     * @param run a method, with a replay policy for the runs with a buffer (capacity 64: full after 8 steps of 8
     *     records, evicting from then on; each record trained once fresh and replayed once, ratio 0.5 × 2 updates)
     */
    @ParameterizedTest(name = "{0}")
    // BYOL and MoCo v2 run with a replay buffer only: the same method state, and the buffer's besides
    @ValueSource(strings = {"dino", "deepclusterv2", "seed", "byol minred", "mocov2 reservoir", "instdisc reservoir"})
    void failuresDoNotChangeASingleByteOfTheTrainingState(String run, @InjectMiniCluster MiniCluster cluster)
            throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ONLY.isEmpty() || List.of(ONLY.split(",")).contains(run),
                "not selected by -Dexactly.runs");
        String method = run.split(" ")[0];
        String policy = run.contains(" ") ? run.split(" ")[1] : null;
        String name = policy == null ? method : method + "-" + policy;
        long steps = 30; // the TaskManager goes at step 14 or a little later: margin for a slow poll
        Map<String, String> values = job(method, work.resolve("bitexact-" + name));
        values.put("kafka.group-id", "bitexact-" + name);
        values.put("trainer.max-steps", Long.toString(steps));
        if (policy != null) {
            replay(values, policy);
        }

        JobRunner.Summary straight = runner(values, "straight-" + name).run();
        assertThat(straight.steps()).isEqualTo(steps);

        // attempt 0 fails at step 6, attempt 1 at step 12 (or a little later: each once a checkpoint of its own
        // past step 0 has completed)
        values.put("testing.fail-at-steps", "6,12");
        String runId = "failing-" + name;
        CompletableFuture<JobRunner.Summary> failing = runAsync(runner(values, runId));
        // attempt 2 (after two drills): take its TaskManager away once it has trained past step 14
        PipelineFixture.waitFor("attempt 2 training past step 14", Duration.ofMinutes(3),
                () -> events(runId, MetricsEvent.class, false).stream().anyMatch(e -> e.header().attempt() == 2
                        && e.step() >= 14) || failing.isDone());
        killTaskManager(cluster);
        JobRunner.Summary interrupted = failing.get(5, TimeUnit.MINUTES);
        assertThat(interrupted.steps()).isEqualTo(steps);

        List<TrainerRecord> all = events(runId, TrainerRecord.class, false);
        assertThat(all).as("three failures: the job ran a 4th attempt")
                .anyMatch(e -> e.header().attempt() == 3);
        // every drill waits for a checkpoint of its attempt past step 0, so each restart (two drills, the lost
        // TaskManager, and any restart while the replacement registers) restores one
        assertThat(all).as("restores from a checkpoint")
                .filteredOn(e -> e instanceof RestoredEvent).hasSizeGreaterThanOrEqualTo(3)
                .allMatch(e -> e.step() > 0);

        // the same batches, step by step, and the same loss at every step
        Map<Long, String> batchesStraight = batchesByStep("straight-" + name);
        Map<Long, String> batchesFailing = batchesByStep(runId);
        assertThat(batchesStraight).hasSize((int) steps);
        assertThat(firstDifference(batchesStraight, batchesFailing)).as("first step whose batch differs").isEmpty();
        assertThat(firstDifference(lossByStep("straight-" + name), lossByStep(runId)))
                .as("first step whose loss differs").isEmpty();

        if (policy != null) {
            assertReplayed("straight-" + name, 2, steps, 64);
            assertRestoredBuffers(runId);
        }

        Map<String, String> expected = finalState("straight-" + name);
        Map<String, String> actual = finalState(runId);
        assertThat(expected.keySet()).anyMatch(k -> k.startsWith("student/"))
                .anyMatch(k -> k.startsWith("optimizer/")).anyMatch(k -> k.startsWith("probe/"));
        if (method.equals("deepclusterv2")) { // no teacher: the k-means centroids and the queue they came from
            assertThat(expected.keySet()).anyMatch(k -> k.contains("centroids")).anyMatch(k -> k.contains("queue"));
        } else if (method.equals("instdisc")) { // no teacher: the id-keyed bank, rows and ids
            assertThat(expected.keySet()).anyMatch(k -> k.contains("bank"));
        } else {
            assertThat(expected.keySet()).anyMatch(k -> k.startsWith("teacher/"));
        }
        if (method.equals("mocov2")) {
            assertThat(expected.keySet()).anyMatch(k -> k.contains("queue/"));
        }
        if (method.equals("dino")) {
            assertThat(expected.keySet()).anyMatch(k -> k.contains("center"));
        }
        if (policy != null) {
            assertThat(expected).containsKey(AuditEvents.REPLAY_BUFFER_DIGEST);
        }
        System.out.printf("%s: %d state tensors compared after 3 failures%n", name, expected.size());
        assertThat(actual).as("every state tensor (and the replay buffer), byte for byte (SHA-256)")
                .isEqualTo(expected);
    }

    @Test
    void everyRecordIsTrainedOnExactlyOncePerEpochDespiteFailures(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        Map<String, String> values = job("byol", work.resolve("exactly-once"));
        values.put("kafka.images-topic", "images-2p");
        values.put("kafka.group-id", "exactly-once");
        values.put("augment.parallelism", "2");
        values.put("trainer.max-steps", "40");
        values.put("testing.fail-at-steps", "8,20");
        values.put("snapshots.every-steps", "5");
        values.put("snapshots.retain-newest", "2");
        values.put("snapshots.retain-every-steps", "20");
        String runId = "exactly-once";
        CompletableFuture<JobRunner.Summary> run = runAsync(runner(values, runId));
        PipelineFixture.waitFor("attempt 2 training past step 23", Duration.ofMinutes(3),
                () -> events(runId, MetricsEvent.class, false).stream().anyMatch(e -> e.header().attempt() == 2
                        && e.step() >= 23) || run.isDone());
        killTaskManager(cluster);
        assertThat(run.get(5, TimeUnit.MINUTES).steps()).isEqualTo(40);
        assertThat(events(runId, TrainerRecord.class, false)).anyMatch(e -> e.header().attempt() == 3);

        Map<String, Integer> trained = trainedIds(runId);
        Set<String> produced = new HashSet<>();
        for (long epoch = 0; epoch < 2; epoch++) {
            for (var image : new GeneratedShapes(320, 22, 32)) {
                produced.add(image.id() + "@" + epoch);
            }
        }
        assertThat(trained.keySet()).as("(id, epoch) pairs trained").isEqualTo(produced);
        assertThat(trained.values()).as("times each (id, epoch) was trained").containsOnly(1);

        // every announced snapshot belongs to a checkpoint that completed (its `checkpoint` record committed in
        // the same transaction), holds the announced weights, and LATEST names the last one
        List<SnapshotEvent> snapshots = TrainerEventReader.select(PipelineFixture.readEvents(kafka, "snapshots", true),
                runId, SnapshotEvent.class);
        Map<Long, Long> checkpointSteps = new TreeMap<>();
        events(runId, CheckpointEvent.class, true).forEach(c -> checkpointSteps.put(c.checkpointId(), c.step()));
        assertThat(snapshots).extracting(SnapshotEvent::step).containsExactly(5L, 10L, 15L, 20L, 25L, 30L, 35L, 40L);
        for (SnapshotEvent s : snapshots) {
            Long checkpoint = s.checkpointId();
            assertThat(checkpoint).as("checkpoint id of snapshot " + s).isNotNull();
            assertThat(checkpointSteps).as("completed checkpoint of snapshot " + s).containsKey(checkpoint);
            assertThat(checkpointSteps.get(checkpoint)).isGreaterThanOrEqualTo(s.step());
            Path dir = Path.of(s.path());
            if (Files.exists(dir)) { // retention deleted the others
                assertThat(SnapshotWriter.sha256(dir.resolve(SnapshotWriter.WEIGHTS_FILE)))
                        .isEqualTo(s.weightsSha256());
            }
        }
        Path root = work.resolve("exactly-once").resolve("snapshots");
        assertThat(Files.readString(root.resolve(SnapshotWriter.LATEST_FILE)).trim())
                .isEqualTo(SnapshotWriter.directoryName(40));
        // retention (newest 2, every 20th step): of 5, 10, … 40 only 20, 35 and 40 stay, and no unfinished write
        try (var onDisk = Files.list(root)) {
            assertThat(onDisk.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("LATEST",
                    "step-000000020", "step-000000035", "step-000000040");
        }
    }

    @Test
    void stopWithSavepointResumesWithAnotherAugmentParallelism() throws Exception {
        Map<String, String> values = job("byol", work.resolve("savepoint"));
        values.put("kafka.images-topic", "images-sp");
        values.put("kafka.group-id", "savepoint");
        values.put("augment.parallelism", "1");
        values.put("trainer.max-steps", "6");
        JobRunner.Summary first = runner(values, "savepoint-1").run();
        assertThat(first.steps()).isEqualTo(6);
        assertThat(first.savepoint()).isNotBlank();

        values.put("augment.parallelism", "2");
        values.put("checkpoints.restore-from", first.savepoint());
        values.put("trainer.max-steps", "16"); // 256 records = 16 steps of 16
        JobRunner.Summary second = runner(values, "savepoint-2").run();
        assertThat(second.steps()).isEqualTo(16);
        assertThat(second.images()).isEqualTo(256);

        RestoredEvent restored = events("savepoint-2", RestoredEvent.class, false).get(0);
        assertThat(restored.step()).as("step restored from the savepoint").isEqualTo(6);
        assertThat(restored.teacherSha256()).as("teacher restored from the savepoint")
                .isEqualTo(events("savepoint-1", CheckpointEvent.class, true).stream()
                        .filter(c -> c.step() == 6).reduce((a, b) -> b).orElseThrow().teacherSha256());
        // the samples consumed after step 6 went into the savepoint and were trained on after the resume
        Map<String, Integer> trained = trainedIds("savepoint-1");
        trainedIds("savepoint-2").forEach((k, v) -> trained.merge(k, v, Integer::sum));
        assertThat(trained).hasSize(256);
        assertThat(trained.values()).containsOnly(1);
    }

    /**
     * A stop-with-savepoint keeps the replay buffer (minred: the embeddings too): the resumed job restores the
     * buffer that went into the savepoint, replays images of the first run with their next use counts, and keeps
     * the mix. The records that arrived after max-steps already drew their replays: they are in the savepoint.
     */
    @Test
    void stopWithSavepointResumesTheReplayBuffer() throws Exception {
        Map<String, String> values = job("byol", work.resolve("savepoint-replay"));
        values.put("kafka.images-topic", "images-sp");
        values.put("kafka.group-id", "savepoint-replay");
        replay(values, "minred");
        values.put("replay.capacity", "32"); // full after 4 steps of 8 records
        values.put("trainer.max-steps", "6");
        JobRunner.Summary first = runner(values, "savepoint-replay-1").run();
        assertThat(first.steps()).isEqualTo(6);

        values.put("augment.parallelism", "2");
        values.put("checkpoints.restore-from", first.savepoint());
        values.put("trainer.max-steps", "12");
        JobRunner.Summary second = runner(values, "savepoint-replay-2").run();
        assertThat(second.steps()).isEqualTo(12);

        RestoredEvent restored = events("savepoint-replay-2", RestoredEvent.class, false).get(0);
        List<CheckpointEvent> checkpoints = events("savepoint-replay-1", CheckpointEvent.class, false);
        CheckpointEvent savepoint = checkpoints.get(checkpoints.size() - 1); // the job stopped after it
        assertThat(restored.step()).isEqualTo(6);
        assertThat(savepoint.step()).isEqualTo(6);
        assertThat(restored.pending()).isEqualTo(savepoint.pending());
        assertThat(restored.replayBufferSha256()).as("buffer restored from the savepoint").isNotBlank()
                .isEqualTo(savepoint.replayBufferSha256());
        assertThat(restored.teacherSha256()).isEqualTo(savepoint.teacherSha256());
        assertThat(finalState("savepoint-replay-2")).containsKey(AuditEvents.REPLAY_BUFFER_DIGEST);

        // it continues: use counts run on across the two jobs, and the second replays images the first trained
        List<TrainedEvent> trained = new ArrayList<>(events("savepoint-replay-1", TrainedEvent.class, true));
        List<TrainedEvent> resumed = events("savepoint-replay-2", TrainedEvent.class, true);
        trained.addAll(resumed);
        assertThat(trained).extracting(TrainedEvent::step).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L,
                11L, 12L);
        Map<String, Integer> lastUse = new HashMap<>();
        for (TrainedEvent t : trained) {
            for (int i = 0; i < t.ids().size(); i++) {
                String id = t.ids().get(i) + "@" + t.epochs().get(i);
                assertThat(t.uses().get(i)).as("use of " + id + " at step " + t.step())
                        .isEqualTo(lastUse.getOrDefault(id, -1) + 1);
                lastUse.put(id, t.uses().get(i));
            }
        }
        Set<String> freshInFirst = new HashSet<>();
        events("savepoint-replay-1", TrainedEvent.class, true).forEach(t -> {
            for (int i = 0; i < t.ids().size(); i++) {
                if (t.uses().get(i) == 0) {
                    freshInFirst.add(t.ids().get(i));
                }
            }
        });
        assertThat(resumed.stream().flatMap(t -> t.ids().stream())).as("images of the first job replayed")
                .anyMatch(freshInFirst::contains);
        assertReplayed("savepoint-replay-1", 2, 6, 32);
        assertReplayed("savepoint-replay-2", 7, 12, 32);
    }

    /** The buffer settings of the runs with one: ratio 0.5 × 2 updates, capacity 64. */
    private static void replay(Map<String, String> values, String policy) {
        values.put("replay.policy", policy);
        values.put("replay.capacity", "64");
        values.put("replay.ratio", "0.5");
        values.put("replay.updates-per-sample", "2");
    }

    /**
     * Steps {@code from} … {@code to} each replayed exactly half their samples (0.5 × 2: every record is trained
     * once fresh and buys one replay, and the batch holds whole records), and the buffer filled to its capacity.
     */
    private static void assertReplayed(String runId, long from, long to, int capacity) {
        Map<Long, Integer> replayed = new TreeMap<>();
        events(runId, TrainedEvent.class, true).forEach(t -> replayed.put(t.step(), t.replayed()));
        for (long step = from; step <= to; step++) {
            assertThat(replayed.get(step)).as(runId + ": replayed samples at step " + step).isEqualTo(BATCH / 2);
        }
        List<MetricsEvent> metrics = events(runId, MetricsEvent.class, true);
        assertThat(metrics.get(metrics.size() - 1).scalars().get("replay-buffer-size")).as("buffer full")
                .isEqualTo((double) capacity);
    }

    /**
     * Every restore loaded the buffer a checkpoint wrote: the one with the same step and partial batch (two
     * checkpoints that agree on both saw the same records, so hold the same buffer).
     */
    private static void assertRestoredBuffers(String runId) {
        List<CheckpointEvent> checkpoints = events(runId, CheckpointEvent.class, false);
        List<RestoredEvent> restores = events(runId, RestoredEvent.class, false);
        assertThat(restores).isNotEmpty();
        for (RestoredEvent r : restores) {
            assertThat(r.replayBufferSha256()).as("buffer digest of " + r).isNotBlank();
            assertThat(checkpoints).as("a checkpoint of step %d with %d pending and the restored buffer", r.step(),
                    r.pending()).anyMatch(c -> c.step() == r.step() && c.pending() == r.pending()
                            && r.replayBufferSha256().equals(c.replayBufferSha256())
                            && r.teacherSha256().equals(c.teacherSha256()));
        }
    }

    /** A small BYOL/MoCo/DINO job: ResNet-18 at width 8, batch 16, metrics every step, checkpoints every 0.5 s. */
    private static Map<String, String> job(String method, Path dir) {
        Map<String, String> c = PipelineFixture.smallJob(kafka, dir);
        c.keySet().removeIf(k -> k.startsWith("method."));
        c.put("trainer.method", method);
        c.put("trainer.batch-size", Integer.toString(BATCH));
        c.put("metrics.every-steps", "1");
        c.put("metrics.trained-ids", "true");
        c.put("checkpoints.interval", "500 ms");
        switch (method) {
            case "dino" -> {
                c.put("method.out-dim", "256");
                c.put("method.head-hidden", "128");
                c.put("method.head-bottleneck", "64");
                c.put("method.local-views", "2");
            }
            case "deepclusterv2" -> { // re-clusters at steps 4 (queue full), 9, 14, …: across every failure
                c.put("method.prototypes", "16");
                c.put("method.projector-hidden", "128");
                c.put("method.projector-out", "64");
                c.put("method.queue-size", "64");
                c.put("method.recluster-every", "5");
            }
            case "seed" -> { // the frozen teacher is checkpointed state too: its weights are in the comparison
                c.put("method.teacher", seedTeacher.toString());
                c.put("method.projector-hidden", "64");
                c.put("method.queue-size", "64");
            }
            case "instdisc" -> { // replayed images come back: bank hits, their rows blended in place
                c.put("method.projector-out", "64");
                c.put("method.bank-size", "256");
            }
            case "mocov2" -> {
                c.put("method.projector-hidden", "128");
                c.put("method.projector-out", "64");
                c.put("method.queue-size", "256");
            }
            default -> {
                c.put("method.projector-hidden", "128");
                c.put("method.predictor-hidden", "128");
                c.put("method.projector-out", "64");
            }
        }
        return c;
    }

    private static JobRunner runner(Map<String, String> values, String runId) {
        JobConfig config = JobConfig.of(values);
        Configuration flink = JobFlinkConfiguration.of(config);
        // restart at once: the default exponential back-off would only make the test slower. Attempts to spare:
        // until the replacement TaskManager has registered its slots, every restart fails at once for want of
        // resources (NoResourceAvailableException), 10 of them in 2 s on a machine loaded by other builds
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 300);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        return new JobRunner(StreamExecutionEnvironment.getExecutionEnvironment(flink), config, runId,
                new PrintStream(System.out, true));
    }

    private static CompletableFuture<JobRunner.Summary> runAsync(JobRunner runner) {
        CompletableFuture<JobRunner.Summary> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(runner.run());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "job-runner");
        t.setDaemon(true);
        t.start();
        return f;
    }

    /** Takes the running TaskManager down (its tasks fail) and starts a fresh one for the restart. */
    private static void killTaskManager(MiniCluster cluster) throws Exception {
        System.out.println("terminating TaskManager " + liveTaskManager);
        cluster.terminateTaskManager(liveTaskManager).get(1, TimeUnit.MINUTES);
        cluster.startTaskManager();
        liveTaskManager++;
    }

    /** The run's {@code final-state} tensor digests, from the committed metrics. */
    private static Map<String, String> finalState(String runId) {
        List<FinalStateEvent> f = events(runId, FinalStateEvent.class, true);
        assertThat(f).as("final-state record of " + runId).hasSize(1);
        return new TreeMap<>(f.get(0).tensorSha256());
    }

    /** Step → the ids it trained on, from the committed {@code trained} records. */
    private static Map<Long, String> batchesByStep(String runId) {
        Map<Long, String> out = new TreeMap<>();
        events(runId, TrainedEvent.class, true).forEach(t -> out.put(t.step(), t.ids() + " " + t.uses() + " "
                + t.replayed() + " " + t.batchSha256()));
        return out;
    }

    /** Step → loss, from the committed metrics records (one per step). */
    private static Map<Long, String> lossByStep(String runId) {
        Map<Long, String> out = new TreeMap<>();
        events(runId, MetricsEvent.class, true).forEach(m -> out.put(m.step(), Double.toString(m.loss())));
        return out;
    }

    /** The first step at which the two maps differ, with both values; empty if they are equal. */
    private static java.util.Optional<String> firstDifference(Map<Long, String> a, Map<Long, String> b) {
        Set<Long> steps = new java.util.TreeSet<>(a.keySet());
        steps.addAll(b.keySet());
        for (long step : steps) {
            if (!java.util.Objects.equals(a.get(step), b.get(step))) {
                return java.util.Optional.of("step " + step + ": " + a.get(step) + " vs " + b.get(step));
            }
        }
        return java.util.Optional.empty();
    }

    /** How often each {@code id@epoch} was trained, from the committed {@code trained} records. */
    private static Map<String, Integer> trainedIds(String runId) {
        Map<String, Integer> out = new HashMap<>();
        for (TrainedEvent t : events(runId, TrainedEvent.class, true)) {
            for (int i = 0; i < t.ids().size(); i++) {
                out.merge(t.ids().get(i) + "@" + t.epochs().get(i), 1, Integer::sum);
            }
        }
        return out;
    }

    private static <T extends TrainerRecord> List<T> events(String runId, Class<T> type, boolean committedOnly) {
        return PipelineFixture.events(kafka, runId, type, committedOnly);
    }
}
