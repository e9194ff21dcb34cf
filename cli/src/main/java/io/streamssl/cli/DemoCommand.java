package io.streamssl.cli;

import io.streamssl.pipeline.program.AutoResume;
import io.streamssl.pipeline.program.JobOptions;
import io.streamssl.pipeline.program.JobRunner;
import io.streamssl.connectors.ImageProducer;
import io.streamssl.connectors.Topics;
import io.streamssl.connectors.dataset.Cifar10Binary;
import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.dataset.ImageDataset;
import io.streamssl.connectors.kafka.EmbeddedKafka;
import io.streamssl.models.method.SslMethods;
import io.streamssl.models.GpuRequirement;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import io.streamssl.pipeline.job.JobFlinkConfiguration;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.FileUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streamssl demo}: everything in one process — an in-process Kafka broker (KRaft), a local Flink
 * cluster with its web UI, a background producer of generated images — and the training job on top.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start an in-process Kafka broker and a local Flink cluster (web UI on localhost), stream a"
                + " generated data set (or CIFAR-10 with --cifar10) and train. --max-steps N stops after N steps.")
public final class DemoCommand implements Callable<Integer> {

    @Mixin
    JobOptions job;

    @Option(names = "--work-dir", defaultValue = "streamssl-out/demo",
            description = "Broker logs, checkpoints and snapshots go here (default: ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--cifar10", paramLabel = "DIR", description = "Stream CIFAR-10 (binary format) instead of generated"
            + " images, and evaluate the snapshots on its test split (eval.cifar10, unless another eval source is set).")
    Path cifar10;

    @Option(names = "--no-eval", description = "With --cifar10: do not evaluate the snapshots on its test split.")
    boolean noEval;

    @Option(names = "--rate", defaultValue = "256", paramLabel = "IMAGES_PER_S",
            description = "Rate of the background producer (default: ${DEFAULT-VALUE}); it only needs to stay ahead of"
                    + " the trainer, and every image it makes costs CPU the trainer could use.")
    double rate;

