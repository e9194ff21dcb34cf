package io.streamssl.pipeline.embed;

import io.streamssl.connectors.KafkaClientProperties;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;

/**
 * Submits the embed job and follows its output: creates the embeddings topic if it is missing, reads it
 * {@code read_committed} from its end
 * at submission, prints the snapshot in use whenever it changes and the embeddings written about every
 * {@code every}, and stops the job (cancel: uncommitted output is rolled back, committed output stays) after
 * {@code maxImages} committed embeddings, or never (Ctrl-C).
 */
public final class EmbedRunner {

    /** What a stopped run reports. */
    public record Summary(long embeddings, String snapshotSha256, long snapshotStep, double seconds) {
        public String line() {
            return String.format(Locale.ROOT, "embeddings=%d snapshot_step=%s snapshot_sha256=%s seconds=%.1f",
                    embeddings, snapshotSha256 == null ? "none" : Long.toString(snapshotStep),
                    snapshotSha256 == null ? "none" : snapshotSha256, seconds);
        }
    }

    private final StreamExecutionEnvironment env;
    private final JobConfig config;
    private final PrintStream console;
    private Duration every = Duration.ofSeconds(10);

    public EmbedRunner(StreamExecutionEnvironment env, JobConfig config, PrintStream console) {
        this.env = env;
        this.config = config;
        this.console = console;
    }

    /** How often a progress line is printed (default 10 s). */
    public EmbedRunner optProgressEvery(Duration every) {
        this.every = every;
        return this;
    }

    /** Submits the job and returns: it runs until stopped ({@code flink cancel JOB_ID}). */
    public JobClient submit() throws Exception {
        EmbedJob.build(env, config);
        return env.executeAsync(EmbedJob.jobName(config));
    }

    /** Submits, follows the output until {@code maxImages} embeddings are committed (0 = until Ctrl-C), stops. */
    public Summary run(long maxImages) throws Exception {
        String topic = config.get(StreamsslOptions.EMBED_OUTPUT_TOPIC);
        KafkaClientProperties client = KafkaClientProperties.of(config.get(StreamsslOptions.BOOTSTRAP_SERVERS),
                config.kafkaClientProperties());
        try (KafkaConsumer<byte[], byte[]> out = new KafkaConsumer<>(client.consumer(IsolationLevel.READ_COMMITTED))) {
            List<PartitionInfo> partitions = out.partitionsFor(topic, Duration.ofSeconds(30));
            if (partitions == null || partitions.isEmpty()) {
                createOutputTopic(client, topic);
                partitions = out.partitionsFor(topic, Duration.ofSeconds(30));
            }
            List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            out.assign(tps);
            out.seekToEnd(tps);
            tps.forEach(out::position); // fixes the start before the job writes
            EmbedJob.build(env, config);
            JobClient job = env.executeAsync(EmbedJob.jobName(config));
            long t0 = System.nanoTime();
            console.println("embed job " + job.getJobID() + " submitted: " + config.get(StreamsslOptions.IMAGES_TOPIC)
                    + " → " + topic + (maxImages > 0 ? ", stopping after " + maxImages + " embeddings"
                            : ", Ctrl-C stops it"));
            Thread hook = new Thread(() -> cancelQuietly(job), "streamssl-embed-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            long count = 0;
            long printedAt = System.nanoTime();
            long printedCount = 0;
            String sha = null;
            long step = -1;
            while (maxImages <= 0 || count < maxImages) {
                for (ConsumerRecord<byte[], byte[]> r : out.poll(Duration.ofMillis(500))) {
                    count++;
                    String s = header(r, EmbeddingSerializationSchema.SHA256);
                    if (s != null && !s.equals(sha)) {
                        sha = s;
                        step = Long.parseLong(header(r, EmbeddingSerializationSchema.STEP));
                        console.println("snapshot in use: step " + step + " (" + header(r,
                                EmbeddingSerializationSchema.MODEL) + ", " + header(r, EmbeddingSerializationSchema
                                .METHOD) + ", weights sha256 " + sha + ")");
                    }
                }
                long now = System.nanoTime();
                if (now - printedAt >= every.toNanos()) {
                    console.printf(Locale.ROOT, "embeddings written: %d (%.1f/s)%n", count,
                            (count - printedCount) / ((now - printedAt) / 1e9));
                    printedAt = now;
                    printedCount = count;
                    JobStatus status = job.getJobStatus().get(30, TimeUnit.SECONDS);
                    if (status.isGloballyTerminalState()) {
                        job.getJobExecutionResult().get(); // surfaces the failure cause
                        throw new IllegalStateException("the embed job ended (" + status + ")");
                    }
                }
            }
            job.cancel().get(2, TimeUnit.MINUTES);
            Runtime.getRuntime().removeShutdownHook(hook);
            Summary summary = new Summary(count, sha, step, (System.nanoTime() - t0) / 1e9);
            console.println("stopped: " + summary.line());
            return summary;
        }
    }

    /** Creates the missing output topic (one partition per embed subtask, the broker's replication factor). */
    private void createOutputTopic(KafkaClientProperties client, String topic) {
        int partitions = config.get(StreamsslOptions.EMBED_PARALLELISM);
        try (Admin admin = Admin.create(client.admin())) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty()))).all()
                    .get(30, TimeUnit.SECONDS);
            console.println("created the output topic '" + topic + "' (" + partitions + " partition(s))");
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            if (cause instanceof TopicExistsException) {
                return;
            }
            throw new IllegalArgumentException("the output topic '" + topic + "' (" + StreamsslOptions
                    .EMBED_OUTPUT_TOPIC.key() + ") does not exist at " + client.bootstrapServers() + " and could not be"
                    + " created (" + cause.getMessage() + "): create it, or name another one", cause);
        }
    }

    private static void cancelQuietly(JobClient job) {
        try {
            job.cancel().get(1, TimeUnit.MINUTES);
        } catch (Exception e) {
            // the JVM is going down: the job's checkpoints stay for a restart
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
