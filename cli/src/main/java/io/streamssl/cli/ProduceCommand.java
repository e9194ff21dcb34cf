package io.streamssl.cli;

import io.streamssl.connectors.ImageProducer;
import io.streamssl.connectors.Topics;
import io.streamssl.connectors.dataset.Cifar10Binary;
import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.dataset.ImageDataset;
import io.streamssl.connectors.dataset.ImageFolder;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code streamssl produce}: publish a data set to Kafka in the streamssl record format. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Publish images to a Kafka topic: CIFAR-10 binary, an image folder (sub-folders = classes),"
                + " or a generated set of 10 shape classes (default).")
public final class ProduceCommand implements Callable<Integer> {

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (default: the config's kafka.bootstrap-servers).")
    String bootstrap;

    @Option(names = {"-t", "--topic"},
            description = "Topic (default: the config's kafka.images-topic, " + Topics.IMAGES + ").")
    String topic;

    @Mixin
    JobConfigOptions job = new JobConfigOptions();

    @ArgGroup(exclusive = true)
    Source source = new Source();

    static final class Source {
        @Option(names = "--cifar10", paramLabel = "DIR", description = "CIFAR-10 binary directory (data_batch_*.bin).")
        Path cifar10;

        @Option(names = "--folder", paramLabel = "DIR", description = "Image folder: DIR/<class>/<image>.png|jpg.")
        Path folder;

        @Option(names = "--generated", paramLabel = "N", description = "N generated images (the default, 10000).")
        Long generated;
    }

    @Option(names = "--split", defaultValue = "train", description = "CIFAR-10 split: train or test (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--size", defaultValue = "32", description = "Side of generated images (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the generated set (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-records", defaultValue = "0", description = "Stop after N records (0 = no limit).")
    long maxRecords;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "RECORDS_PER_S", description = "Rate limit (0 = none).")
    double rate;

    @Option(names = "--repeat", defaultValue = "1", paramLabel = "EPOCHS",
            description = "Passes over the data set (0 = forever; default: ${DEFAULT-VALUE}).")
    long repeat;

    @Option(names = "--no-labels", description = "Do not send the label header.")
    boolean noLabels;

    @Override
    public Integer call() throws Exception {
        JobConfig config = job.load();
        String bootstrap = JobConfigOptions.orConfig(this.bootstrap, config, StreamsslOptions.BOOTSTRAP_SERVERS);
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("no Kafka to produce to: give -b HOST:PORT, or a config (-c/-s) with"
                    + " kafka.bootstrap-servers");
        }
        String topic = JobConfigOptions.orConfig(this.topic, config, StreamsslOptions.IMAGES_TOPIC);
        int maxImageBytes = config.get(StreamsslOptions.MAX_IMAGE_BYTES);
        ImageDataset dataset = dataset();
        System.out.printf(Locale.ROOT, "producing %s (%d images per pass, %s) to %s at %s%n", dataset.name(),
                dataset.size(), repeat == 0 ? "forever" : repeat + " pass(es)", topic, bootstrap);
        ImageProducer producer = ImageProducer.builder()
                .setBootstrapServers(bootstrap)
                .setDataset(dataset)
                .optTopic(topic)
                .optClientProperties(config.kafkaClientProperties())
                .optMaxImageBytes(maxImageBytes)
                .optOnSkipped(s -> System.out.printf(Locale.ROOT, "%sskipped %s: %s%n",
                        System.console() != null ? "\n" : "", s.id(), s.reason()))
                .optMaxRecords(maxRecords)
                .optRecordsPerSecond(rate)
                .optRepeat(repeat)
                .optLabels(!noLabels)
                .optProgress(p -> System.out.printf(Locale.ROOT, "%s%d%s records | epoch %d | %.0f records/s%s%s",
                        System.console() != null ? "\r" : "", p.sent(), p.total() > 0 ? "/" + p.total() : "",
                        p.epoch(), p.recordsPerSecond(), p.skipped() > 0 ? " | " + p.skipped() + " skipped" : "",
                        System.console() != null && !p.done() ? "" : "\n"))
                .build();
        long sent = producer.run();
        System.out.println("sent " + sent + " records to " + topic + (producer.skippedCount() > 0
                ? "; skipped " + producer.skippedCount() + " image(s) (see above; limit augment.max-image-bytes = "
                        + maxImageBytes + " bytes)" : ""));
        return 0;
    }

    private ImageDataset dataset() {
        if (source.cifar10 != null) {
            return switch (split) {
                case "train" -> Cifar10Binary.train(source.cifar10);
                case "test" -> Cifar10Binary.test(source.cifar10);
                default -> throw new IllegalArgumentException("--split must be train or test, got '" + split + "'");
            };
        }
        if (source.folder != null) {
            return new ImageFolder(source.folder);
        }
        return new GeneratedShapes(source.generated == null ? 10_000 : source.generated, seed, size);
    }
}
