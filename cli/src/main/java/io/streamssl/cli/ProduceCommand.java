package io.streamssl.cli;

import io.streamssl.connectors.ImageProducer;
import io.streamssl.connectors.Topics;
import io.streamssl.connectors.dataset.Cifar10Binary;
import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.dataset.ImageDataset;
import io.streamssl.connectors.dataset.ImageFolder;
import io.streamssl.connectors.dataset.StreamOrder;
import io.streamssl.connectors.dataset.StreamSchedule;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code streamssl produce}: publish a data set to Kafka in the streamssl record format. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Publish images to a Kafka topic: CIFAR-10 binary, an image folder (sub-folders = classes),"
                + " or a generated set of 10 shape classes (default); in data-set order or as a stream scenario"
                + " (--order).")
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
            description = "Passes over the data set (0 = forever; default: ${DEFAULT-VALUE}). With --order"
                    + " class-incremental: each phase's images this many times in a row (reshuffled, epoch 0..E-1)"
                    + " before the next phase, so classes never return; 0 is not allowed there.")
    long repeat;

    @Option(names = "--order", defaultValue = "dataset", paramLabel = "ORDER",
            description = "Order of the images, a stream scenario: dataset (data-set order every pass; the default),"
                    + " iid (a new seeded shuffle each pass), class-incremental (phases of --phase-classes classes"
                    + " that never return), blocks (runs of --block-size images of one class, as from a video),"
                    + " imbalanced (a long-tailed subset: head/tail = --imbalance-ratio).")
    String order;

    @Option(names = "--order-seed", paramLabel = "SEED",
            description = "Seed of the order's shuffles and class choices (default: 1); not with --order dataset.")
    Long orderSeed;

    @Option(names = "--phase-classes", paramLabel = "K",
            description = "class-incremental: classes per phase; must divide the number of classes (default: 2).")
    Integer phaseClasses;

    @Option(names = "--class-order", split = ",", paramLabel = "C",
            description = "class-incremental: the classes in the order they arrive, each once, e.g. 3,1,4,0,5,9,2,6,8,7"
                    + " (default: a permutation drawn from --order-seed).")
    List<Integer> classOrder;

    @Option(names = "--block-size", paramLabel = "N",
            description = "blocks: images per block of one class (default: 32).")
    Integer blockSize;

    @Option(names = "--imbalance-ratio", paramLabel = "R",
            description = "imbalanced: images of the head class / of the tail class, >= 1 (default: 100, as"
                    + " CIFAR-10-LT); class of rank r keeps n_max * R^(-r/(C-1)) images.")
    Double imbalanceRatio;

    @Option(names = "--no-labels", description = "Do not send the label header.")
    boolean noLabels;

    @Override
    public Integer call() throws Exception {
        StreamOrder streamOrder = streamOrder();
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
        if (streamOrder.kind() != StreamOrder.Kind.DATASET) {
            describe(streamOrder, streamOrder.schedule(dataset.labels()), dataset);
        }
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
                .optOrder(streamOrder)
                .optLabels(!noLabels)
                .optProgress(p -> System.out.printf(Locale.ROOT, "%s%d%s records | %sepoch %d | %.0f records/s%s%s",
                        System.console() != null ? "\r" : "", p.sent(), p.total() > 0 ? "/" + p.total() : "",
                        p.phase() != null ? p.phase() + " | " : "", p.epoch(), p.recordsPerSecond(),
                        p.skipped() > 0 ? " | " + p.skipped() + " skipped" : "",
                        System.console() != null && !p.done() ? "" : "\n"))
                .build();
        long sent = producer.run();
        System.out.println("sent " + sent + " records to " + topic + (producer.skippedCount() > 0
                ? "; skipped " + producer.skippedCount() + " image(s) (see above; limit augment.max-image-bytes = "
                        + maxImageBytes + " bytes)" : ""));
        return 0;
    }

    /** The order the options give; an option that the order does not take fails, naming the order that does. */
    private StreamOrder streamOrder() {
        StreamOrder.Kind kind = StreamOrder.Kind.of(order);
        onlyWith(orderSeed, "--order-seed", kind != StreamOrder.Kind.DATASET, "iid, class-incremental, blocks or"
                + " imbalanced");
        onlyWith(phaseClasses, "--phase-classes", kind == StreamOrder.Kind.CLASS_INCREMENTAL, "class-incremental");
        onlyWith(classOrder, "--class-order", kind == StreamOrder.Kind.CLASS_INCREMENTAL, "class-incremental");
        onlyWith(blockSize, "--block-size", kind == StreamOrder.Kind.BLOCKS, "blocks");
        onlyWith(imbalanceRatio, "--imbalance-ratio", kind == StreamOrder.Kind.IMBALANCED, "imbalanced");
        if (kind == StreamOrder.Kind.CLASS_INCREMENTAL && repeat == 0) {
            throw new IllegalArgumentException("--repeat 0 (forever) cannot go with --order class-incremental: the first"
                    + " phase would never end; give the repeats of each phase (e.g. --repeat 1)");
        }
        long seed = orderSeed == null ? StreamOrder.DEFAULT_SEED : orderSeed;
        return switch (kind) {
            case DATASET -> StreamOrder.dataset();
            case IID -> StreamOrder.iid(seed);
            case CLASS_INCREMENTAL -> StreamOrder.classIncremental(
                    phaseClasses == null ? StreamOrder.DEFAULT_PHASE_CLASSES : phaseClasses,
                    classOrder == null ? List.of() : classOrder, seed);
            case BLOCKS -> StreamOrder.blocks(blockSize == null ? StreamOrder.DEFAULT_BLOCK_SIZE : blockSize, seed);
            case IMBALANCED -> StreamOrder.imbalanced(
                    imbalanceRatio == null ? StreamOrder.DEFAULT_IMBALANCE_RATIO : imbalanceRatio, seed);
        };
    }

    private static void onlyWith(Object value, String option, boolean applies, String orders) {
        if (value != null && !applies) {
            throw new IllegalArgumentException(option + " goes with --order " + orders);
        }
    }

    /** The plan up front: the order, the images per pass, and each phase's classes with their names. */
    private void describe(StreamOrder order, StreamSchedule schedule, ImageDataset dataset) {
        System.out.printf(Locale.ROOT, "order %s: %d%s images per pass%s%n", order, schedule.passLength(),
                schedule.passLength() != dataset.size() ? " of " + dataset.size() : "",
                schedule.phases().isEmpty() || repeat < 2 ? "" : ", each phase " + repeat + " times in a row");
        List<String> names = dataset.classes();
        for (StreamSchedule.Phase p : schedule.phases()) {
            System.out.println("  " + p + (p.classes().stream().allMatch(c -> c < names.size())
                    ? " " + p.classes().stream().map(names::get).toList() : ""));
        }
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
