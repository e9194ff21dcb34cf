package io.streamssl.pipeline.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamssl.connectors.ImageProducer;
import io.streamssl.connectors.KafkaClientProperties;
import io.streamssl.connectors.dataset.Cifar10Binary;
import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.dataset.ImageDataset;
import io.streamssl.connectors.kafka.EmbeddedKafka;
import io.streamssl.pipeline.config.JobConfig;
import java.nio.charset.StandardCharsets;
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
final class PipelineFixture {

    static final ObjectMapper JSON = new ObjectMapper();
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

    /** Every JSON record on {@code topic} so far. */
    static List<JsonNode> readJson(EmbeddedKafka kafka, String topic, boolean committedOnly) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : read(kafka, topic, committedOnly)) {
            out.add(JSON.readTree(new String(r.value(), StandardCharsets.UTF_8)));
        }
        return out;
    }

    /** The trainer events of run {@code runId} on the metrics topic, of one {@code kind} (null: all kinds). */
    static List<JsonNode> events(EmbeddedKafka kafka, String runId, String kind, boolean committedOnly) {
        try {
            return readJson(kafka, "metrics", committedOnly).stream()
                    .filter(e -> e.path("run_id").asText().equals(runId))
                    .filter(e -> kind == null || e.path("event").asText().equals(kind)).toList();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static List<ConsumerRecord<byte[], byte[]>> read(EmbeddedKafka kafka, String topic, boolean committedOnly) {
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