    @Option(names = "--web-port", defaultValue = "8081",
            description = "Port of the Flink web UI; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int webPort;

    /** Hidden widths of the demo's heads, for the methods that have such heads. */
    /** The demo's method, unless the user chooses one. */
    static final String DEMO_METHOD = "simclr";

    private static final Map<String, String> DEMO_HEADS = Map.of("projector-hidden", "1024", "predictor-hidden", "1024");

    /**
     * The demo's defaults: SimCLR on a ResNet-18 (CIFAR stem) narrowed to width 16 with 1024-wide heads, so that
     * a 2-core laptop CPU trains two to three steps per second; every key can still be overridden.
     */
    static Map<String, String> demoDefaults(JobOptions job) {
        return demoDefaults(job, Map.of());
    }

    /**
     * The demo's defaults with {@code base} (e.g. {@code trainer.method}) among them, under the user's config: the
     * heads' widths go to the method that the result selects.
     */
    static Map<String, String> demoDefaults(JobOptions job, Map<String, String> base) {
        Map<String, String> d = new LinkedHashMap<>();
        // SimCLR learned most per image at this network on a CPU: after two passes over CIFAR-10 its kNN@20
        // was 0.455 against BYOL's 0.373, MoCo v2's 0.307 and a random encoder's 0.301, at twice BYOL's images
        // per second (README "Results: four methods, two passes over CIFAR-10")
        d.put(StreamsslOptions.METHOD.key(), DEMO_METHOD);
        d.put(StreamsslOptions.WIDTH.key(), "16");
        d.put(StreamsslOptions.BATCH_SIZE.key(), "64");
        d.put(StreamsslOptions.METRICS_EVERY.key(), "5");
        d.put(StreamsslOptions.SNAPSHOT_EVERY.key(), "50");
        d.put(StreamsslOptions.CHECKPOINT_INTERVAL.key(), "5 s");
        d.putAll(base);
        JobConfig chosen = job.load(d);
        Map<String, String> accepted = SslMethods.create(chosen.get(StreamsslOptions.METHOD),
                chosen.trainerSpec().methodSettings()).options();
        DEMO_HEADS.forEach((option, value) -> {
            if (accepted.containsKey(option) && !chosen.methodOptions().containsKey(option)) {
                d.put(JobConfig.METHOD_PREFIX + option, value);
            }
        });
        return d;
    }

    @Override
    public Integer call() throws Exception {
        Path work = workDir.toAbsolutePath();
        Files.createDirectories(work);
        FileUtils.deleteDirectory(work.resolve("kafka").toFile());
        Map<String, String> base;
        try {
            base = demoDefaults(job);
        } catch (IllegalArgumentException e) {
            if (!DemoTeacher.isMissingTeacher(e)) {
                throw e;
            }
            // SEED without a teacher: the demo trains a stand-in first (a plain run fails naming method.teacher)
            ImageDataset teacherData = cifar10 != null ? Cifar10Binary.train(cifar10) : new GeneratedShapes(10_000, 1, 32);
            Path teacher = DemoTeacher.prepare(work.resolve("teacher"), teacherData, System.out);
            base = demoDefaults(job, Map.of(DemoTeacher.KEY, teacher.toString()));
        }
        base.put(StreamsslOptions.SNAPSHOT_DIR.key(), work.resolve("snapshots").toString());
        base.put(StreamsslOptions.CHECKPOINT_DIR.key(), work.resolve("checkpoints").toString());
        if (cifar10 != null && !noEval && job.load(base).heldOut() == null) {
            // CIFAR-10 has a test split the stream never shows: evaluate the snapshots on it
            base.put(StreamsslOptions.EVAL_CIFAR10.key(), cifar10.toAbsolutePath().toString());
        }
        JobConfig probeConfig = job.load(base); // validate before starting anything
        GpuRequirement.check(probeConfig.get(StreamsslOptions.DEVICE)); // the trainer runs in this JVM
        ImageDataset data = cifar10 != null ? Cifar10Binary.train(cifar10)
                : new GeneratedShapes(10_000, 1, probeConfig.get(StreamsslOptions.IMAGE_SIZE));

        System.out.println("starting an in-process Kafka broker …");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"))) {
            base.put(StreamsslOptions.BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers());
            // a new broker every start: its id tells a resumed run that the stored offsets and transactions are gone
            base.put(StreamsslOptions.KAFKA_CLUSTER_ID.key(), kafka.clusterId());
            // a demo started again in the same --work-dir continues its model (the images start over: its broker is new)
            AutoResume resume = AutoResume.prepare(job.load(base), job.fresh(), System.out);
            JobConfig config = resume.config();
            kafka.createTopics(1, config.get(StreamsslOptions.IMAGES_TOPIC), config.get(StreamsslOptions.METRICS_TOPIC),
                    config.get(StreamsslOptions.SNAPSHOTS_TOPIC), config.get(StreamsslOptions.DEAD_LETTER_TOPIC));
            System.out.println("Kafka at " + kafka.bootstrapServers() + "; topics " + Topics.IMAGES + ", "
                    + Topics.METRICS + ", " + Topics.SNAPSHOTS + ", " + Topics.DEAD_LETTERS);

            ImageProducer producer = ImageProducer.builder()
                    .setBootstrapServers(kafka.bootstrapServers())
                    .setDataset(data)
                    .optTopic(config.get(StreamsslOptions.IMAGES_TOPIC))
                    .optRepeat(0)
                    .optRecordsPerSecond(rate)
                    .build();
            Thread producing = new Thread(() -> {
                try {
                    producer.run();
                } catch (Exception e) {
                    System.err.println("producer stopped: " + e.getMessage());
                }
            }, "demo-producer");
            producing.setDaemon(true);
            producing.start();
            System.out.println("producing " + data.name() + " (" + data.size() + " images per pass) in the background");

            Configuration flink = JobFlinkConfiguration.of(config);
            int port = webPort == 0 ? freePort() : webPort;
            flink.set(RestOptions.PORT, port);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
            System.out.println("Flink web UI: http://localhost:" + port);
            try {
                JobRunner.Summary s = new JobRunner(env, config, UUID.randomUUID().toString(), System.out)
                        .onSubmitted(resume::submitted).run();
                System.out.println(s.line());
            } finally {
                producer.stop();
                producing.join(10_000);
            }
        }
        return 0;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

}
