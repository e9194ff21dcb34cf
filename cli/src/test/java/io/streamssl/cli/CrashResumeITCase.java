package io.streamssl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.connectors.ImageProducer;
import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.event.CheckpointEvent;
import io.streamssl.connectors.event.MetricsEvent;
import io.streamssl.connectors.event.RestoredEvent;
import io.streamssl.connectors.event.TrainedEvent;
import io.streamssl.connectors.event.TrainerEventReader;
import io.streamssl.connectors.event.TrainerRecord;
import io.streamssl.connectors.kafka.EmbeddedKafka;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's crash, as the issue reports it: {@code streamssl run} as its own JVM, SIGKILLed mid-training, then the
 * same command again. The second process resumes from the newest completed checkpoint — the first step it trains
 * is the checkpointed step + 1, its restored teacher is the checkpointed teacher (digests) — and every record is
 * trained on exactly once across both processes (the committed {@code trained} audit events). Then a changed
 * method refuses to resume, naming the key, and {@code --fresh} starts over at step 1.
 */
class CrashResumeITCase {

    private static final int BATCH = 8;
    private static final long MAX_STEPS = 40;

    @TempDir
    Path work;

    @Test
    void aKilledRunResumesFromItsNewestCheckpointAndTrainsEveryRecordOnce() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"))) {
            kafka.createTopics(1, "images", "metrics", "snapshots", "images.dlq");
            // one partition, more records than the run trains: the order of training is the order produced
            ImageProducer.builder().setBootstrapServers(kafka.bootstrapServers())
                    .setDataset(new GeneratedShapes(MAX_STEPS * BATCH + 64, 5, 32)).optRepeat(1).build().run();

            Process first = run(kafka, "crash-1", work.resolve("run-1.log"));
            waitFor("two completed checkpoints of the first process", Duration.ofMinutes(3), () ->
                    events(kafka, "crash-1", CheckpointEvent.class, true).size() >= 2 || !first.isAlive());
            assertThat(first.isAlive()).as("still training when killed; log:\n%s", log("run-1.log")).isTrue();
            System.out.println("killing the first run at step " + events(kafka, "crash-1", MetricsEvent.class, false)
                    .stream().mapToLong(MetricsEvent::step).max().orElse(0) + ", " + Instant.now());
            first.destroyForcibly(); // SIGKILL: no shutdown hook, no savepoint
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            long stepAtKill = events(kafka, "crash-1", MetricsEvent.class, false).stream()
                    .mapToLong(MetricsEvent::step).max().orElse(0);
            assertThat(stepAtKill).as("killed mid-training").isLessThan(MAX_STEPS);

            Process second = run(kafka, "crash-2", work.resolve("run-2.log"));
            assertThat(second.waitFor(4, TimeUnit.MINUTES)).as("second run finished; log:\n%s", log("run-2.log"))
                    .isTrue();
            String out = log("run-2.log");
            System.out.println("second run done, " + Instant.now() + ":\n" + out);
            assertThat(second.exitValue()).as(out).isZero();
            Matcher resumed = Pattern.compile("resuming from checkpoint (\\d+) of job [0-9a-f]+").matcher(out);
            assertThat(resumed.find()).as(out).isTrue();
            long checkpointId = Long.parseLong(resumed.group(1));

            // the restored state is the one that checkpoint holds (its `checkpoint` record is committed now: the
            // restore commits what that checkpoint's transactions left pending)
            CheckpointEvent checkpointed = events(kafka, "crash-1", CheckpointEvent.class, true).stream()
                    .filter(c -> c.checkpointId() == checkpointId).findFirst().orElseThrow();
            RestoredEvent restored = events(kafka, "crash-2", RestoredEvent.class, true).get(0);
            assertThat(restored.step()).isEqualTo(checkpointed.step()).isPositive();
            assertThat(restored.teacherSha256()).isEqualTo(checkpointed.teacherSha256());
            assertThat(out).contains("restored at step " + checkpointed.step());

            List<TrainedEvent> before = events(kafka, "crash-1", TrainedEvent.class, true);
            List<TrainedEvent> after = events(kafka, "crash-2", TrainedEvent.class, true);
            assertThat(before).as("committed by the first process: up to its checkpoint")
                    .allMatch(t -> t.step() <= checkpointed.step());
            assertThat(after.get(0).step()).as("first step after the restart").isEqualTo(checkpointed.step() + 1);
            assertThat(after.get(after.size() - 1).step()).isEqualTo(MAX_STEPS);
            Map<String, Integer> times = new HashMap<>();
            for (TrainedEvent t : concat(before, after)) {
                for (int i = 0; i < t.ids().size(); i++) {
                    times.merge(t.ids().get(i) + "@" + t.epochs().get(i), 1, Integer::sum);
                }
            }
            assertThat(times).as("records trained across both processes").hasSize((int) (MAX_STEPS * BATCH));
            assertThat(times.values()).as("times each record was trained").containsOnly(1);

