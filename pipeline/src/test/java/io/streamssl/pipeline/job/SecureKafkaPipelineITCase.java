package io.streamssl.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.connectors.ConfigRedaction;
import io.streamssl.connectors.ImageProducer;
import io.streamssl.connectors.ImageRecordHeaders;
import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.event.TrainerEventReader;
import io.streamssl.connectors.kafka.EmbeddedKafka;
import io.streamssl.models.snapshot.SnapshotWriter;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.program.JobRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job trains through a broker that takes SASL/PLAIN only, its login given as {@code kafka.properties.*}: the
 * source, the trainer's sink, the dead-letter sink and the runner's metrics reader all log in. The password
 * then appears nowhere: not in any log line (INFO and up, every logger, exceptions included), not on the
 * console, not in a metrics or snapshot record, not in any snapshot file (the manifests carry the redacted config).
 */
class SecureKafkaPipelineITCase {

    private static final String USER = "streamssl-job";
    private static final String PASSWORD = "pw-c0ffee-4b1d-secret";

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    Path work;

    @Test
    void trainsThroughSaslAndThePasswordAppearsInNoLogManifestOrRecord() throws Exception {
        StringWriter logs = new StringWriter();
        try (EmbeddedKafka kafka = EmbeddedKafka.startSaslPlain(work.resolve("kafka"), USER, PASSWORD);
                CapturedLogs captured = CapturedLogs.start(logs)) {
            kafka.createTopics(1, PipelineFixture.TOPICS);
            Map<String, String> login = EmbeddedKafka.saslPlainClient(USER, PASSWORD);
            long sent = ImageProducer.builder().setBootstrapServers(kafka.bootstrapServers())
                    .optClientProperties(login).setDataset(new GeneratedShapes(200, 5, 32)).build().run();
            assertThat(sent).isEqualTo(200);
            sendCorruptRecord(kafka, login);

            Map<String, String> values = PipelineFixture.smallJob(kafka, work.resolve("run"));
            login.forEach((k, v) -> values.put("kafka.properties." + k, v));
            values.put("trainer.max-steps", "6");
            values.put("snapshots.every-steps", "3");
            JobConfig config = JobConfig.of(values);
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            JobRunner.Summary summary = new JobRunner(
                    StreamExecutionEnvironment.getExecutionEnvironment(JobFlinkConfiguration.of(config)), config,
                    "it-sasl", new PrintStream(console, true, StandardCharsets.UTF_8)).run();
            assertThat(summary.steps()).isEqualTo(6);

            // the dead-letter sink logged in too: the corrupt record is on the dead-letter topic
            List<ConsumerRecord<byte[], byte[]>> dead = readAll(kafka, "images.dlq");
            assertThat(dead).extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).containsExactly("corrupt-1");
            // the trainer's sink logged in: snapshots announced, committed
            List<String> announcements = readAll(kafka, "snapshots").stream()
                    .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
            assertThat(announcements).hasSizeGreaterThanOrEqualTo(2);
            List<String> metrics = readAll(kafka, "metrics").stream()
                    .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
            assertThat(metrics).isNotEmpty();

            List<Path> manifests = files(work.resolve("run/snapshots"), SnapshotWriter.MANIFEST_FILE);
            assertThat(manifests).hasSizeGreaterThanOrEqualTo(2);
            for (Path manifest : manifests) {
                String text = Files.readString(manifest);
                assertThat(text).as(manifest.toString()).doesNotContain(PASSWORD)
                        .contains("kafka.properties.sasl.jaas.config").contains(ConfigRedaction.MASK)
                        .contains("SASL_PLAINTEXT"); // harmless settings stay readable
            }
            for (Path file : files(work.resolve("run/snapshots"), null)) {
                assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).as(file.toString())
                        .doesNotContain(PASSWORD);
            }
            assertThat(console.toString(StandardCharsets.UTF_8)).doesNotContain(PASSWORD);
            assertThat(String.join("\n", metrics)).doesNotContain(PASSWORD);
            assertThat(String.join("\n", announcements)).doesNotContain(PASSWORD);
            captured.flush();
            // the capture holds the trainer's log and the Kafka clients' config dumps, which hide the login
            assertThat(logs.toString()).as("captured logs").contains("io.streamssl.pipeline.job.TrainerOperator")
                    .contains("sasl.jaas.config = [hidden]").doesNotContain(PASSWORD);
        }
    }

    private static void sendCorruptRecord(EmbeddedKafka kafka, Map<String, String> login) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.client().producer())) {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>("images",
                    "corrupt-1".getBytes(StandardCharsets.UTF_8), "not a png".getBytes(StandardCharsets.UTF_8));
            r.headers().add(ImageRecordHeaders.CONTENT_TYPE, ImageRecordHeaders.PNG.getBytes(StandardCharsets.UTF_8));
            producer.send(r).get();
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(EmbeddedKafka kafka, String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.client().consumer(IsolationLevel.READ_COMMITTED))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            while (c.position(tp) < end && System.nanoTime() < deadline) {
                c.poll(java.time.Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private static List<Path> files(Path root, String name) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).filter(p -> name == null || p.getFileName().toString().equals(name))
                    .toList();
        }
    }

    /** Every log event of every logger at INFO and up, with its exception, written to a writer while open. */
    private static final class CapturedLogs implements AutoCloseable {
        private static final String NAME = "secret-scan";
        private final LoggerContext context;
        private final Level rootLevel;
        private final StringWriter writer;

        private CapturedLogs(LoggerContext context, Level rootLevel, StringWriter writer) {
            this.context = context;
            this.rootLevel = rootLevel;
            this.writer = writer;
        }

        static CapturedLogs start(StringWriter writer) {
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            Configuration config = context.getConfiguration();
            WriterAppender appender = WriterAppender.newBuilder().setName(NAME).setTarget(writer)
                    .setLayout(PatternLayout.newBuilder().withPattern("%c %m%n%throwable").withConfiguration(config)
                            .build())
                    .build();
            appender.start();
            config.addAppender(appender);
            LoggerConfig root = config.getRootLogger();
            Level before = root.getLevel();
            root.addAppender(appender, Level.INFO, null);
            root.setLevel(Level.INFO);
            for (LoggerConfig lc : config.getLoggers().values()) {
                if (lc != root) {
                    lc.addAppender(appender, Level.INFO, null);
                }
            }
            context.updateLoggers();
            return new CapturedLogs(context, before, writer);
        }

        void flush() {
            writer.flush();
        }

        @Override
        public void close() {
            Configuration config = context.getConfiguration();
            config.getRootLogger().setLevel(rootLevel);
            for (LoggerConfig lc : config.getLoggers().values()) {
                lc.removeAppender(NAME);
            }
            config.getRootLogger().removeAppender(NAME);
            context.updateLoggers();
        }
    }
}
