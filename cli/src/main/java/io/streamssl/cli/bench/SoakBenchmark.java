package io.streamssl.cli.bench;

import io.streamssl.connectors.DeadLetterSerializationSchema;
import io.streamssl.connectors.KafkaClientProperties;
import io.streamssl.connectors.event.CheckpointEvent;
import io.streamssl.connectors.event.TrainedEvent;
import io.streamssl.connectors.event.TrainerEventReader;
import io.streamssl.connectors.event.TrainerRecord;
import io.streamssl.connectors.kafka.EmbeddedKafka;
import io.streamssl.models.method.ViewPlan;
import io.streamssl.models.GpuRequirement;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import io.streamssl.pipeline.job.JobFlinkConfiguration;
import io.streamssl.pipeline.job.TrainingJob;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.FileUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * The soak (issue 13, item 6): the real job for a long time with a producer at twice the trainer's rate and
 * checkpoints every 10 s, printing once a minute heap, RSS, RocksDB and checkpoint sizes, consumer lag, the records
 * inside the job and the record accounting, then a {@link SoakVerdict}: memory flat, lag bounded by backpressure,
 * no record lost.
 *
 * <pre>{@code
 * SoakBenchmark.Result r = SoakBenchmark.run(SoakBenchmark.Settings.defaults(jobSettings), System.out);
 * System.out.print(r.verdict().describe());
 * }</pre>
 *
 * <p>Everything is real and in this process, as in {@link CheckpointBenchmark}: a KRaft broker
 * ({@link EmbeddedKafka}), the job of {@link TrainingJob#build} on a {@link MiniCluster} with RocksDB and
 * incremental checkpoints, and a {@link SoakProducer} of generated images with one corrupt record in
 * {@code corruptEvery}. The producer first keeps a fixed number of images ahead of the trainer for the
 * calibration window and measures the trainer's images per second (Flink's {@code images} gauge); from then on it
 * produces at {@code rateFactor} times the trainer's rate, re-measured over each sample interval: the trainer
 * shares two cores with everything else, and its pace moves with their load.
 *
 * <p>Figures, each minute: the heap of this JVM (the TaskManager's; after the last GC, and in use), RSS
 * ({@link ProcessMemory}), the RocksDB working directory and the checkpoint directory ({@link DirectorySize}),
 * the consumer group's lag ({@link ConsumerGroupLag}), the records inside the job (decode + augment's
 * {@code records_in} − its {@code records_dead_lettered} − the trainer's {@code images}, over REST every 2 s:
 * {@link FlinkJobMetrics}; the trainer's count is read before and after the augment operator's and used when both
 * agree, so all three come from one fetch of the TaskManager's metrics) and the {@link RecordAccounting} at the cut of the group's committed offsets, which
 * reads every {@code trained} audit event of the metrics topic ({@code metrics.trained-ids=true},
 * {@code read_committed}) and the dead-letter topic.
 */
public final class SoakBenchmark {

    private static final double MIB = 1 << 20;
    /** RocksDB's managed memory: what a TaskManager of deploy/flink/config.yaml has (see CheckpointBenchmark). */
    private static final MemorySize MANAGED_MEMORY = MemorySize.parse("686m");
    /** How often the records inside the job, the job's status and the topics are polled. */
    private static final Duration PROBE_EVERY = Duration.ofSeconds(2);
    private static final String AUGMENT_VERTEX = "decode + augment";
    private static final String TRAINER_VERTEX = "trainer: ";

    /**
     * How to soak.
     *
     * @param duration how long the job runs (from its submission), one sample per {@code sampleEvery}
     * @param interval checkpoint interval
     * @param rateFactor producer rate / the trainer's measured rate
     * @param calibration how long the trainer's rate is measured, from its first steps
     * @param corruptEvery one record in this many is no image (0: none)
     * @param maxHeapSlope the memory verdict's limit for the heap after a forced full GC, MiB per minute
     * @param maxNativeSlope the memory verdict's limit for native memory (RSS − committed heap and non-heap), MiB
     *     per minute
     * @param jobSettings streamssl config keys of the job (the soak sets the topics, directories, interval and
     *     {@code metrics.trained-ids} itself)
     * @param workDir broker logs, checkpoints, RocksDB files; {@code null}: a temporary directory, deleted after
     */
    public record Settings(Duration duration, Duration sampleEvery, Duration interval, double rateFactor,
            Duration calibration, long corruptEvery, double maxHeapSlope, double maxNativeSlope,
            Map<String, String> jobSettings, Path workDir) {

        public Settings {
            StringBuilder bad = new StringBuilder();
            if (duration == null || sampleEvery == null || duration.compareTo(sampleEvery.multipliedBy(2)) < 0) {
                bad.append(" the soak must last at least two samples (").append(sampleEvery).append("), got ")
                        .append(duration).append(';');
            }
            if (interval == null || interval.toMillis() < 100) {
                bad.append(" the checkpoint interval must be at least 100 ms, got ").append(interval).append(';');
            }
            if (!(rateFactor > 0)) {
                bad.append(" the rate factor must be positive, got ").append(rateFactor).append(';');
            }
            if (calibration == null || calibration.isNegative() || calibration.isZero()
                    || (duration != null && calibration.compareTo(duration) >= 0)) {
                bad.append(" the calibration must be positive and shorter than the soak, got ").append(calibration)
                        .append(';');
            }
            if (corruptEvery < 0) {
                bad.append(" corrupt-every must be >= 0, got ").append(corruptEvery).append(';');
            }
            if (!(maxHeapSlope >= 0) || !(maxNativeSlope >= 0)) {
                bad.append(" slope limits must be >= 0, got ").append(maxHeapSlope).append(" and ")
                        .append(maxNativeSlope).append(';');
            }
            if (bad.length() > 0) {
                throw new IllegalArgumentException("bench soak:" + bad.substring(0, bad.length() - 1));
            }
            jobSettings = Map.copyOf(jobSettings);
        }
    }

    /** One minute's figures. */
    public record Sample(double minute, ProcessMemory memory, long rocksDbBytes, long checkpointBytes, long lag,
            long inJob, long maxInJob, RecordAccounting.Balance balance) {}

    /** The samples, the final accounting and the verdict. */
    public record Result(List<Sample> samples, RecordAccounting.Balance finalBalance, double trainerRate,
            double producerRate, SoakVerdict verdict) {}

    private final Settings settings;
    private final PrintStream out;

    private SoakBenchmark(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    /** Runs the soak; progress and the minute lines go to {@code out}, the verdict is in the result. */
    public static Result run(Settings settings, PrintStream out) throws Exception {
        // a bad key fails before the broker, and so does a GPU device without a GPU (the trainer runs in this JVM)
        JobConfig check = JobConfig.of(jobValues(settings, "localhost:9092", Path.of("check")));
        GpuRequirement.check(check.get(StreamsslOptions.DEVICE));
        boolean temporary = settings.workDir() == null;
        Path work = temporary ? Files.createTempDirectory("streamssl-bench-soak")
                : Files.createDirectories(settings.workDir().toAbsolutePath());
        try {
            FileUtils.deleteDirectory(work.resolve("kafka").toFile());
            FileUtils.deleteDirectory(work.resolve("job").toFile());
            return new SoakBenchmark(settings, out).soak(work);
        } finally {
            if (temporary) {
                FileUtils.deleteDirectory(work.toFile());
            }
        }
    }

    static Map<String, String> jobValues(Settings settings, String bootstrap, Path dir) {
        Map<String, String> v = new LinkedHashMap<>(settings.jobSettings());
        v.put(StreamsslOptions.BOOTSTRAP_SERVERS.key(), bootstrap);
        v.put(StreamsslOptions.IMAGES_TOPIC.key(), "soak.images");
        v.put(StreamsslOptions.METRICS_TOPIC.key(), "soak.metrics");
        v.put(StreamsslOptions.SNAPSHOTS_TOPIC.key(), "soak.snapshots");
        v.put(StreamsslOptions.DEAD_LETTER_TOPIC.key(), "soak.dlq");
        v.put(StreamsslOptions.GROUP_ID.key(), "soak");
        v.put(StreamsslOptions.STARTING_OFFSETS.key(), "earliest");
        v.put(StreamsslOptions.TRAINED_IDS.key(), "true");
        v.put(StreamsslOptions.MAX_STEPS.key(), "0");
        v.put(StreamsslOptions.SNAPSHOT_DIR.key(), dir.resolve("snapshots").toString());
        v.put(StreamsslOptions.CHECKPOINT_DIR.key(), dir.resolve("checkpoints").toString());
        v.put(StreamsslOptions.CHECKPOINT_INTERVAL.key(), settings.interval().toMillis() + " ms");
        // the accounting's cut needs aligned checkpoints: an unaligned one stores records in flight as state
        v.put(StreamsslOptions.CHECKPOINTS_UNALIGNED.key(), "false");
        return v;
    }

    private Configuration flinkConfiguration(JobConfig config, Path dir) {
        Configuration flink = JobFlinkConfiguration.of(config);
        flink.set(RestOptions.ADDRESS, "127.0.0.1");
        flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        flink.set(RestOptions.BIND_PORT, "0");
        flink.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofSeconds(1));
        flink.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MANAGED_MEMORY);
        flink.set(CoreOptions.TMP_DIRS, dir.resolve("rocksdb").toString()); // RocksDB's working files
        flink.set(CoreOptions.DEFAULT_PARALLELISM, 1);
        flink.set(TaskManagerOptions.NUM_TASK_SLOTS, Math.max(1, config.get(StreamsslOptions.AUGMENT_PARALLELISM)));
        return flink;
    }

    private Result soak(Path work) throws Exception {
        Path dir = work.resolve("job");
        out.printf(Locale.ROOT, "bench soak: %s, checkpoints every %s, producer at %.1fx the trainer's rate (measured"
                + " over %s); starting an in-process Kafka broker …%n", minutes(settings.duration()),
                seconds(settings.interval()), settings.rateFactor(), seconds(settings.calibration()));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"))) {
            JobConfig config = JobConfig.of(jobValues(settings, kafka.bootstrapServers(), dir));
            String images = config.get(StreamsslOptions.IMAGES_TOPIC);
            String dlq = config.get(StreamsslOptions.DEAD_LETTER_TOPIC);
            kafka.createTopics(1, images, config.get(StreamsslOptions.METRICS_TOPIC),
                    config.get(StreamsslOptions.SNAPSHOTS_TOPIC), dlq);
            Configuration flink = flinkConfiguration(config, dir);
            int batch = config.get(StreamsslOptions.BATCH_SIZE);
            InFlightBound bound = new InFlightBound(config.get(StreamsslOptions.AUGMENT_PARALLELISM), batch,
                    sampleBytes(config.viewPlan()), flink.get(TaskManagerOptions.MEMORY_SEGMENT_SIZE).getBytes());
            String runId = UUID.randomUUID().toString();
            out.printf(Locale.ROOT, "bench soak: %s on %s width %d, batch %d, %d px, augment parallelism %d; records"
                    + " inside the job bounded by %s%n", config.get(StreamsslOptions.METHOD),
                    config.get(StreamsslOptions.ENCODER), config.get(StreamsslOptions.WIDTH), batch,
                    config.get(StreamsslOptions.IMAGE_SIZE), config.get(StreamsslOptions.AUGMENT_PARALLELISM),
                    bound.describe());
            try (SoakProducer producer = SoakProducer.start(kafka.bootstrapServers(), images,
                    config.get(StreamsslOptions.IMAGE_SIZE), Math.max(256, 4L * batch), settings.corruptEvery());
                    TrainerEventReader metrics = TrainerEventReader.builder()
                            .setBootstrapServers(kafka.bootstrapServers())
                            .setTopic(config.get(StreamsslOptions.METRICS_TOPIC)).build();
                    KafkaConsumer<byte[], byte[]> deadLetters = deadLetterConsumer(kafka.bootstrapServers(), dlq);
                    Admin admin = kafka.admin();
                    MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                            .setConfiguration(flink).setNumTaskManagers(1)
                            .setNumSlotsPerTaskManager(flink.get(TaskManagerOptions.NUM_TASK_SLOTS)).build())) {
                cluster.start();
                StreamExecutionEnvironment env = new StreamExecutionEnvironment(flink);
                TrainingJob.build(env, config, runId);
                JobID job = cluster.submitJob(env.getStreamGraph().getJobGraph()).get(2, TimeUnit.MINUTES).getJobID();
                Run run = new Run(cluster, job, new FlinkJobMetrics(cluster.getRestAddress().get(30, TimeUnit.SECONDS),
                        job.toHexString()), producer, metrics, deadLetters,
                        new ConsumerGroupLag(admin, config.get(StreamsslOptions.GROUP_ID), images), runId, batch,
                        dir.resolve("rocksdb"), dir.resolve("checkpoints"));
                try {
                    return run.soak(bound);
                } finally {
                    run.cancel();
                }
            }
        }
    }

    /** The pixel bytes of one sample: every view, and the probe image at the first group's size. */
    static long sampleBytes(ViewPlan plan) {
        long bytes = 0;
        for (ViewPlan.CropGroup g : plan.groups()) {
            bytes += (long) g.views() * g.size() * g.size() * 3;
        }
        int probe = plan.groups().get(0).size();
        return bytes + (long) probe * probe * 3;
    }

    private static KafkaConsumer<byte[], byte[]> deadLetterConsumer(String bootstrap, String topic) {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(KafkaClientProperties.of(bootstrap)
                .consumer(IsolationLevel.READ_UNCOMMITTED)); // an at-least-once sink: no transactions
        List<TopicPartition> tps = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        c.assign(tps);
        c.seekToBeginning(tps);
        return c;
    }

    /** One soak's moving parts and what it has seen so far. */
    private final class Run {
        private final MiniCluster cluster;
        private final JobID job;
        private final FlinkJobMetrics jobMetrics;
        private final SoakProducer producer;
        private final TrainerEventReader metrics;
        private final KafkaConsumer<byte[], byte[]> deadLetters;
        private final ConsumerGroupLag lag;
        private final String runId;
        private final int batch;
        private final Path rocksDb;
        private final Path checkpoints;
        private final RecordAccounting accounting = new RecordAccounting();
        private final List<Sample> samples = new ArrayList<>();
        private final List<SoakVerdict.Point> lagPoints = new ArrayList<>();
        private long inJob = -1;
        private long maxInJob = -1;
        private long maxInJobSinceSample = -1;
        private long trainedImages;
        /** The trainer's images/s over the calibration window, then over each sample interval. */
        private double trainerRate = Double.NaN;
        private long calibrationStart = -1;
        private long calibrationImages;
        private long rateSince;
        private long rateImages;

        Run(MiniCluster cluster, JobID job, FlinkJobMetrics jobMetrics, SoakProducer producer,
                TrainerEventReader metrics, KafkaConsumer<byte[], byte[]> deadLetters, ConsumerGroupLag lag,
                String runId, int batch, Path rocksDb, Path checkpoints) {
            this.cluster = cluster;
            this.job = job;
            this.jobMetrics = jobMetrics;
            this.producer = producer;
            this.metrics = metrics;
            this.deadLetters = deadLetters;
            this.lag = lag;
            this.runId = runId;
            this.batch = batch;
            this.rocksDb = rocksDb;
            this.checkpoints = checkpoints;
        }

        Result soak(InFlightBound bound) throws Exception {
            long started = System.nanoTime();
            long count = settings.duration().toNanos() / settings.sampleEvery().toNanos();
            long nextSample = started + settings.sampleEvery().toNanos();
            out.printf(Locale.ROOT, "bench soak: each minute a forced full GC (System.gc()) first; heap/GC = heap in"
                    + " use right after it, heap com = heap committed, native = RSS − committed heap − committed"
                    + " non-heap (libtorch, RocksDB, direct buffers, thread stacks), direct = direct buffers%n");
            out.printf(Locale.ROOT, "%5s %8s %8s %8s %8s %8s %9s %9s %8s %7s %7s %7s %7s %9s %9s %6s %8s %s%n",
                    "min", "heap/GC", "heap com", "native", "direct", "RSS", "RocksDB", "ckpt dir", "lag", "in job", "max", "trained", "produce",
                    "in", "trained", "dead", "pending", "exact");
            out.printf(Locale.ROOT, "%5s %8s %8s %8s %8s %8s %9s %9s %8s %7s %7s %7s %7s%n", "", "MiB", "MiB", "MiB",
                    "MiB", "MiB", "MiB", "MiB", "records", "records", "records", "img/s", "rec/s");
            while (samples.size() < count) {
                probe();
                long now = System.nanoTime();
                if (now >= nextSample) {
                    sample((now - started) / 60e9);
                    nextSample += settings.sampleEvery().toNanos();
                }
                TimeUnit.NANOSECONDS.sleep(Math.max(0, Math.min(PROBE_EVERY.toNanos(), nextSample - System.nanoTime())));
            }
            if (Double.isNaN(trainerRate)) {
                throw new IllegalStateException("the trainer's rate was never measured: it trained " + trainedImages
                        + " images in " + minutes(settings.duration()) + "; raise --minutes or shrink the model");
            }
            producer.stopAndFlush();
            out.printf(Locale.ROOT, "bench soak: producer stopped after %d records (%d corrupt); final accounting …%n",
                    producer.acked(), producer.corrupt());
            RecordAccounting.Balance last = balance(settings.interval().multipliedBy(3).plusSeconds(30));
            if (last.in() != producer.acked()) {
                throw new IllegalStateException("the images topic holds " + last.in() + " records, the producer had "
                        + producer.acked() + " acknowledged");
            }
            long expectedDead = settings.corruptEvery() == 0 ? 0
                    : (last.in() - last.pendingInKafka()) / settings.corruptEvery();
            SoakVerdict verdict = new SoakVerdict(
                    SoakVerdict.slope(points(s -> s.memory().heapAfterGcBytes() / MIB)),
                    SoakVerdict.slope(points(s -> s.memory().nativeBytes() / MIB)),
                    SoakVerdict.slope(points(s -> s.memory().rssBytes() / MIB)),
                    settings.maxHeapSlope(), settings.maxNativeSlope(), maxInJob, bound, last, expectedDead,
                    SoakVerdict.slope(lagPoints).mibPerMinute(),
                    (producer.rate() - trainerRate) * 60);
            return new Result(List.copyOf(samples), last, trainerRate, producer.rate(), verdict);
        }

        private List<SoakVerdict.Point> points(java.util.function.ToDoubleFunction<Sample> value) {
            return samples.stream().map(s -> new SoakVerdict.Point(s.minute(), value.applyAsDouble(s))).toList();
        }

        /** Every few seconds: the job alive, the producer fine, the topics read, the records inside the job. */
        private void probe() throws Exception {
            JobStatus status = cluster.getJobStatus(job).get(30, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                JobResult result = cluster.requestJobResult(job).get(30, TimeUnit.SECONDS);
                throw new IllegalStateException("the job ended (" + status + ") during the soak",
                        result.getSerializedThrowable().orElse(null));
            }
            producer.rethrow();
            readTopics(Duration.ofMillis(100));
            // the two vertices take two requests, and the REST metrics may be refreshed between them: the trainer's
            // count read before and after the augment operator's, the same both times, belongs to both fetches
            for (int attempt = 0; attempt < 5; attempt++) {
                OptionalLong before = jobMetrics.sum(TRAINER_VERTEX, "images");
                Optional<Map<String, Long>> augment = jobMetrics.sums(AUGMENT_VERTEX,
                        List.of("records_in", "records_dead_lettered"));
                OptionalLong after = jobMetrics.sum(TRAINER_VERTEX, "images");
                if (before.isEmpty() || augment.isEmpty() || after.isEmpty()) {
                    return; // the tasks are starting
                }
                if (before.getAsLong() == after.getAsLong()) {
                    trainedImages = after.getAsLong();
                    inJob = augment.get().get("records_in") - augment.get().get("records_dead_lettered")
                            - trainedImages;
                    maxInJob = Math.max(maxInJob, inJob);
                    maxInJobSinceSample = Math.max(maxInJobSinceSample, inJob);
                    calibrate();
                    return;
                }
            }
        }

        /** Follows the trainer until the calibration window is over, then sets the producer's rate. */
        private void calibrate() {
            if (!Double.isNaN(trainerRate)) {
                return;
            }
            producer.trained(trainedImages);
            long now = System.nanoTime();
            if (calibrationStart < 0) {
                if (trainedImages >= 2L * batch) { // the first steps (libtorch's warm-up) are slow
                    calibrationStart = now;
                    calibrationImages = trainedImages;
                }
                return;
            }
            double secs = (now - calibrationStart) / 1e9;
            if (secs >= settings.calibration().toNanos() / 1e9 && trainedImages > calibrationImages) {
                trainerRate = (trainedImages - calibrationImages) / secs;
                producer.paceAt(settings.rateFactor() * trainerRate);
                rateSince = now;
                rateImages = trainedImages;
                out.printf(Locale.ROOT, "bench soak: the trainer trained %.1f images/s over %.0f s; producing %.1f"
                        + " records/s from now on%n", trainerRate, secs, producer.rate());
            }
        }

        private void readTopics(Duration wait) {
            for (TrainerRecord r : metrics.poll(wait)) {
                if (!runId.equals(r.runId())) {
                    continue;
                }
                if (r instanceof TrainedEvent t) {
                    accounting.trained(t.ids(), t.epochs());
                } else if (r instanceof CheckpointEvent c) {
                    accounting.checkpoint(c.checkpointId(), c.pending());
                }
            }
            for (ConsumerRecord<byte[], byte[]> r : deadLetters.poll(Duration.ZERO)) {
                Header source = r.headers().lastHeader(DeadLetterSerializationSchema.SOURCE);
                long[] position = source == null ? null : RecordAccounting.parseSource(
                        new String(source.value(), StandardCharsets.UTF_8)).orElse(null);
                if (position == null) {
                    throw new IllegalStateException("dead letter at offset " + r.offset() + " has no valid "
                            + DeadLetterSerializationSchema.SOURCE + " header");
                }
                accounting.deadLetter((int) position[0], position[1]);
            }
        }

        /**
         * The accounting at the committed offsets: the checkpoint that produced them commits its metrics
         * transaction at about the same time, so the topics are read until it shows up or {@code wait} passes.
         */
        private RecordAccounting.Balance balance(Duration wait) throws Exception {
            long deadline = System.nanoTime() + wait.toNanos();
            while (true) {
                ConsumerGroupLag.Offsets offsets = lag.read();
                RecordAccounting.Balance b = accounting.balance(offsets.produced(), offsets.committed());
                if (b.exact() || System.nanoTime() > deadline) {
                    return b;
                }
                readTopics(Duration.ofMillis(500));
            }
        }

        /**
         * After calibration, at each sample: the trainer's rate since the last one, and the producer at
         * {@code rateFactor} times it. The trainer's pace moves with the load on the machine (another process, a
         * compaction); following it keeps the producer ahead by the factor, where one rate fixed at the start could
         * fall behind a trainer that later runs faster.
         */
        private void followTrainerRate() {
            long now = System.nanoTime();
            if (Double.isNaN(trainerRate) || now - rateSince < settings.sampleEvery().toNanos() / 2
                    || trainedImages <= rateImages) {
                return;
            }
            trainerRate = (trainedImages - rateImages) / ((now - rateSince) / 1e9);
            producer.paceAt(settings.rateFactor() * trainerRate);
            rateSince = now;
            rateImages = trainedImages;
        }

        private void sample(double minute) throws Exception {
            followTrainerRate();
            ProcessMemory memory = ProcessMemory.afterFullGc();
            long rocks = DirectorySize.of(rocksDb);
            long ckpt = DirectorySize.of(checkpoints);
            // up to two checkpoint intervals for the checkpoint of the committed offsets to show in the metrics topic
            RecordAccounting.Balance b = balance(settings.interval().multipliedBy(2).plusSeconds(5));
            Sample s = new Sample(minute, memory, rocks, ckpt, b.pendingInKafka(), inJob, maxInJobSinceSample, b);
            samples.add(s);
            lagPoints.add(new SoakVerdict.Point(minute, b.pendingInKafka()));
            maxInJobSinceSample = inJob;
            out.printf(Locale.ROOT, "%5.1f %8.1f %8.1f %8.1f %8.1f %8.1f %9.1f %9.1f %8d %7d %7d %7.1f %7.1f %9d %9d %6d"
                    + " %8d %s%n", minute, memory.heapAfterGcBytes() / MIB, memory.heapCommittedBytes() / MIB,
                    memory.nativeBytes() / MIB, memory.directBytes() / MIB, memory.rssBytes() / MIB, rocks / MIB, ckpt / MIB, s.lag(), s.inJob(), s.maxInJob(), trainerRate, producer.rate(), b.in(),
                    b.trained(), b.dead(),
                    b.pending(), b.exact() ? "yes (checkpoint " + b.checkpointId() + ")" : "NO: " + b);
        }

        void cancel() {
            try {
                if (!cluster.getJobStatus(job).get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
                    cluster.cancelJob(job).get(1, TimeUnit.MINUTES);
                }
                cluster.requestJobResult(job).get(5, TimeUnit.MINUTES); // a step in flight finishes first
            } catch (Exception e) {
                out.println("bench soak: could not cancel the job cleanly: " + e);
            }
        }
    }

    private static String seconds(Duration d) {
        double s = d.toMillis() / 1000.0;
        return s == Math.rint(s) ? String.format(Locale.ROOT, "%.0f s", s) : String.format(Locale.ROOT, "%.1f s", s);
    }

    private static String minutes(Duration d) {
        double m = d.toMillis() / 60_000.0;
        return m == Math.rint(m) ? String.format(Locale.ROOT, "%.0f min", m) : String.format(Locale.ROOT, "%.1f min", m);
    }
}
