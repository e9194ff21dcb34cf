package io.streamssl.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.connectors.DeadLetterSerializationSchema;
import io.streamssl.connectors.ImageRecordHeaders;
import io.streamssl.connectors.KafkaClientProperties;
import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.event.CheckpointEvent;
import io.streamssl.connectors.event.MetricsEvent;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.connectors.event.TrainerEventReader;
import io.streamssl.connectors.event.TrainerRecord;
import io.streamssl.models.snapshot.SnapshotEncoder;
import io.streamssl.pipeline.program.JobRunner;
import io.streamssl.pipeline.config.JobConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The whole path on real parts: an in-process KRaft broker, the Flink MiniCluster with RocksDB and
 * checkpoints, DJL training on the CPU; driven by the same {@link JobRunner} as {@code streamssl run}.
 */
class TrainingPipelineITCase extends PipelineITBase {

    @Test
    void trainsCheckpointsPublishesAndSnapshotsWithACorruptRecordInTheStream() throws Exception {
        // 512 real images, one corrupt record in the middle, 512 more
        long sent = PipelineFixture.produce(kafka, PipelineFixture.cifarOrGenerated(1024), 512);
        sendCorruptRecord();
        sent += PipelineFixture.produce(kafka, new GeneratedShapes(512, 9, 32), 512);
        assertThat(sent).isEqualTo(1024);

        Map<String, String> values = PipelineFixture.smallJob(kafka, work.resolve("run1"));
        values.put("trainer.max-steps", "24");
        JobConfig config = JobConfig.of(values);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        JobRunner.Summary summary = new JobRunner(
                StreamExecutionEnvironment.getExecutionEnvironment(JobFlinkConfiguration.of(config)), config,
                "it-run-1", new PrintStream(console, true, StandardCharsets.UTF_8)).run();
        System.out.println(console.toString(StandardCharsets.UTF_8));
        System.out.println(summary.line());

        assertThat(summary.steps()).isEqualTo(24);
        assertThat(summary.images()).isEqualTo(24 * 32);
        assertThat(summary.line()).matches("steps=24 images=768 loss=\\d+\\.\\d{4} probe_acc=\\S+ snapshot=\\S+");

        // committed (read_committed) records exist only once a checkpoint holding them completed
        List<TrainerRecord> committed = PipelineFixture.readEvents(kafka, "metrics", true);
        assertThat(committed).as("metrics committed by completed checkpoints").isNotEmpty();
        assertThat(committed).anyMatch(m -> m instanceof CheckpointEvent);
        List<MetricsEvent> metrics = TrainerEventReader.select(committed, null, MetricsEvent.class);
        assertThat(metrics).isNotEmpty().allMatch(m -> Double.isFinite(m.loss()));
        assertThat(metrics.get(metrics.size() - 1).step()).isEqualTo(24);

        // the announced snapshot loads, its weights match the manifest, and it embeds the reference image to the
        // very vector the trainer's encoder gave when it wrote the snapshot
        List<SnapshotEvent> snapshots = TrainerEventReader.select(PipelineFixture.readEvents(kafka, "snapshots", true),
                null, SnapshotEvent.class);
        assertThat(snapshots).extracting(SnapshotEvent::step).contains(10L, 20L, 24L);
        Path last = Path.of(snapshots.get(snapshots.size() - 1).path());
        assertThat(last.toString()).isEqualTo(summary.snapshot());
        try (SnapshotEncoder encoder = SnapshotEncoder.load(last)) {
            assertThat(encoder.manifest().step()).isEqualTo(24);
            assertThat(encoder.manifest().check().embedding()).hasSize(64);
            assertThat(encoder.maxCheckDifference()).isEqualTo(0.0);
        }

        // the corrupt record was dead-lettered with its reason; training went on past it
        List<ConsumerRecord<byte[], byte[]>> dead = PipelineFixture.read(kafka, "images.dlq", false);
        assertThat(dead).hasSize(1);
        assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("corrupt-1");
        assertThat(new String(dead.get(0).headers().lastHeader(DeadLetterSerializationSchema.REASON).value(),
                StandardCharsets.UTF_8)).isIn("UNDECODABLE", "TRUNCATED");
        assertThat(dead.get(0).value()).isEqualTo(CORRUPT);
    }

    /** DINO: 2 global 32 px + 6 local 16 px crops per image travel as one sample and train as one step. */
    @Test
    void multiCropMethodTrainsOnGlobalAndLocalViews() throws Exception {
        PipelineFixture.produce(kafka, new GeneratedShapes(256, 11, 32), 256);
        Map<String, String> values = PipelineFixture.smallJob(kafka, work.resolve("dino"));
        values.keySet().removeIf(k -> k.startsWith("method.")); // the BYOL head sizes of smallJob
        values.put("trainer.method", "dino");
        values.put("method.out-dim", "256");
        values.put("method.head-hidden", "128");
        values.put("method.head-bottleneck", "64");
        values.put("trainer.max-steps", "6");
        values.put("kafka.group-id", "dino");
        JobConfig config = JobConfig.of(values);
        JobRunner.Summary summary = new JobRunner(
                StreamExecutionEnvironment.getExecutionEnvironment(JobFlinkConfiguration.of(config)), config,
                "it-dino", new PrintStream(System.out, true)).run();
        assertThat(summary.steps()).isEqualTo(6);
        assertThat(Double.isFinite(summary.loss())).isTrue();
        try (SnapshotEncoder encoder = SnapshotEncoder.load(Path.of(summary.snapshot()))) {
            assertThat(encoder.manifest().method()).isEqualTo("dino");
            assertThat(encoder.maxCheckDifference()).isEqualTo(0.0);
        }
        // the teacher, the centre and the head went into checkpoints with the student
        assertThat(PipelineFixture.events(kafka, "it-dino", CheckpointEvent.class, false))
                .anyMatch(e -> e.stateBytes() > 0);
    }

    static final byte[] CORRUPT = "definitely not a png".getBytes(StandardCharsets.UTF_8);

    private static void sendCorruptRecord() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                KafkaClientProperties.of(kafka.bootstrapServers()).producer())) {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>("images", "corrupt-1".getBytes(StandardCharsets.UTF_8),
                    CORRUPT);
            r.headers().add(ImageRecordHeaders.CONTENT_TYPE, ImageRecordHeaders.PNG.getBytes(StandardCharsets.UTF_8));
            producer.send(r).get();
        }
    }
}
