package io.streamssl.cli.bench;

import io.streamssl.connectors.ImageProducer;
import io.streamssl.connectors.event.TrainerEventReader;
import io.streamssl.connectors.kafka.EmbeddedKafka;
import io.streamssl.models.GpuRequirement;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import io.streamssl.pipeline.job.JobFlinkConfiguration;
import io.streamssl.pipeline.program.JobRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.FileUtils;

/**
 * The real training job in this process, as {@code demo} runs it, to a {@code trainer.max-steps} end: an
 * in-process Kafka broker in {@code work/kafka}, a producer thread filling the images topic, a local Flink
 * cluster (no web UI), the job stopped with a savepoint at max-steps, then the run's committed metrics records
 * saved to {@code work/}{@value #METRICS_LOG} before the broker goes. The benchmarks' common part.
 *
 * <pre>{@code
 * InProcessJob.Outcome o = InProcessJob.run(config, work, b -> b.setDataset(data).optMaxRecords(n), out);
 * }</pre>
 */
final class InProcessJob {

    /** The run's metrics topic, saved in the work directory. */
    static final String METRICS_LOG = "metrics.jsonl";

    /** A run's files in its work directory, deleted before a run. */
    static final List<String> RUN_FILES = List.of("kafka", "checkpoints", "snapshots", "result.json", METRICS_LOG);

    /**
     * What the job did: its summary, wall time from submission to its end, and its committed metrics records
     * (one JSON object each, in topic order).
     */
    record Outcome(JobRunner.Summary summary, double trainSeconds, List<String> metrics) {}

    private InProcessJob() {}

    /** Creates {@code work} and deletes an earlier run's {@link #RUN_FILES} from it. */
    static Path prepare(Path work) throws IOException {
        Path dir = work.toAbsolutePath();
        Files.createDirectories(dir);
        for (String name : RUN_FILES) {
            FileUtils.deleteFileOrDirectory(dir.resolve(name).toFile());
        }
        return dir;
    }

    /**
     * Runs {@code config} (complete but for the broker's address) on a broker in {@code work}; {@code producer}
     * completes a builder that has the broker and the images topic set (data set, order, record count). The
     * producer runs unthrottled on a thread of its own and is stopped when the job ends.
     */
    static Outcome run(JobConfig config, Path work, UnaryOperator<ImageProducer.Builder> producer, PrintStream out)
            throws Exception {
        GpuRequirement.check(config.get(StreamsslOptions.DEVICE)); // the trainer runs in this JVM
        out.println("starting an in-process Kafka broker …");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"))) {
            JobConfig job = config.with(Map.of(StreamsslOptions.BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers()));
            kafka.createTopics(1, job.get(StreamsslOptions.IMAGES_TOPIC), job.get(StreamsslOptions.METRICS_TOPIC),
                    job.get(StreamsslOptions.SNAPSHOTS_TOPIC), job.get(StreamsslOptions.DEAD_LETTER_TOPIC));
            ImageProducer images = producer.apply(ImageProducer.builder()
                    .setBootstrapServers(kafka.bootstrapServers())
                    .optTopic(job.get(StreamsslOptions.IMAGES_TOPIC))).build();
            Thread producing = new Thread(() -> {
                try {
                    images.run();
                } catch (Exception e) {
                    out.println("producer stopped: " + e.getMessage());
                }
            }, "bench-producer");
            producing.setDaemon(true);
            producing.start();

            Configuration flink = JobFlinkConfiguration.of(job);
            flink.set(RestOptions.ADDRESS, "127.0.0.1");
            flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
            flink.set(RestOptions.BIND_PORT, "0"); // no web UI wanted; never the port of a demo running beside
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(flink);
            long t0 = System.nanoTime();
            JobRunner.Summary summary;
            try {
                summary = new JobRunner(env, job, UUID.randomUUID().toString(), out).run();
            } finally {
                images.stop();
                producing.join(10_000);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            out.println(summary.line());
            List<String> metrics = saveMetrics(kafka.bootstrapServers(), job.get(StreamsslOptions.METRICS_TOPIC),
                    work.resolve(METRICS_LOG), out);
            return new Outcome(summary, seconds, metrics);
        }
    }

    /**
     * The run's committed metrics records, one JSON per line, before the in-process broker goes: what
     * {@code streamssl report --jsonl} draws (loss, throughput, and held-out kNN when {@code eval.*} was set).
     */
    private static List<String> saveMetrics(String bootstrapServers, String topic, Path file, PrintStream out)
            throws IOException {
        try (TrainerEventReader reader = TrainerEventReader.builder().setBootstrapServers(bootstrapServers)
                .setTopic(topic).build()) {
            List<String> records = reader.readJsonToEnd(Duration.ofMinutes(1));
            Files.write(file, records, StandardCharsets.UTF_8);
            out.println("metrics log: " + file + " (" + records.size() + " records; ./streamssl report --jsonl "
                    + file + ")");
            return records;
        }
    }
}
