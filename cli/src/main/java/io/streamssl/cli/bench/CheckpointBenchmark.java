package io.streamssl.cli.bench;

import io.streamssl.connectors.event.CheckpointEvent;
import io.streamssl.connectors.event.MetricsEvent;
import io.streamssl.connectors.event.TrainerEventReader;
import io.streamssl.connectors.event.TrainerRecord;
import io.streamssl.connectors.kafka.EmbeddedKafka;
import io.streamssl.models.GpuRequirement;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import io.streamssl.pipeline.job.JobFlinkConfiguration;
import io.streamssl.pipeline.job.TrainingJob;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.FileUtils;

/**
 * What checkpointing costs the real pipeline: checkpoint size and duration, and training throughput with
 * checkpoints every {@code interval} relative to checkpointing off (issue 5; the goal is a ratio ≥ 0.95).
 *
 * <pre>{@code
 * List<CheckpointBenchmark.CaseResult> results = CheckpointBenchmark.run(CheckpointBenchmark.CASES,
 *         CheckpointBenchmark.Settings.defaults(), System.out);
 * System.out.print(CheckpointBenchmark.table(results));
 * }</pre>
 *
 * <p>Everything is real and in this process: a KRaft Kafka broker ({@link EmbeddedKafka}), an {@link ImageBacklog}
 * keeping generated images ahead of the trainer, and for each case two phases — checkpoints every
 * {@code interval}, then checkpointing off — each on a fresh Flink {@link MiniCluster} running the job of
 * {@link TrainingJob#build} with the configuration of {@link TrainingJob#flinkConfiguration} (RocksDB, incremental
 * checkpoints). Each phase has its own topics and checkpoint directory; the work directory is deleted at the end.
 *
 * <p>Throughput is the trainer's: images trained per second of wall clock between two of its metrics records
 * (published every step here), from the first at or after {@code warmupSteps} to the first at least
 * {@code measured} later, using the records' own timestamps. It therefore includes every pause a checkpoint
 * causes on the trainer's thread. Checkpoint figures come from Flink's REST API ({@link FlinkCheckpointStats}) for
 * the checkpoints triggered inside that window; the trainer's {@code checkpoint} records give the bytes of the
 * tensors copied into state.
 *
 * <p>"Off" is not expressible through {@code checkpoints.interval} (it must be at least 100 ms), so the "off"
 * phase removes {@code execution.checkpointing.interval} from the Flink configuration, which Flink reads as
 * checkpointing disabled; the phase checks over REST that the job indeed has no checkpoints. The exactly-once
 * metrics sink then keeps one transaction open for the whole phase; the benchmark reads the metrics topic
 * {@code read_uncommitted}, so it sees the records anyway.
 */
public final class CheckpointBenchmark {

    private static final double MIB = 1 << 20;
    /** Printed progress at most this often (a line per step would flood a log at small widths). */
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(15);
    /** A phase fails when the trainer publishes nothing for this long (first steps included). */
    private static final Duration STALLED_AFTER = Duration.ofMinutes(10);
    /**
     * RocksDB's managed memory in each phase: what a TaskManager of deploy/flink/config.yaml has (0.2 × the
     * 3.35 GiB of Flink memory of a 4 GiB process), not the 128 MiB of Flink's local default: the job as a
     * cluster runs it (the tensors no longer go through RocksDB, its keyed state holds the small values).
     */
    private static final MemorySize MANAGED_MEMORY = MemorySize.parse("686m");
    /** Longest measured window: see {@link Settings}. */
    private static final Duration MAX_MEASURED = Duration.ofMinutes(8);

    /**
     * A configuration to measure.
     *
     * @param settings streamssl config keys of the case (on top of the benchmark's, under {@code --set})
     */
    public record Case(String name, String description, Map<String, String> settings) {}

    /** The cases of issue 5. */
    public static final List<Case> CASES = List.of(
            new Case("byol-r18", "BYOL, ResNet-18", Map.of(
                    StreamsslOptions.METHOD.key(), "byol", StreamsslOptions.ENCODER.key(), "resnet18")),
            new Case("mocov2-r18-q65536", "MoCo v2, ResNet-18, queue 65,536 x 128", Map.of(
                    StreamsslOptions.METHOD.key(), "mocov2", StreamsslOptions.ENCODER.key(), "resnet18",
                    JobConfig.METHOD_PREFIX + "queue-size", "65536",
                    // the queue holds projections: 128 wide as in the paper's 65,536 x 128 queue
                    JobConfig.METHOD_PREFIX + "projector-out", "128")),
            new Case("byol-r50", "BYOL, ResNet-50", Map.of(
                    StreamsslOptions.METHOD.key(), "byol", StreamsslOptions.ENCODER.key(), "resnet50")));

