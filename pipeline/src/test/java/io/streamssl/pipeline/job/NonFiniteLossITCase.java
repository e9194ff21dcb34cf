package io.streamssl.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.connectors.DeadLetterSerializationSchema;
import io.streamssl.connectors.ImageProducer;
import io.streamssl.connectors.KafkaClientProperties;
import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.dataset.LabeledImage;
import io.streamssl.connectors.event.MetricsEvent;
import io.streamssl.connectors.event.TrainedEvent;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.program.JobRunner;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A poisoned batch through the whole job (in-process Kafka, MiniCluster, RocksDB, DJL): {@code testing.poison-ids}
 * makes one batch's loss NaN. Its 32 images reach the dead-letter topic with reason {@code NON_FINITE_LOSS} and
 * their source positions, the job trains on to {@code max-steps} without a restart, the committed metrics count
 * one skipped step, and every image is either trained or dead-lettered, once. One image with label 99999
 * ({@code probe.classes} 10) is counted in {@code labels_out_of_range}.
 */
class NonFiniteLossITCase extends PipelineITBase {

    private static boolean produced;

    /**
     * Once for both tests: generated/21/0 relabelled 99999 (offset 0), then generated/21/0 … /223 (offsets 1 …
     * 224), so with batches of 32 generated/21/40 is in the second batch; and each test's dead-letter topic.
     */
    @BeforeEach
    void produceOnce() throws Exception {
        if (produced) {
            return;
        }
        kafka.createTopics(1, "nan.dlq", "nan-fail.dlq");
        GeneratedShapes shapes = new GeneratedShapes(224, 21, 32);
        sendWithLabel(shapes.iterator().next(), 99999);
        assertThat(PipelineFixture.produce(kafka, shapes, 224)).isEqualTo(224);
        produced = true;
    }

    @Test
    void aPoisonedBatchIsDeadLetteredAndTheJobTrainsOn() throws Exception {
        String poison = "generated/21/40";

        java.util.Map<String, String> values = PipelineFixture.smallJob(kafka, work.resolve("nan"));
        values.put("trainer.max-steps", "6");
        values.put("testing.poison-ids", poison);
        values.put("metrics.trained-ids", "true");
        values.put("kafka.group-id", "non-finite");
        values.put("kafka.dead-letter-topic", "nan.dlq");
        JobConfig config = JobConfig.of(values);
        JobRunner.Summary summary = new JobRunner(
                StreamExecutionEnvironment.getExecutionEnvironment(JobFlinkConfiguration.of(config)), config,
                "it-nan", new PrintStream(System.out, true)).run();
        assertThat(summary.steps()).isEqualTo(6);
        assertThat(summary.images()).isEqualTo(6 * 32);
        assertThat(Double.isFinite(summary.loss())).isTrue();

        List<ConsumerRecord<byte[], byte[]>> dead = PipelineFixture.read(kafka, "nan.dlq", false);
        assertThat(dead).hasSize(32);
        Set<String> deadIds = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> d : dead) {
            deadIds.add(new String(d.key(), StandardCharsets.UTF_8));
            assertThat(header(d, DeadLetterSerializationSchema.REASON)).isEqualTo("NON_FINITE_LOSS");
            assertThat(header(d, DeadLetterSerializationSchema.STAGE)).isEqualTo("trainer");
            assertThat(header(d, DeadLetterSerializationSchema.SOURCE)).matches("images-0@\\d+");
            assertThat(header(d, DeadLetterSerializationSchema.DETAIL)).contains("loss NaN", "byol", "learning rate");
        }
        assertThat(deadIds).hasSize(32).contains(poison);

        // committed records only: no restart happened, one skipped step, the one out-of-range label
        List<MetricsEvent> metrics = PipelineFixture.events(kafka, "it-nan", MetricsEvent.class, true);
        assertThat(metrics).allMatch(m -> m.header().attempt() == 0).allMatch(m -> Double.isFinite(m.loss()));
        assertThat(metrics.stream().mapToLong(MetricsEvent::skippedSteps).sum()).isEqualTo(1);
        assertThat(metrics.stream().mapToLong(MetricsEvent::labelsOutOfRange).sum()).isEqualTo(1);
        assertThat(metrics.get(metrics.size() - 1).step()).isEqualTo(6);
        // the trained images and the dead-lettered ones are disjoint: 7 batches of 32 distinct records
        List<TrainedEvent> trained = PipelineFixture.events(kafka, "it-nan", TrainedEvent.class, true);
        Set<String> trainedIds = new HashSet<>();
        trained.forEach(t -> trainedIds.addAll(t.ids()));
        assertThat(trained.stream().mapToInt(t -> t.ids().size()).sum()).isEqualTo(6 * 32);
        assertThat(trainedIds).doesNotContainAnyElementsOf(deadIds);
    }

    /**
     * Two poisoned batches in a row with {@code trainer.max-consecutive-skipped-steps=2}: the job fails at once,
     * without a restart, and the cause names the method and the learning rate. Its own consumer group reads the
     * topic from the start: the first two batches are poisoned.
     */
    @Test
    void consecutiveSkippedStepsFailTheJobWithoutARestart() throws Exception {
        java.util.Map<String, String> values = PipelineFixture.smallJob(kafka, work.resolve("nan-fail"));
        values.put("trainer.max-steps", "6");
        values.put("testing.poison-ids", "generated/21/0/relabelled,generated/21/40");
        values.put("trainer.max-consecutive-skipped-steps", "2");
        values.put("kafka.group-id", "non-finite-fail");
        values.put("kafka.dead-letter-topic", "nan-fail.dlq");
        values.put("metrics.trained-ids", "true");
        JobConfig config = JobConfig.of(values);
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> new JobRunner(
                StreamExecutionEnvironment.getExecutionEnvironment(JobFlinkConfiguration.of(config)), config,
                "it-nan-fail", new PrintStream(System.out, true)).run());
        assertThat(failure).isNotNull();
        assertThat(org.apache.flink.util.ExceptionUtils.findThrowable(failure,
                org.apache.flink.runtime.execution.SuppressRestartsException.class)).isPresent();
        assertThat(org.apache.flink.util.ExceptionUtils.findThrowable(failure, SkippedSteps.NonFiniteLossException.class))
                .get().extracting(Throwable::getMessage).asString()
                .contains("2 steps in a row had a non-finite loss", "method byol", "at learning rate");
        // no restart: no record of a second attempt, no trained step
        assertThat(PipelineFixture.events(kafka, "it-nan-fail", io.streamssl.connectors.event.TrainerRecord.class,
                false)).noneMatch(r -> r.header().attempt() > 0).noneMatch(r -> r instanceof TrainedEvent);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static void sendWithLabel(LabeledImage image, int label) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                KafkaClientProperties.of(kafka.bootstrapServers()).producer())) {
            LabeledImage relabelled = new LabeledImage(image.id() + "/relabelled", image.data(), image.contentType(),
                    image.width(), image.height(), label);
            producer.send(ImageProducer.toRecord("images", relabelled, 0, true, null)).get();
        }
    }
}
