package io.streamssl.pipeline.job;

import io.streamssl.connectors.ImageProducer;
import io.streamssl.connectors.KafkaClientProperties;
import io.streamssl.connectors.dataset.Cifar10Binary;
import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.dataset.ImageDataset;
import io.streamssl.connectors.event.TrainerEventReader;
import io.streamssl.connectors.event.TrainerRecord;
import io.streamssl.connectors.kafka.EmbeddedKafka;
import io.streamssl.pipeline.config.JobConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/** Shared pieces of the pipeline integration tests: a small, fast job config and topic readers. */
public final class PipelineFixture {

    static final String[] TOPICS = {"images", "metrics", "snapshots", "images.dlq"};

    private PipelineFixture() {}

    /** ResNet-18 (CIFAR stem) at width 8 with small heads: a few steps per second on 2 CPU cores. */
    static Map<String, String> smallJob(EmbeddedKafka kafka, Path work) {
        Map<String, String> c = new HashMap<>();
        c.put("kafka.bootstrap-servers", kafka.bootstrapServers());
        c.put("trainer.width", "8");
        c.put("trainer.batch-size", "32");
        c.put("trainer.device", "cpu");
        c.put("method.projector-hidden", "256");
        c.put("method.predictor-hidden", "256");
        c.put("method.projector-out", "64");
        c.put("metrics.every-steps", "2");
        c.put("snapshots.every-steps", "10");
        c.put("checkpoints.interval", "1 s");
        c.put("checkpoints.dir", work.resolve("checkpoints").toString());
        c.put("snapshots.dir", work.resolve("snapshots").toString());
        return c;
    }

    static JobConfig config(Map<String, String> values) {
        return JobConfig.of(values);
    }

    /** Real CIFAR-10 from ../shared when present, else the generated set (with a message). */
    static ImageDataset cifarOrGenerated(long count) {
        Path dir = Path.of(System.getProperty("streamssl.shared.dir", "../shared"), "datasets", "cifar10");
        if (Cifar10Binary.present(dir)) {
            return Cifar10Binary.train(dir);
        }
        System.out.println("CIFAR-10 not found at " + dir.toAbsolutePath() + ": using the generated set instead");
        return new GeneratedShapes(count, 3, 32);
    }

    static long produce(EmbeddedKafka kafka, ImageDataset data, long max) throws Exception {
        return ImageProducer.builder().setBootstrapServers(kafka.bootstrapServers()).setDataset(data)
                .optMaxRecords(max).optRepeat(0).build().run();
    }

    /** Every trainer event on {@code topic} (the metrics or the snapshots topic) so far. */
    static List<TrainerRecord> readEvents(EmbeddedKafka kafka, String topic, boolean committedOnly) {
        TrainerEventReader.Builder b = TrainerEventReader.builder().setBootstrapServers(kafka.bootstrapServers())
                .setTopic(topic);
        try (TrainerEventReader reader = (committedOnly ? b : b.optReadUncommitted()).build()) {
            return reader.readToEnd();
        }
    }

    /** The trainer events of run {@code runId} on the metrics topic of one type ({@code TrainerRecord}: all). */
    static <T extends TrainerRecord> List<T> events(EmbeddedKafka kafka, String runId, Class<T> type,
            boolean committedOnly) {
        return TrainerEventReader.select(readEvents(kafka, "metrics", committedOnly), runId, type);
    }

    public static List<ConsumerRecord<byte[], byte[]>> read(EmbeddedKafka kafka, String topic, boolean committedOnly) {
        IsolationLevel isolation = committedOnly ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED;
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(
                KafkaClientProperties.of(kafka.bootstrapServers()).consumer(isolation))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (c.position(tp) < end && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    static void waitFor(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}
