package io.streamssl.cli.bench;

import io.streamssl.connectors.ImageProducer;
import io.streamssl.connectors.KafkaClientProperties;
import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.dataset.LabeledImage;
import io.streamssl.connectors.decode.RgbImage;
import io.streamssl.connectors.event.EventHeader;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.connectors.event.TrainerEventCodec;
import io.streamssl.connectors.kafka.EmbeddedKafka;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.ViewBatch;
import io.streamssl.models.snapshot.SnapshotEncoder;
import io.streamssl.models.snapshot.SnapshotWriter;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import io.streamssl.pipeline.embed.EmbedJob;
import io.streamssl.pipeline.embed.EmbeddingSerializationSchema;
import io.streamssl.pipeline.job.JobFlinkConfiguration;
import io.streamssl.pipeline.job.ProbeView;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.FileUtils;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code streamssl bench embed}: the embed job's throughput end to end through Kafka (images produced → embeddings
 * visible read_committed) against {@link SnapshotEncoder#embed} alone on the same images at the same batch size,
 * and the time from a snapshot's commit (its announcement visible read_committed) to the first committed embedding
 * made with it. Everything in this process: an in-process broker, a local Flink, two snapshots of a ResNet-18
 * (CIFAR stem) at {@code --width}, written for the benchmark (a step of BYOL each, so they differ).
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Embed job throughput (images/s through Kafka, exactly once) against SnapshotEncoder.embed alone,"
                + " and the time from a snapshot's commit to the first embedding made with it.")
public final class EmbedBenchmark implements Callable<Integer> {

    @Option(names = "--images", defaultValue = "1024", description = "Images embedded in the throughput run (default:"
            + " ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--batch-size", defaultValue = "32", description = "embed.batch-size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--width", defaultValue = "64", description = "ResNet-18 width of the snapshots (default:"
            + " ${DEFAULT-VALUE}, the full network).")
    int width;

    @Option(names = "--interval", defaultValue = "1 s", description = "Checkpoint interval: embeddings become visible"
            + " when the checkpoint after them completes (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--switches", defaultValue = "3", description = "Snapshot commits timed to their first"
            + " embedding (default: ${DEFAULT-VALUE}).")
    int switches;

    private static final String IMAGES = "images";
    private static final String SNAPSHOTS = "snapshots";
    private static final String EMBEDDINGS = "embeddings";