    /** The case named {@code name}; the message lists the valid names. */
    public static Case namedCase(String name) {
        return CASES.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("unknown case '" + name + "'; valid: "
                        + CASES.stream().map(Case::name).collect(Collectors.joining(", "))));
    }

    /**
     * How to run every case.
     *
     * @param measured wall-clock length of each measured window
     * @param warmupSteps the window starts at the first metrics record at or after this step (at least step 1)
     * @param interval checkpoint interval of the "with checkpoints" phase
     * @param jobSettings more streamssl config keys for every case (win over the case's)
     * @param flinkSettings raw Flink configuration keys for every phase's cluster and job (win over everything)
     * @param workDir where brokers' logs, checkpoints and temporary files go; {@code null}: a temporary directory
     * @param segment {@code null}: two phases, each on its own cluster; else one job that alternates segments of
     *     this length without and with checkpoints ({@code measured} of each in all), the benchmark triggering
     *     the checkpoints every {@code interval} in the "with" segments — both rates then see the same load of
     *     the machine, which a shared machine changes between two phases
     */
    public record Settings(int width, int batchSize, int size, Duration measured, int warmupSteps, Duration interval,
            Map<String, String> jobSettings, Map<String, String> flinkSettings, Path workDir, Duration segment) {

        public Settings(int width, int batchSize, int size, Duration measured, int warmupSteps, Duration interval,
                Map<String, String> jobSettings, Map<String, String> flinkSettings, Path workDir) {
            this(width, batchSize, size, measured, warmupSteps, interval, jobSettings, flinkSettings, workDir, null);
        }

        public Settings {
            StringBuilder bad = new StringBuilder();
            if (width < 8) {
                bad.append(" width must be at least 8, got ").append(width).append(';');
            }
            if (batchSize < 2) {
                bad.append(" batch size must be at least 2, got ").append(batchSize).append(';');
            }
            if (size < 16) {
                bad.append(" size must be at least 16 px, got ").append(size).append(';');
            }
            if (measured == null || measured.isNegative() || measured.isZero()) {
                bad.append(" the measured time must be positive, got ").append(measured).append(';');
            }
            if (measured != null && measured.compareTo(MAX_MEASURED) > 0) {
                // with checkpointing off, the exactly-once metrics sink never commits: its one Kafka transaction
                // stays open for the whole phase, and the broker aborts it after the sink's transaction.timeout.ms
                // (10 min, TrainingJob), which fails the job
                bad.append(" the measured time must be at most ").append(MAX_MEASURED.toMinutes())
                        .append(" min (the 'off' phase's metrics transaction would time out), got ").append(measured)
                        .append(';');
            }
            if (warmupSteps < 0) {
                bad.append(" warm-up steps must be >= 0, got ").append(warmupSteps).append(';');
            }
            if (interval == null || interval.toMillis() < 100) {
                bad.append(" the checkpoint interval must be at least 100 ms, got ").append(interval).append(';');
            }
            if (segment != null && interval != null && segment.compareTo(interval) < 0) {
                bad.append(" a segment must be at least the checkpoint interval (").append(interval).append("), got ")
                        .append(segment).append(';');
            }
            if (bad.length() > 0) {
                throw new IllegalArgumentException("bench checkpoint:" + bad.substring(0, bad.length() - 1));
            }
            jobSettings = Map.copyOf(jobSettings);
            flinkSettings = Map.copyOf(flinkSettings);
        }

        /** Full-width networks at CIFAR size: batch 32, 32 px, width 64, 75 s per phase after 2 steps, every 10 s. */
        public static Settings defaults() {
            return new Settings(64, 32, 32, Duration.ofSeconds(75), 2, Duration.ofSeconds(10), Map.of(), Map.of(),
                    null);
        }
    }

    /**
     * Images trained per wall-clock second between two metrics records of the trainer.
     *
     * @param inStepImagesPerSecond the same images per second spent inside training steps only (the records'
     *     {@code train_images_per_s}): checkpoints pause the trainer between steps, so this rate moves only when
     *     the cores get slower — other work on the machine, or checkpoint work in the background
     */
    public record Throughput(double imagesPerSecond, double inStepImagesPerSecond, long fromStep, long toStep,
            long images, double seconds) {}

    /**
     * One phase: its throughput and, with checkpointing on, Flink's statistics.
     *
     * @param measuredCheckpoints completed checkpoints triggered inside the measured window
     * @param failedCheckpoints failed checkpoints triggered inside the measured window
     * @param firstCheckpoint the job's first completed checkpoint (with incremental checkpoints, a full one)
     * @param tensorBytes bytes of the tensors the trainer copied into state at its last checkpoint
     * @param counts Flink's checkpoint counts of the whole job at the end of the window (its failures include
     *     triggers declined while the tasks were still starting); empty when checkpointing was off
     */
    public record Phase(Throughput throughput, List<FlinkCheckpointStats.Completed> measuredCheckpoints,
            List<FlinkCheckpointStats.Failed> failedCheckpoints, Optional<FlinkCheckpointStats.Completed> firstCheckpoint, long tensorBytes,
            Optional<FlinkCheckpointStats.Counts> counts) {}

    /** Both phases of a case. */
    public record CaseResult(Case benchCase, Phase withCheckpoints, Phase withoutCheckpoints) {
        public double ratio() {
            return withCheckpoints.throughput().imagesPerSecond() / withoutCheckpoints.throughput().imagesPerSecond();
        }

        /** The in-step rates' ratio: far from 1, the cores were not equally fast in both phases. */
        public double inStepRatio() {
            return withCheckpoints.throughput().inStepImagesPerSecond()
                    / withoutCheckpoints.throughput().inStepImagesPerSecond();
        }
    }

    private final Settings settings;
    private final PrintStream out;

    private CheckpointBenchmark(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    /** Runs every case (both phases each) and returns the results; progress goes to {@code out}. */
    public static List<CaseResult> run(List<Case> cases, Settings settings, PrintStream out) throws Exception {
        if (cases.isEmpty()) {
            throw new IllegalArgumentException("bench checkpoint: no case selected");
        }
        CheckpointBenchmark bench = new CheckpointBenchmark(settings, out);
        // every config is checked before the first minute is spent on the broker
        for (Case c : cases) {
            JobConfig check = JobConfig.of(bench.jobValues(c, "localhost:9092", "check", Path.of("check")));
            GpuRequirement.check(check.get(StreamsslOptions.DEVICE)); // the trainer runs in this JVM
        }
        boolean temporary = settings.workDir() == null;
        Path work = temporary ? Files.createTempDirectory("streamssl-bench-checkpoint")
                : Files.createDirectories(settings.workDir().toAbsolutePath());
        try {
            return bench.runAll(cases, work);
        } finally {
            if (temporary) {
                FileUtils.deleteDirectory(work.toFile());
            }
        }
    }

    private List<CaseResult> runAll(List<Case> cases, Path work) throws Exception {
        long started = System.nanoTime();
        out.printf(Locale.ROOT, "bench checkpoint: %d case(s) x 2 phases, %s measured per phase after step %d, width %d,"
                + " batch %d, %d px; starting an in-process Kafka broker …%n", cases.size(),
                seconds(settings.measured()), Math.max(1, settings.warmupSteps()), settings.width(),
                settings.batchSize(), settings.size());
        List<CaseResult> results = new ArrayList<>();
        FileUtils.deleteDirectory(work.resolve("kafka").toFile()); // a kept --work-dir's broker from an earlier run
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"))) {
            int index = 0;
            for (Case c : cases) {
                CaseResult r;
                if (settings.segment() != null) {
                    r = runInterleaved(kafka, c, work, index++);
                } else {
                    Phase on = runPhase(kafka, c, true, work, index++);
                    Phase off = runPhase(kafka, c, false, work, index++);
                    r = new CaseResult(c, on, off);
                }
                out.printf(Locale.ROOT, "[%s] %.2f img/s with checkpoints, %.2f without: ratio %.3f (in steps: %.2f"
                        + " and %.2f img/s)%n", c.name(), r.withCheckpoints().throughput().imagesPerSecond(),
                        r.withoutCheckpoints().throughput().imagesPerSecond(), r.ratio(),
                        r.withCheckpoints().throughput().inStepImagesPerSecond(),
                        r.withoutCheckpoints().throughput().inStepImagesPerSecond());
                results.add(r);
            }
        }
        out.printf(Locale.ROOT, "bench checkpoint: done in %s%n", seconds(Duration.ofNanos(System.nanoTime() - started)));
        return results;
    }

    /** The streamssl config of one phase of a case. */
    private Map<String, String> jobValues(Case c, String bootstrap, String prefix, Path dir) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put(StreamsslOptions.BOOTSTRAP_SERVERS.key(), bootstrap);
        // own topics and group per phase: a phase never reads another phase's images or metrics
        v.put(StreamsslOptions.IMAGES_TOPIC.key(), prefix + ".images");
        v.put(StreamsslOptions.METRICS_TOPIC.key(), prefix + ".metrics");
        v.put(StreamsslOptions.SNAPSHOTS_TOPIC.key(), prefix + ".snapshots");
        v.put(StreamsslOptions.DEAD_LETTER_TOPIC.key(), prefix + ".dlq");
        v.put(StreamsslOptions.GROUP_ID.key(), prefix);
        v.put(StreamsslOptions.WIDTH.key(), Integer.toString(settings.width()));
        v.put(StreamsslOptions.BATCH_SIZE.key(), Integer.toString(settings.batchSize()));
        v.put(StreamsslOptions.IMAGE_SIZE.key(), Integer.toString(settings.size()));
        // a record per step: the window's ends fall on step boundaries, not every 10th step
        v.put(StreamsslOptions.METRICS_EVERY.key(), "1");
        // no snapshot inside a window: writing the encoder would be counted against checkpointing
        v.put(StreamsslOptions.SNAPSHOT_EVERY.key(), Integer.toString(Integer.MAX_VALUE));
        v.put(StreamsslOptions.SNAPSHOT_DIR.key(), dir.resolve("snapshots").toString());
        v.put(StreamsslOptions.CHECKPOINT_DIR.key(), dir.resolve("checkpoints").toString());
        v.put(StreamsslOptions.CHECKPOINT_INTERVAL.key(), settings.interval().toMillis() + " ms");
        v.putAll(c.settings());
        v.putAll(settings.jobSettings());
        return v;
    }

    /** The Flink configuration of one phase: the job's own, plus what the benchmark needs to observe it. */
    private Configuration flinkConfiguration(JobConfig config, boolean checkpointing, Path dir) {
        Configuration flink = JobFlinkConfiguration.of(config);
        if (!checkpointing) {
            // an absent interval is Flink's "checkpointing disabled" (checkpoints.interval cannot say "off")
            flink.removeConfig(CheckpointingOptions.CHECKPOINTING_INTERVAL);
        }
        flink.set(RestOptions.ADDRESS, "127.0.0.1");
        flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        flink.set(RestOptions.BIND_PORT, "0"); // a free port; the MiniCluster tells which
        // every checkpoint of a phase stays in the REST history, and the statistics are fresh when read
        flink.set(WebOptions.CHECKPOINTS_HISTORY_SIZE, 10_000);
        flink.set(WebOptions.REFRESH_INTERVAL, Duration.ofMillis(500));
        flink.set(RestOptions.CACHE_CHECKPOINT_STATISTICS_TIMEOUT, Duration.ofMillis(500));
        flink.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MANAGED_MEMORY);
        flink.set(CoreOptions.TMP_DIRS, dir.resolve("tmp").toString()); // RocksDB's working files: deleted with dir
        flink.set(CoreOptions.DEFAULT_PARALLELISM, 1);
        flink.set(TaskManagerOptions.NUM_TASK_SLOTS, Math.max(1, config.get(StreamsslOptions.AUGMENT_PARALLELISM)));
        flink.addAll(Configuration.fromMap(settings.flinkSettings()));
        return flink;
    }

    /**
     * One job for both rates: checkpointing on with a period too long to fire, segments alternating between none
     * and checkpoints the benchmark triggers every {@code interval} (at the segment's start and after).
     */
    private CaseResult runInterleaved(EmbeddedKafka kafka, Case c, Path work, int index) throws Exception {
        String label = "[" + c.name() + " | segments of " + seconds(settings.segment()) + ", checkpoints every "
                + seconds(settings.interval()) + " in every other]";
        String prefix = "bench-" + index + "-" + c.name() + "-segments";
        // checkpointing on, but periodic checkpoints never fire: the benchmark triggers them itself
        return runJob(kafka, c, work, prefix, label, true,
                flink -> flink.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofDays(1)),
                (cluster, job, stats, metrics, backlog, runId) ->
                        new SegmentedRun(label, cluster, job, stats, metrics, backlog, runId).measure(c));
    }

    /** Segment {@code k} of an interleaved run: without, with, with, without, and again. */
    static boolean withCheckpoints(int k) {
        return k % 4 == 1 || k % 4 == 2;
    }

    /** The measurement of {@link #runInterleaved}: segment by segment, by the trainer's metrics records. */
    private final class SegmentedRun {
        private final String label;
        private final MiniCluster cluster;
        private final JobID job;
        private final FlinkCheckpointStats stats;
        private final TrainerEventReader metrics;
        private final ImageBacklog backlog;
        private final String runId;

        SegmentedRun(String label, MiniCluster cluster, JobID job, FlinkCheckpointStats stats,
                TrainerEventReader metrics, ImageBacklog backlog, String runId) {
            this.label = label;
            this.cluster = cluster;
            this.job = job;
            this.stats = stats;
            this.metrics = metrics;
            this.backlog = backlog;
            this.runId = runId;
        }

        CaseResult measure(Case c) throws Exception {
            long warmup = Math.max(1, settings.warmupSteps());
            double segment = settings.segment().toNanos() / 1e9;
            // an even number of each, in the order without, with, with, without (ABBA): a load that rises or falls
            // steadily over the run weighs on both rates alike
            int perRate = (int) Math.ceil(settings.measured().toNanos() / (double) settings.segment().toNanos());
            int segments = 2 * (perRate + perRate % 2);
            long intervalNanos = settings.interval().toNanos();
            long submitted = System.nanoTime();
            long lastRecord = submitted;
            long lastStatus = 0;
            long tensorBytes = 0;
            Mark last = null;
            Mark segmentStart = null;
            int k = -1; // the current segment; withCheckpoints(k) says which rate it measures
            long nextTrigger = Long.MAX_VALUE;
            long segmentEndNanos = Long.MAX_VALUE;
            long[] images = new long[2];
            double[] secs = new double[2];
            double[] inStep = new double[2];
            long[] fromStep = {-1, -1};
            long[] toStep = new long[2];
            Instant windowStart = null;
            Instant windowEnd = null;
            List<java.util.concurrent.CompletableFuture<String>> triggered = new ArrayList<>();
            while (k < segments) {
                for (TrainerRecord e : metrics.poll(Duration.ofMillis(100))) {
                    if (!runId.equals(e.runId())) {
                        continue;
                    }
                    lastRecord = System.nanoTime();
                    if (e instanceof CheckpointEvent ce) {
                        tensorBytes = ce.stateBytes();
                    } else if (e instanceof MetricsEvent m) {
                        Mark previous = last;
                        last = Mark.of(m);
                        backlog.trained(last.images());
                        if (k < 0) {
                            if (last.step() >= warmup) {
                                k = 0;
                                segmentStart = last;
                                windowStart = last.ts();
                                segmentEndNanos = System.nanoTime() + settings.segment().toNanos();
                                out.printf(Locale.ROOT, "%s step %d after %s: %d segments of %s …%n", label,
                                        last.step(), seconds(Duration.ofNanos(lastRecord - submitted)), segments,
                                        seconds(settings.segment()));
                            }
                            continue;
                        }
                        if (k >= segments) {
                            continue;
                        }
                        int mode = withCheckpoints(k) ? 1 : 0;
                        if (previous != null && m.trainImagesPerSecond() > 0) {
                            inStep[mode] += (last.images() - previous.images()) / m.trainImagesPerSecond();
                        }
                        if (last.secondsSince(segmentStart) >= segment) {
                            double s = last.secondsSince(segmentStart);
                            long n = last.images() - segmentStart.images();
                            images[mode] += n;
                            secs[mode] += s;
                            if (fromStep[mode] < 0) {
                                fromStep[mode] = segmentStart.step();
                            }
                            toStep[mode] = last.step();
                            out.printf(Locale.ROOT, "%s segment %d/%d %s: %.2f img/s over %.1f s (steps %d-%d)%n",
                                    label, k + 1, segments, mode == 1 ? "with checkpoints" : "without", n / s, s,
                                    segmentStart.step(), last.step());
                            k++;
                            segmentStart = last;
                            windowEnd = last.ts();
                            segmentEndNanos = System.nanoTime() + settings.segment().toNanos();
                            // a "with" segment: checkpoints at its start and every interval inside it
                            nextTrigger = k < segments && withCheckpoints(k) ? System.nanoTime() : Long.MAX_VALUE;
                        }
                    }
                }
                backlog.rethrow();
                long now = System.nanoTime();
                if (now >= nextTrigger) {
                    triggered.add(cluster.triggerCheckpoint(job));
                    nextTrigger += intervalNanos;
                    if (nextTrigger >= segmentEndNanos - intervalNanos / 10
                            && nextTrigger < segmentEndNanos + intervalNanos) {
                        // none at the segment's planned end (its async part would fall into the next segment);
                        // a segment that overruns it (it ends with a step) keeps the cadence after one interval
                        nextTrigger = segmentEndNanos + intervalNanos;
                    }
                }
                if (now - lastStatus > TimeUnit.SECONDS.toNanos(2)) {
                    lastStatus = now;
                    failIfEnded(cluster, job);
                }
                if (now - lastRecord > STALLED_AFTER.toNanos()) {
                    throw new IllegalStateException(label + " the trainer published nothing for "
                            + seconds(STALLED_AFTER) + (last == null ? " since the job started" : " after step "
                            + last.step()));
                }
            }
            for (var f : triggered) {
                if (f.isCompletedExceptionally()) {
                    out.println(label + " a triggered checkpoint failed: " + f.handle((v, t) -> t).join());
                }
            }
            Thread.sleep(1000); // the statistics cache of the REST API refreshes every 500 ms here
            List<FlinkCheckpointStats.Completed> all = stats.completed(stats.vertexId("trainer: "), 0, Long.MAX_VALUE);
            long from = windowStart.toEpochMilli();
            long to = windowEnd.toEpochMilli();
            List<FlinkCheckpointStats.Completed> inWindow = all.stream()
                    .filter(cp -> cp.triggerTimestamp() >= from && cp.triggerTimestamp() <= to).toList();
            List<FlinkCheckpointStats.Failed> failed = stats.failed(from, to);
            Throughput on = new Throughput(images[1] / secs[1], images[1] / inStep[1], fromStep[1], toStep[1],
                    images[1], secs[1]);
            Throughput off = new Throughput(images[0] / secs[0], images[0] / inStep[0], fromStep[0], toStep[0],
                    images[0], secs[0]);
            out.printf(Locale.ROOT, "%s with checkpoints %.2f img/s over %.1f s, without %.2f img/s over %.1f s;"
                    + " %d completed and %d failed checkpoint(s)%n", label, on.imagesPerSecond(), on.seconds(),
                    off.imagesPerSecond(), off.seconds(), inWindow.size(), failed.size());
            return new CaseResult(c, new Phase(on, inWindow, failed, all.stream().findFirst(), tensorBytes,
                    stats.counts()), new Phase(off, List.of(), List.of(), Optional.empty(), 0, Optional.empty()));
        }
    }

    private Phase runPhase(EmbeddedKafka kafka, Case c, boolean checkpointing, Path work, int index)
            throws Exception {
        String label = "[" + c.name() + " | " + (checkpointing ? "checkpoints every " + seconds(settings.interval())
                : "checkpoints off") + "]";
        String prefix = "bench-" + index + "-" + c.name() + (checkpointing ? "-on" : "-off");
        return runJob(kafka, c, work, prefix, label, checkpointing, flink -> { },
                (cluster, job, stats, metrics, backlog, runId) ->
                        measure(label, cluster, job, stats, metrics, backlog, runId, checkpointing));
    }

    /** What is measured of a started job, before the benchmark cancels it. */
    private interface JobMeasurement<R> {
        R measure(MiniCluster cluster, JobID job, FlinkCheckpointStats stats, TrainerEventReader metrics,
                ImageBacklog backlog, String runId) throws Exception;
    }

    /**
     * Runs case {@code c} as the whole job on a fresh MiniCluster with RocksDB, fed by an image backlog in its
     * own topics ({@code prefix}), measures it with {@code measurement}, then cancels it and deletes its
     * directory (a run's retained checkpoints can be gigabytes).
     */
    private <R> R runJob(EmbeddedKafka kafka, Case c, Path work, String prefix, String label, boolean checkpointing,
            Consumer<Configuration> adjustFlink, JobMeasurement<R> measurement) throws Exception {
        Path dir = work.resolve(prefix);
        JobConfig config = JobConfig.of(jobValues(c, kafka.bootstrapServers(), prefix, dir));
        kafka.createTopics(1, config.get(StreamsslOptions.IMAGES_TOPIC), config.get(StreamsslOptions.METRICS_TOPIC),
                config.get(StreamsslOptions.SNAPSHOTS_TOPIC), config.get(StreamsslOptions.DEAD_LETTER_TOPIC));
        Configuration flink = flinkConfiguration(config, checkpointing, dir);
        adjustFlink.accept(flink);
        String runId = UUID.randomUUID().toString();
        // the source reads ahead up to about two polls of records (2 x 500), plus network buffers and a
        // partial batch: keep well beyond that queued so the trainer never waits
        long headroom = Math.max(2048, 16L * settings.batchSize());
        out.printf(Locale.ROOT, "%s starting: %s, %s width %d, batch %d, %d px …%n", label, c.description(),
                config.get(StreamsslOptions.ENCODER), config.get(StreamsslOptions.WIDTH),
                config.get(StreamsslOptions.BATCH_SIZE), config.get(StreamsslOptions.IMAGE_SIZE));
        try (ImageBacklog backlog = ImageBacklog.start(kafka.bootstrapServers(),
                config.get(StreamsslOptions.IMAGES_TOPIC), config.get(StreamsslOptions.IMAGE_SIZE), headroom);
                TrainerEventReader metrics = metricsReader(kafka.bootstrapServers(),
                        config.get(StreamsslOptions.METRICS_TOPIC));
                MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(flink)
                        .setNumTaskManagers(1)
                        .setNumSlotsPerTaskManager(flink.get(TaskManagerOptions.NUM_TASK_SLOTS)).build())) {
            cluster.start();
            StreamExecutionEnvironment env = new StreamExecutionEnvironment(flink);
            TrainingJob.build(env, config, runId);
            JobID job = cluster.submitJob(env.getStreamGraph().getJobGraph()).get(2, TimeUnit.MINUTES).getJobID();
            FlinkCheckpointStats stats = new FlinkCheckpointStats(cluster.getRestAddress().get(30, TimeUnit.SECONDS),
                    job.toHexString());
            try {
                return measurement.measure(cluster, job, stats, metrics, backlog, runId);
            } finally {
                cancel(label, cluster, job);
            }
        } finally {
            FileUtils.deleteDirectory(dir.toFile());
        }
    }

    /** One trainer metrics record: where the trainer was, and when (by its own clock). */
    private record Mark(long step, long images, Instant ts) {
        static Mark of(MetricsEvent m) {
            return new Mark(m.step(), m.header().images(), m.header().ts());
        }

        double secondsSince(Mark earlier) {
            return Duration.between(earlier.ts, ts).toNanos() / 1e9;
        }
    }

    private Phase measure(String label, MiniCluster cluster, JobID job, FlinkCheckpointStats stats,
            TrainerEventReader metrics, ImageBacklog backlog, String runId, boolean checkpointing)
            throws Exception {
        long warmup = Math.max(1, settings.warmupSteps());
        double window = settings.measured().toNanos() / 1e9;
        long submitted = System.nanoTime();
        long lastRecord = submitted;
        long lastStatus = 0;
        long lastProgress = submitted;
        Mark start = null;
        Mark last = null;
        Mark end = null;
        long tensorBytes = 0;
        double inStepSeconds = 0;
        while (end == null) {
            for (TrainerRecord e : metrics.poll(java.time.Duration.ofMillis(500))) {
                if (!runId.equals(e.runId())) {
                    continue;
                }
                lastRecord = System.nanoTime();
                if (e instanceof CheckpointEvent c) {
                    tensorBytes = c.stateBytes();
                } else if (e instanceof MetricsEvent m) {
                    Mark previous = last;
                    last = Mark.of(m);
                    double inStepRate = m.trainImagesPerSecond();
                    if (start != null && end == null && previous != null && inStepRate > 0) {
                        inStepSeconds += (last.images() - previous.images()) / inStepRate;
                    }
                    backlog.trained(last.images());
                    if (start == null && last.step() >= warmup) {
                        start = last;
                        out.printf(Locale.ROOT, "%s step %d after %s: measuring %s …%n", label, start.step(),
                                seconds(Duration.ofNanos(lastRecord - submitted)), seconds(settings.measured()));
                    } else if (start != null && end == null && last.secondsSince(start) >= window) {
                        end = last;
                    }
                }
            }
            backlog.rethrow();
            long now = System.nanoTime();
            if (now - lastStatus > TimeUnit.SECONDS.toNanos(2)) {
                lastStatus = now;
                failIfEnded(cluster, job);
            }
            if (now - lastRecord > STALLED_AFTER.toNanos()) {
                throw new IllegalStateException(label + " the trainer published nothing for " + seconds(STALLED_AFTER)
                        + (last == null ? " since the job started" : " after step " + last.step()));
            }
            if (end == null && now - lastProgress > PROGRESS_EVERY.toNanos()) {
                lastProgress = now;
                progress(label, start, last, stats, checkpointing, backlog);
            }
        }
        long images = end.images() - start.images();
        Throughput throughput = new Throughput(images / end.secondsSince(start),
                inStepSeconds > 0 ? images / inStepSeconds : Double.NaN, start.step(), end.step(), images,
                end.secondsSince(start));
        if (stats.periodicCheckpoints() != checkpointing) {
            throw new IllegalStateException(label + " Flink's checkpoint configuration of the job says checkpointing is "
                    + (checkpointing ? "off" : "on"));
        }
        if (!checkpointing) {
            long total = stats.counts().map(FlinkCheckpointStats.Counts::total).orElse(0L);
            if (total > 0) {
                throw new IllegalStateException(label + " checkpointing is off, yet Flink reports " + total
                        + " checkpoint(s)");
            }
            out.printf(Locale.ROOT, "%s %.2f img/s over %.1f s (steps %d-%d); Flink: checkpointing disabled%n", label,
                    throughput.imagesPerSecond(), throughput.seconds(), start.step(), end.step());
            return new Phase(throughput, List.of(), List.of(), Optional.empty(), 0, Optional.empty());
        }
        // the statistics cache of the REST API refreshes every 500 ms here
        Thread.sleep(1000);
        List<FlinkCheckpointStats.Completed> all = stats.completed(stats.vertexId("trainer: "), 0, Long.MAX_VALUE);
        long from = start.ts().toEpochMilli();
        long to = end.ts().toEpochMilli();
        List<FlinkCheckpointStats.Completed> inWindow = all.stream()
                .filter(cp -> cp.triggerTimestamp() >= from && cp.triggerTimestamp() <= to).toList();
        List<FlinkCheckpointStats.Failed> failed = stats.failed(from, to);
        Optional<FlinkCheckpointStats.Counts> counts = stats.counts();
        out.printf(Locale.ROOT, "%s %.2f img/s over %.1f s (steps %d-%d); %d completed and %d failed checkpoint(s)"
                + " triggered in the window%s%n", label, throughput.imagesPerSecond(), throughput.seconds(),
                start.step(), end.step(), inWindow.size(), failed.size(),
                failed.isEmpty() ? "" : " (first failure: " + failed.get(0).message() + ")");
        return new Phase(throughput, inWindow, failed, all.stream().findFirst(), tensorBytes, counts);
    }

    private void progress(String label, Mark start, Mark last, FlinkCheckpointStats stats, boolean checkpointing,
            ImageBacklog backlog) {
        StringBuilder line = new StringBuilder(label);
        if (last == null) {
            line.append(" waiting for the first step");
        } else if (start == null) {
            line.append(" warming up: step ").append(last.step());
        } else {
            double s = last.secondsSince(start);
            line.append(String.format(Locale.ROOT, " %.0f/%s | step %d", s, seconds(settings.measured()), last.step()));
            if (s > 0) {
                line.append(String.format(Locale.ROOT, " | %.2f img/s", (last.images() - start.images()) / s));
            }
        }
        if (checkpointing) {
            try {
                stats.counts().ifPresent(n -> line.append(" | checkpoints: ").append(n.completed()).append(" completed")
                        .append(n.inProgress() > 0 ? ", " + n.inProgress() + " in progress" : "")
                        .append(n.failed() > 0 ? ", " + n.failed() + " failed" : ""));
            } catch (IOException e) {
                line.append(" | checkpoint statistics unavailable: ").append(e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        line.append(" | images queued ").append(backlog.sent() - (last == null ? 0 : last.images()));
        out.println(line);
    }

    /** Throws with the job's failure when the job ended before the window did. */
    private static void failIfEnded(MiniCluster cluster, JobID job) throws Exception {
        JobStatus status = cluster.getJobStatus(job).get(30, TimeUnit.SECONDS);
        if (status.isGloballyTerminalState()) {
            JobResult result = cluster.requestJobResult(job).get(30, TimeUnit.SECONDS);
            throw new IllegalStateException("the job ended (" + status + ") before the measurement did",
                    result.getSerializedThrowable().orElse(null));
        }
    }

    /** Cancels the job and waits until its tasks (and the trainer's native memory) are released. */
    private void cancel(String label, MiniCluster cluster, JobID job) {
        try {
            if (!cluster.getJobStatus(job).get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
                cluster.cancelJob(job).get(1, TimeUnit.MINUTES);
            }
            // a training step in flight finishes first: its native code does not see the interrupt
            cluster.requestJobResult(job).get(5, TimeUnit.MINUTES);
        } catch (Exception e) {
            out.println(label + " could not cancel the job cleanly: " + e);
        }
    }

    private static TrainerEventReader metricsReader(String bootstrap, String topic) {
        // the records as the trainer writes them: committed ones would come only with each checkpoint (or never,
        // with checkpointing off)
        return TrainerEventReader.builder().setBootstrapServers(bootstrap).setTopic(topic).optReadUncommitted()
                .build();
    }

    /** The results as a table, one row per case, followed by the breakdown of each case's checkpoints. */
    public static String table(List<CaseResult> results, Settings settings) {
        StringBuilder sb = new StringBuilder();
        String interval = seconds(settings.interval());
        String row = "%-18s %9s %9s %17s %15s %15s %10s %9s %6s%n";
        sb.append(String.format(Locale.ROOT, row, "", "tensors", "state", "checkpointed MiB", "checkpoint s",
                "task thread s", "img/s", "img/s", ""));
        sb.append(String.format(Locale.ROOT, row, "case", "MiB", "MiB", "full / incr.", "avg / max", "avg / max",
                "ckpt " + interval, "no ckpt", "ratio"));
        for (CaseResult r : results) {
            Phase on = r.withCheckpoints();
            List<FlinkCheckpointStats.Completed> cps = on.measuredCheckpoints();
            // the first checkpoint of the job is the full one; the incremental ones are those of the window
            // after it
            List<FlinkCheckpointStats.Completed> incremental = cps.stream()
                    .filter(cp -> on.firstCheckpoint().map(f -> cp.id() != f.id()).orElse(true)).toList();
            sb.append(String.format(Locale.ROOT, row, r.benchCase().name(),
                    on.tensorBytes() > 0 ? String.format(Locale.ROOT, "%.1f", on.tensorBytes() / MIB) : "-",
                    cps.isEmpty() ? "-" : String.format(Locale.ROOT, "%.1f",
                            average(cps, FlinkCheckpointStats.Completed::stateSize) / MIB),
                    on.firstCheckpoint().map(f -> String.format(Locale.ROOT, "%.1f", f.checkpointedSize() / MIB))
                            .orElse("-") + " / " + (incremental.isEmpty() ? "-" : String.format(Locale.ROOT, "%.1f",
                            average(incremental, FlinkCheckpointStats.Completed::checkpointedSize) / MIB)),
                    averageMax(cps, FlinkCheckpointStats.Completed::endToEndMs),
                    averageMax(cps, FlinkCheckpointStats.Completed::taskThreadMs),
                    String.format(Locale.ROOT, "%.2f", on.throughput().imagesPerSecond()),
                    String.format(Locale.ROOT, "%.2f", r.withoutCheckpoints().throughput().imagesPerSecond()),
                    String.format(Locale.ROOT, "%.3f", r.ratio())));
        }
        sb.append(String.format(Locale.ROOT, "%nwidth %d, batch %d, %d px; img/s = images trained per wall-clock second"
                + " over %s after step %d. Checkpoint figures: Flink REST, the completed checkpoints"
                + " triggered in the measured window; \"full\" = the job's first checkpoint. task thread = the trainer subtask's"
                + " end-to-end time minus start delay, alignment and async part, i.e. prepareSnapshotPreBarrier (the"
                + " state capture and digest) + Flink's sync snapshot, during which it trains nothing.%n", settings.width(),
                settings.batchSize(), settings.size(), seconds(settings.measured()), Math.max(1, settings.warmupSteps())));
        for (CaseResult r : results) {
            List<FlinkCheckpointStats.Completed> cps = r.withCheckpoints().measuredCheckpoints();
            sb.append(String.format(Locale.ROOT, "  %s: %d checkpoint(s) in %.1f s%s; trainer subtask avg: start delay"
                    + " %.1f s, alignment %.1f s, task thread %.1f s (Flink sync %.2f s), async %.1f s; in-step"
                    + " img/s %.2f with, %.2f without checkpoints%n",
                    r.benchCase().name(), cps.size(), r.withCheckpoints().throughput().seconds(),
                    r.withCheckpoints().failedCheckpoints().isEmpty() ? "" : " (and "
                            + r.withCheckpoints().failedCheckpoints().size() + " failed: "
                            + r.withCheckpoints().failedCheckpoints().get(0).message() + ")",
                    average(cps, FlinkCheckpointStats.Completed::startDelayMs) / 1000,
                    average(cps, FlinkCheckpointStats.Completed::alignmentMs) / 1000,
                    average(cps, FlinkCheckpointStats.Completed::taskThreadMs) / 1000,
                    average(cps, FlinkCheckpointStats.Completed::syncMs) / 1000,
                    average(cps, FlinkCheckpointStats.Completed::asyncMs) / 1000,
                    r.withCheckpoints().throughput().inStepImagesPerSecond(),
                    r.withoutCheckpoints().throughput().inStepImagesPerSecond()));
        }
        List<String> uneven = results.stream().filter(r -> Math.abs(r.inStepRatio() - 1) > 0.1)
                .map(r -> String.format(Locale.ROOT, "%s (%.2f)", r.benchCase().name(), r.inStepRatio())).toList();
        if (!uneven.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "note: the in-step rates of %s differ by more than 10%% between the"
                    + " phases: either background checkpoint work (async upload, RocksDB compaction) slowed the"
                    + " steps, or the machine's load changed between the phases; on a shared machine, rerun.%n",
                    String.join(", ", uneven)));
        }
        return sb.toString();
    }

    private static double average(List<FlinkCheckpointStats.Completed> cps,
            ToLongFunction<FlinkCheckpointStats.Completed> f) {
        return cps.stream().mapToLong(f).average().orElse(Double.NaN);
    }

    private static String averageMax(List<FlinkCheckpointStats.Completed> cps,
            ToLongFunction<FlinkCheckpointStats.Completed> millis) {
        if (cps.isEmpty()) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.1f / %.1f", average(cps, millis) / 1000,
                cps.stream().mapToLong(millis).max().orElse(0) / 1000.0);
    }

    private static String seconds(Duration d) {
        double s = d.toMillis() / 1000.0;
        return s == Math.rint(s) ? String.format(Locale.ROOT, "%.0f s", s) : String.format(Locale.ROOT, "%.1f s", s);
    }

}