            // the same command once more: it resumes from the finished run's savepoint, which is at max-steps already
            Process again = run(kafka, "crash-5", work.resolve("run-5.log"));
            assertThat(again.waitFor(3, TimeUnit.MINUTES)).as(log("run-5.log")).isTrue();
            assertThat(log("run-5.log")).contains("resuming from savepoint of job", "restored at step " + MAX_STEPS,
                    "trainer.max-steps=" + MAX_STEPS + " is reached already");
            assertThat(again.exitValue()).as(log("run-5.log")).isZero();
            assertThat(events(kafka, "crash-5", TrainedEvent.class, false)).isEmpty();

            // the stored state is BYOL's: another method refuses, naming the key, both values and the ways out
            Process simsiam = run(kafka, "crash-3", work.resolve("run-3.log"), "--set", "trainer.method=simsiam");
            assertThat(simsiam.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(simsiam.exitValue()).isEqualTo(1);
            assertThat(log("run-3.log")).contains("'trainer.method' was 'byol'", "is 'simsiam' now", "--fresh",
                    "another checkpoints.dir");

            Process fresh = run(kafka, "crash-4", 2, work.resolve("run-4.log"), "--fresh");
            assertThat(fresh.waitFor(3, TimeUnit.MINUTES)).as(log("run-4.log")).isTrue();
            assertThat(fresh.exitValue()).as(log("run-4.log")).isZero();
            assertThat(events(kafka, "crash-4", RestoredEvent.class, true)).isEmpty();
            assertThat(events(kafka, "crash-4", TrainedEvent.class, true).get(0).step()).isEqualTo(1);
        }
    }

    /** {@code streamssl run} in its own JVM, as ./streamssl starts it, on the in-process broker. */
    private Process run(EmbeddedKafka kafka, String runId, Path log, String... more) throws IOException {
        return run(kafka, runId, MAX_STEPS, log, more);
    }

    private Process run(EmbeddedKafka kafka, String runId, long maxSteps, Path log, String... more)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx768m");
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports")).forEach(cmd::add);
        for (String p : List.of("ai.djl.offline", "ENGINE_CACHE_DIR", "DJL_CACHE_DIR", "log4j.configurationFile")) {
            if (System.getProperty(p) != null) {
                cmd.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(StreamsslCommand.class.getName());
        cmd.addAll(List.of("run", "--run-id", runId, "--max-steps", Long.toString(maxSteps),
                "--set", "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--set", "trainer.device=cpu", "--set", "trainer.width=8",
                "--set", "trainer.batch-size=" + BATCH,
                "--set", "method.projector-hidden=64", "--set", "method.predictor-hidden=64",
                "--set", "method.projector-out=32",
                "--set", "metrics.every-steps=1", "--set", "metrics.trained-ids=true",
                "--set", "snapshots.every-steps=1000",
                "--set", "checkpoints.interval=1 s",
                "--set", "checkpoints.dir=" + work.resolve("checkpoints"),
                "--set", "snapshots.dir=" + work.resolve("snapshots")));
        cmd.addAll(List.of(more));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        // libtorch's kernels: the instruction set every CI machine has (see the parent pom's failsafe settings)
        pb.environment().put("ONEDNN_MAX_CPU_ISA", "AVX2");
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        return pb.start();
    }

    private String log(String name) throws IOException {
        return Files.readString(work.resolve(name), StandardCharsets.UTF_8);
    }

    private static <T extends TrainerRecord> List<T> events(EmbeddedKafka kafka, String runId, Class<T> type,
            boolean committedOnly) {
        TrainerEventReader.Builder b = TrainerEventReader.builder().setBootstrapServers(kafka.bootstrapServers())
                .setTopic("metrics");
        try (TrainerEventReader reader = (committedOnly ? b : b.optReadUncommitted()).build()) {
            return TrainerEventReader.select(reader.readToEnd(), runId, type);
        }
    }

    private static List<TrainedEvent> concat(List<TrainedEvent> a, List<TrainedEvent> b) {
        List<TrainedEvent> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static void waitFor(String what, Duration timeout, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}