    @Override
    public Integer call() throws Exception {
        if (images < batchSize || batchSize < 1 || switches < 1) {
            throw new IllegalArgumentException("--images must be >= --batch-size >= 1 and --switches >= 1");
        }
        Path work = Files.createTempDirectory("streamssl-bench-embed");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"))) {
            kafka.createTopics(1, IMAGES, SNAPSHOTS, EMBEDDINGS, "images.dlq", "metrics");
            List<SnapshotEvent> snapshots = writeSnapshots(work.resolve("snapshots"), 1 + switches);
            JobConfig config = JobConfig.of(Map.of(
                    StreamsslOptions.BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers(),
                    StreamsslOptions.CHECKPOINT_DIR.key(), work.resolve("checkpoints").toString(),
                    StreamsslOptions.CHECKPOINT_INTERVAL.key(), interval,
                    StreamsslOptions.EMBED_BATCH_SIZE.key(), Integer.toString(batchSize)));
            System.out.printf(Locale.ROOT, "bench embed: ResNet-18 width %d, %d images of 32x32, batch %d, checkpoint"
                    + " every %s, %d cores%n", width, images, batchSize, interval,
                    Runtime.getRuntime().availableProcessors());
            try (KafkaProducer<byte[], byte[]> announcer = announcer(kafka);
                    KafkaConsumer<byte[], byte[]> out = new KafkaConsumer<>(
                            KafkaClientProperties.of(kafka.bootstrapServers()).consumer(IsolationLevel.READ_COMMITTED))) {
                announce(announcer, snapshots.get(0));
                TopicPartition tp = new TopicPartition(EMBEDDINGS, 0);
                out.assign(List.of(tp));
                out.seekToBeginning(List.of(tp));
                StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(
                        JobFlinkConfiguration.of(config));
                EmbedJob.build(env, config);
                JobClient job = env.executeAsync(EmbedJob.jobName(config));
                try {
                    // warm-up: the job is running, the snapshot is loaded, one checkpoint has committed
                    produce(kafka, 0, batchSize);
                    awaitEmbeddings(out, batchSize, null);
                    long t0 = System.nanoTime();
                    produce(kafka, 1, images);
                    awaitEmbeddings(out, images, null);
                    double jobRate = images / ((System.nanoTime() - t0) / 1e9);
                    double aloneRate = encoderAlone(snapshots.get(0));
                    System.out.printf(Locale.ROOT, "embed job, end to end through Kafka: %.1f images/s (%d images,"
                            + " visible read_committed)%n", jobRate, images);
                    System.out.printf(Locale.ROOT, "SnapshotEncoder.embed alone:        %.1f images/s (same images,"
                            + " batch %d)%n", aloneRate, batchSize);
                    System.out.printf(Locale.ROOT, "job / alone: %.2f%n", jobRate / aloneRate);
                    List<Double> latencies = new ArrayList<>();
                    for (int i = 1; i <= switches; i++) {
                        latencies.add(commitToFirstEmbedding(kafka, announcer, out, snapshots.get(i), 1 + i));
                        System.out.printf(Locale.ROOT, "snapshot %d committed → first embedding with it: %.0f ms%n", i,
                                latencies.get(latencies.size() - 1));
                    }
                    System.out.printf(Locale.ROOT, "commit → first embedding: median %.0f ms, max %.0f ms over %d"
                            + " snapshots (checkpoint interval %s)%n", median(latencies),
                            latencies.stream().mapToDouble(d -> d).max().orElse(Double.NaN), latencies.size(), interval);
                } finally {
                    job.cancel().get(1, TimeUnit.MINUTES);
                }
            }
        } finally {
            FileUtils.deleteDirectory(work.toFile());
        }
        return 0;
    }

    /** {@code count} snapshots of one BYOL run, a step apart. */
    private List<SnapshotEvent> writeSnapshots(Path root, int count) throws Exception {
        List<SnapshotEvent> out = new ArrayList<>();
        try (SslTrainer trainer = new SslTrainer(TrainerSpec.byolCifar(width, 4, 100))) {
            byte[] px = new byte[4 * 2 * 32 * 32 * 3];
            new Random(3).nextBytes(px);
            for (int i = 1; i <= count; i++) {
                trainer.step(new ViewBatch(4, 2, 32, 32, px, new int[] {-1, -1, -1, -1}));
                Path dir = SnapshotWriter.write(root, trainer, Map.of());
                out.add(new SnapshotEvent(new EventHeader("bench", "encoder", i, 4L * i, 0, 0, Instant.now()),
                        dir.toString(), "byol", SnapshotWriter.sha256(dir.resolve(SnapshotWriter.WEIGHTS_FILE)),
                        (long) i));
            }
        }
        return out;
    }

    private static KafkaProducer<byte[], byte[]> announcer(EmbeddedKafka kafka) {
        var props = KafkaClientProperties.of(kafka.bootstrapServers()).producer();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-embed-announcer");
        KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(props);
        p.initTransactions();
        return p;
    }

    /** Writes the announcement in a transaction, as the trainer does; visible read_committed when this returns. */
    private static void announce(KafkaProducer<byte[], byte[]> p, SnapshotEvent s) {
        p.beginTransaction();
        p.send(new ProducerRecord<>(SNAPSHOTS, "encoder".getBytes(StandardCharsets.UTF_8),
                TrainerEventCodec.encode(s).getBytes(StandardCharsets.UTF_8)));
        p.commitTransaction();
    }

    private static void produce(EmbeddedKafka kafka, long seed, long count) throws Exception {
        ImageProducer.builder().setBootstrapServers(kafka.bootstrapServers())
                .setDataset(new GeneratedShapes(count, 100 + seed, 32)).optTopic(IMAGES).optRepeat(1).build().run();
    }

    /** Reads until {@code count} more embeddings are visible; the first one made with {@code sha}, if given. */
    private static void awaitEmbeddings(KafkaConsumer<byte[], byte[]> out, long count, String sha) {
        long seen = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (seen < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + seen + " of " + count + " embeddings after 10 minutes");
            }
            for (ConsumerRecord<byte[], byte[]> r : out.poll(Duration.ofMillis(50))) {
                seen++;
                if (sha != null && sha.equals(header(r, EmbeddingSerializationSchema.SHA256))) {
                    return;
                }
            }
        }
    }

    /**
     * Commits {@code s}'s announcement while images keep coming (a batch every 50 ms), and times until the first
     * embedding made with it is visible read_committed.
     */
    private double commitToFirstEmbedding(EmbeddedKafka kafka, KafkaProducer<byte[], byte[]> announcer,
            KafkaConsumer<byte[], byte[]> out, SnapshotEvent s, long seed) throws Exception {
        // a flag, not an interrupt, stops the feeding: an interrupt reaching the Kafka producer's close fails it
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread feeding = new Thread(() -> {
            try {
                for (int i = 0; !stop.get(); i++) {
                    produce(kafka, seed * 1000 + i, batchSize);
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "bench-embed-feed");
        feeding.setDaemon(true);
        feeding.start();
        try {
            Thread.sleep(1000);
            announce(announcer, s);
            long t0 = System.nanoTime();
            awaitEmbeddings(out, Long.MAX_VALUE, s.weightsSha256());
            return (System.nanoTime() - t0) / 1e6;
        } finally {
            stop.set(true);
            feeding.join(30_000);
        }
    }

    /** {@link SnapshotEncoder#embed} on the throughput run's images, resized as the job does, in batches. */
    private double encoderAlone(SnapshotEvent s) {
        List<byte[]> rgb = new ArrayList<>();
        for (LabeledImage image : new GeneratedShapes(images, 101, 32)) {
            rgb.add(ProbeView.of(new RgbImage(32, 32, image.data()), 32));
        }
        int px = 32 * 32 * 3;
        try (SnapshotEncoder encoder = SnapshotEncoder.load(Path.of(s.path()))) {
            encoder.embed(concat(rgb, 0, batchSize, px), batchSize, 32, 32); // warm-up
            long t0 = System.nanoTime();
            for (int from = 0; from < images; from += batchSize) {
                int n = Math.min(batchSize, images - from);
                encoder.embed(concat(rgb, from, n, px), n, 32, 32);
            }
            return images / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static byte[] concat(List<byte[]> rgb, int from, int n, int px) {
        byte[] b = new byte[n * px];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rgb.get(from + i), 0, b, i * px, px);
        }
        return b;
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(Double::compare);
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
