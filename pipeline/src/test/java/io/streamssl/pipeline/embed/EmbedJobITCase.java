package io.streamssl.pipeline.embed;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.connectors.ImageProducer;
import io.streamssl.connectors.KafkaClientProperties;
import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.dataset.ImageDataset;
import io.streamssl.connectors.dataset.LabeledImage;
import io.streamssl.connectors.decode.RgbImage;
import io.streamssl.connectors.event.EventHeader;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.connectors.event.TrainerEventCodec;
import io.streamssl.connectors.event.TrainerEventReader;
import io.streamssl.connectors.kafka.EmbeddedKafka;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.ViewBatch;
import io.streamssl.models.snapshot.SnapshotEncoder;
import io.streamssl.models.snapshot.SnapshotWriter;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.job.JobFlinkConfiguration;
import io.streamssl.pipeline.job.PipelineFixture;
import io.streamssl.pipeline.job.ProbeView;
import io.streamssl.pipeline.program.JobExceptionHistory;
import io.streamssl.pipeline.program.JobRunner;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training job and the embed job side by side on one MiniCluster and the in-process broker. The embed job
 * reads its own images topic ({@code images-embed}), so that the test decides when its images come relative to
 * the trainer's snapshots (the training job reads {@code images}; both could share one topic, each with its own
 * group id). Images come before any snapshot (they wait), after the first committed snapshot, and after the last;
 * the embed job fails once on purpose ({@code testing.embed-fail-after}); an announcement of a loadable snapshot
 * is written to the snapshots topic in a transaction that is aborted.
 *
 * <p>Checked on the embeddings topic read {@code read_committed}: every image has exactly one embedding and the
 * bad one none (it is on the dead-letter topic); every embedding names a snapshot whose announcement is committed
 * (never the aborted one), with its step; the step never goes back; the images sent after the last snapshot was
 * committed end up embedded with it; and sampled embeddings equal {@link SnapshotEncoder#embed} of their image.
 */
class EmbedJobITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(3).build());

    private static final String EMBED_IMAGES = "images-embed";
    private static final String ABORTED_STEP = "1000000";

    @TempDir
    static Path work;

    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start(work.resolve("kafka"));
        kafka.createTopics(1, "images", EMBED_IMAGES, "metrics", "snapshots", "images.dlq", "embeddings");
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @Test
    void embedsEveryImageOnceWithTheNewestCommittedSnapshotThroughAFailure(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        SnapshotEvent aborted = abortedAnnouncement();
        produce("images", new GeneratedShapes(400, 21, 32)); // 25 steps of 16; the trainer stops at 20
        Map<String, LabeledImage> sent = new TreeMap<>();
        produce(EMBED_IMAGES, new GeneratedShapes(40, 31, 32), sent); // before any snapshot: they wait
        produceUndecodable("bad-1");

        Map<String, String> embed = new HashMap<>();
        embed.put("kafka.bootstrap-servers", kafka.bootstrapServers());
        embed.put("kafka.images-topic", EMBED_IMAGES);
        embed.put("checkpoints.dir", work.resolve("embed-checkpoints").toString());
        embed.put("checkpoints.interval", "1 s");
        embed.put("embed.batch-size", "8");
        embed.put("testing.embed-fail-after", "56"); // attempt 0 fails after its 7th batch
        JobConfig embedConfig = JobConfig.of(embed);
        StreamExecutionEnvironment embedEnv = StreamExecutionEnvironment.getExecutionEnvironment(
                restartAtOnce(JobFlinkConfiguration.of(embedConfig)));
        EmbedJob.build(embedEnv, embedConfig);
        JobClient embedJob = embedEnv.executeAsync(EmbedJob.jobName(embedConfig));

        CompletableFuture<JobRunner.Summary> training = train();
        waitFor("the first committed snapshot", Duration.ofMinutes(2),
                () -> !committedSnapshots().isEmpty() || training.isDone());
        produce(EMBED_IMAGES, new GeneratedShapes(40, 32, 32), sent);
        JobRunner.Summary trained = training.get(4, TimeUnit.MINUTES);
        assertThat(trained.steps()).isEqualTo(20);

        List<SnapshotEvent> committed = committedSnapshots();
        assertThat(committed).extracting(SnapshotEvent::step).containsExactly(5L, 10L, 15L, 20L);
        SnapshotEvent last = committed.get(committed.size() - 1);
        // images sent after the last snapshot's commit: embedded with it once its announcement has reached the
        // embed job (it travels on another source than the images, so an early round may still get the previous)
        boolean switched = false;
        for (int round = 0; round < 6 && !switched; round++) {
            Map<String, LabeledImage> batch = new TreeMap<>();
            produce(EMBED_IMAGES, new GeneratedShapes(10, 40 + round, 32), batch);
            sent.putAll(batch);
            waitFor("the embeddings of round " + round, Duration.ofMinutes(2),
                    () -> embeddingsById(readEmbeddings()).keySet().containsAll(batch.keySet()));
            Map<String, List<ConsumerRecord<byte[], byte[]>>> byId = embeddingsById(readEmbeddings());
            switched = batch.keySet().stream().allMatch(id -> header(byId.get(id).get(0),
                    EmbeddingSerializationSchema.SHA256).equals(last.weightsSha256()));
        }
        assertThat(switched).as("images sent after step 20's commit are embedded with it").isTrue();
        waitFor("an embedding of every image", Duration.ofMinutes(1),
                () -> embeddingsById(readEmbeddings()).keySet().containsAll(sent.keySet()));
        embedJob.cancel().get(1, TimeUnit.MINUTES);

        List<ConsumerRecord<byte[], byte[]>> out = readEmbeddings();
        Map<String, List<ConsumerRecord<byte[], byte[]>>> byId = embeddingsById(out);
        assertThat(byId.keySet()).as("ids embedded (the undecodable one is not)").isEqualTo(sent.keySet());
        assertThat(byId.values()).as("embeddings per image").allSatisfy(l -> assertThat(l).hasSize(1));

        Map<String, SnapshotEvent> bySha = new HashMap<>();
        committed.forEach(s -> bySha.put(s.weightsSha256(), s));
        long previousStep = -1;
        Set<String> used = new LinkedHashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : out) {
            String sha = header(r, EmbeddingSerializationSchema.SHA256);
            assertThat(sha).as("an embedding's snapshot").isNotEqualTo(aborted.weightsSha256());
            assertThat(bySha).as("committed snapshots").containsKey(sha);
            long step = Long.parseLong(header(r, EmbeddingSerializationSchema.STEP));
            assertThat(step).isEqualTo(bySha.get(sha).step()).isGreaterThanOrEqualTo(previousStep);
            assertThat(header(r, EmbeddingSerializationSchema.MODEL)).isEqualTo("resnet18");
            assertThat(header(r, EmbeddingSerializationSchema.METHOD)).isEqualTo("byol");
            previousStep = step;
            used.add(sha);
        }
        assertThat(used).as("snapshots used, in order").hasSizeGreaterThanOrEqualTo(2)
                .endsWith(last.weightsSha256());

        // the drill struck, and Flink restarted the job from a checkpoint
        List<JobExceptionHistory.Failure> failures = new JobExceptionHistory(cluster.getRestAddress().get())
                .failures(embedJob.getJobID().toString());
        assertThat(failures).anyMatch(f -> f.rootCause().contains("embed fault drill"));

        // the undecodable record is on the dead-letter topic with the embed job's stage
        assertThat(read("images.dlq")).anyMatch(r -> new String(r.key(), StandardCharsets.UTF_8).equals("bad-1")
                && header(r, "dlq-stage").equals(DecodeFunction.STAGE));

        // values: the first, the middle and the last embedding against the snapshot's encoder, one image alone
        for (ConsumerRecord<byte[], byte[]> r : List.of(out.get(0), out.get(out.size() / 2), out.get(out.size() - 1))) {
            LabeledImage image = sent.get(new String(r.key(), StandardCharsets.UTF_8));
            SnapshotEvent s = bySha.get(header(r, EmbeddingSerializationSchema.SHA256));
            float[] actual = EmbeddingSerializationSchema.vector(r.value());
            try (SnapshotEncoder reference = SnapshotEncoder.load(Path.of(s.path()))) {
                float[] expected = reference.embed(ProbeView.of(new RgbImage(32, 32, image.data()), 32), 32, 32);
                assertThat(actual).hasSize(expected.length);
                for (int k = 0; k < expected.length; k++) {
                    assertThat((double) actual[k]).as("%s[%d]", image.id(), k)
                            .isCloseTo(expected[k], org.assertj.core.data.Offset.offset(1e-5));
                }
            }
        }
        System.out.printf("embed IT: %d images, %d embeddings, snapshots used %s, %d failure(s)%n", sent.size(),
                out.size(), used.stream().map(sha -> bySha.get(sha).step()).toList(), failures.size());
    }

    /** The training job (BYOL, ResNet-18 width 8, batches of 16), 20 steps, a snapshot every 5. */
    private static CompletableFuture<JobRunner.Summary> train() {
        Map<String, String> c = new HashMap<>();
        c.put("kafka.bootstrap-servers", kafka.bootstrapServers());
        c.put("kafka.group-id", "train");
        c.put("trainer.width", "8");
        c.put("trainer.batch-size", "16");
        c.put("trainer.device", "cpu");
        c.put("trainer.max-steps", "20");
        c.put("method.projector-hidden", "256");
        c.put("method.predictor-hidden", "256");
        c.put("method.projector-out", "64");
        c.put("metrics.every-steps", "2");
        c.put("snapshots.every-steps", "5");
        c.put("snapshots.retain-newest", "10");
        c.put("checkpoints.interval", "1 s");
        c.put("checkpoints.dir", work.resolve("train-checkpoints").toString());
        c.put("snapshots.dir", work.resolve("snapshots").toString());
        JobConfig config = JobConfig.of(c);
        JobRunner runner = new JobRunner(StreamExecutionEnvironment.getExecutionEnvironment(
                restartAtOnce(JobFlinkConfiguration.of(config))), config, "embed-it", new PrintStream(System.out, true));
        CompletableFuture<JobRunner.Summary> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(runner.run());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "training-runner");
        t.setDaemon(true);
        t.start();
        return f;
    }

    private static Configuration restartAtOnce(Configuration flink) {
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        return flink;
    }

    /**
     * A loadable snapshot (its own weights) announced at a step beyond any other in a transaction that is
     * aborted: read_committed, the embed job must never see it.
     */
    private static SnapshotEvent abortedAnnouncement() throws Exception {
        Path dir;
        try (SslTrainer trainer = new SslTrainer(TrainerSpec.byolCifar(8, 4, 100))) {
            byte[] px = new byte[4 * 2 * 32 * 32 * 3];
            new Random(9).nextBytes(px);
            trainer.step(new ViewBatch(4, 2, 32, 32, px, new int[] {-1, -1, -1, -1}));
            dir = SnapshotWriter.write(work.resolve("aborted-snapshots"), trainer, Map.of());
        }
        SnapshotEvent s = new SnapshotEvent(new EventHeader("aborted", "encoder", Long.parseLong(ABORTED_STEP), 0, 0,
                0, Instant.now()), dir.toString(), "byol", SnapshotWriter.sha256(dir.resolve(SnapshotWriter.WEIGHTS_FILE)),
                1L);
        var props = KafkaClientProperties.of(kafka.bootstrapServers()).producer();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "aborted-announcement");
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(props)) {
            p.initTransactions();
            p.beginTransaction();
            p.send(new ProducerRecord<>("snapshots", "encoder".getBytes(StandardCharsets.UTF_8),
                    TrainerEventCodec.encode(s).getBytes(StandardCharsets.UTF_8))).get();
            p.flush();
            p.abortTransaction();
        }
        return s;
    }

    private static void produce(String topic, ImageDataset data) throws Exception {
        ImageProducer.builder().setBootstrapServers(kafka.bootstrapServers()).setDataset(data).optTopic(topic)
                .optRepeat(1).build().run();
    }

    private static void produce(String topic, ImageDataset data, Map<String, LabeledImage> sent) throws Exception {
        produce(topic, data);
        for (LabeledImage image : data) {
            sent.put(image.id(), image);
        }
    }

    private static void produceUndecodable(String id) throws Exception {
        RecordHeaders h = new RecordHeaders();
        h.add("content-type", "image/png".getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(
                KafkaClientProperties.of(kafka.bootstrapServers()).producer())) {
            p.send(new ProducerRecord<>(EMBED_IMAGES, null, id.getBytes(StandardCharsets.UTF_8),
                    "not a png".getBytes(StandardCharsets.UTF_8), h)).get();
        }
    }

    private static List<SnapshotEvent> committedSnapshots() {
        try (TrainerEventReader reader = TrainerEventReader.builder().setBootstrapServers(kafka.bootstrapServers())
                .setTopic("snapshots").build()) {
            return TrainerEventReader.select(reader.readToEnd(), "embed-it", SnapshotEvent.class);
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readEmbeddings() {
        return read("embeddings");
    }

    private static Map<String, List<ConsumerRecord<byte[], byte[]>>> embeddingsById(
            List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, List<ConsumerRecord<byte[], byte[]>>> byId = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            byId.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), k -> new ArrayList<>()).add(r);
        }
        return byId;
    }

    /** Every record of {@code topic} (one partition) visible to a read_committed consumer, in offset order. */
    private static List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        return PipelineFixture.read(kafka, topic, true);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static void waitFor(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(300);
        }
    }
}
