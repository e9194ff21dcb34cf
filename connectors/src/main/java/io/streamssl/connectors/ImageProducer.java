package io.streamssl.connectors;

import io.streamssl.connectors.dataset.ImageDataset;
import io.streamssl.connectors.dataset.LabeledImage;
import io.streamssl.connectors.dataset.StreamOrder;
import io.streamssl.connectors.dataset.StreamSchedule;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a data set to a Kafka topic in the streamssl record format (see {@link ImageRecordHeaders}).
 *
 * <pre>{@code
 * long sent = ImageProducer.builder()
 *         .setBootstrapServers("localhost:9092")
 *         .setDataset(new GeneratedShapes(10_000, 1, 32))
 *         .optTopic("images").optRepeat(3).optRecordsPerSecond(500)
 *         .build().run();
 * }</pre>
 *
 * Required: bootstrap servers and data set. Pass {@code e} of the data set carries header {@code epoch=e}.
 *
 * <p>The images go in data-set order unless {@link Builder#optOrder} gives a stream scenario, e.g. CIFAR-10
 * class-incremental, 5 phases of 2 classes, each image once:
 *
 * <pre>{@code
 * ImageProducer.builder().setBootstrapServers(servers).setDataset(Cifar10Binary.train(dir))
 *         .optOrder(StreamOrder.classIncremental(2, 1))
 *         .optProgress(p -> { if (p.phase() != null) System.out.println(p.phase()); })  // "phase 2/5 classes [4, 7]"
 *         .build().run();
 * }</pre>
 *
 * The phases, their classes and the exact index sequence are known beforehand:
 * {@code StreamOrder.classIncremental(2, 1).schedule(dataset.labels())} (see {@link StreamSchedule}).
 *
 * <p>An image larger than {@link Builder#optMaxImageBytes} (the job's {@code augment.max-image-bytes}), or one the
 * broker or topic refuses as too large, is skipped: reported with its id (a folder's relative path) to
 * {@link Builder#optOnSkipped}, counted ({@link #skippedCount()}, {@link Progress#skipped()}), and the run goes
 * on. The producer's {@code max.request.size} follows the image limit ({@link TopicLimits#imageProducer}).
 */
public final class ImageProducer {

    /**
     * Progress reported about once a second, when a phase of a class-incremental order begins, and at the end.
     *
     * @param phase the phase being sent, or null when the order has no phases
     */
    public record Progress(long sent, long total, long epoch, double recordsPerSecond, boolean done, long skipped,
            StreamSchedule.Phase phase) {}

    /** An image not sent: its id, its size and why. */
    public record Skipped(String id, long bytes, String reason) {}

    private static final Logger LOG = LoggerFactory.getLogger(ImageProducer.class);

    private final String bootstrapServers;
    private final ImageDataset dataset;
    private final String topic;
    private final long maxRecords;
    private final double recordsPerSecond;
    private final long repeat;
    private final StreamOrder order;
    private final boolean labels;
    private final Consumer<Progress> progress;
    private final KafkaClientProperties client;
    private final int maxImageBytes;
    private final Consumer<Skipped> onSkipped;
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong refused = new AtomicLong(); // sent, then refused by Kafka as too large
    private volatile boolean stopped;
    private final AtomicReference<Exception> sendError = new AtomicReference<>();

    private ImageProducer(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.dataset = b.dataset;
        this.topic = b.topic;
        this.maxRecords = b.maxRecords;
        this.recordsPerSecond = b.recordsPerSecond;
        this.repeat = b.repeat;
        this.order = b.order;
        this.labels = b.labels;
        this.progress = b.progress;
        this.maxImageBytes = b.maxImageBytes;
        this.onSkipped = b.onSkipped;
        this.client = KafkaClientProperties.of(b.bootstrapServers,
                TopicLimits.imageProducer(b.clientProperties, b.maxImageBytes));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Images skipped so far (over the size limit, or refused by Kafka as too large). */
    public long skippedCount() {
        return skipped.get();
    }

    /** Makes {@link #run()} return after the record in flight (from another thread). */
    public void stop() {
        stopped = true;
    }

    /** The Kafka record for one image of pass {@code epoch}. */
    public static ProducerRecord<byte[], byte[]> toRecord(String topic, LabeledImage img, long epoch,
            boolean withLabel, String source) {
        RecordHeaders h = new RecordHeaders();
        h.add(ImageRecordHeaders.CONTENT_TYPE, utf8(img.contentType()));
        if (img.width() > 0 && img.height() > 0) {
            h.add(ImageRecordHeaders.WIDTH, utf8(Integer.toString(img.width())));
            h.add(ImageRecordHeaders.HEIGHT, utf8(Integer.toString(img.height())));
        }
        if (withLabel && img.label() >= 0) {
            h.add(ImageRecordHeaders.LABEL, utf8(Integer.toString(img.label())));
        }
        if (source != null) {
            h.add(ImageRecordHeaders.SOURCE, utf8(source));
        }
        h.add(ImageRecordHeaders.TIMESTAMP, utf8(Long.toString(System.currentTimeMillis())));
        h.add(ImageRecordHeaders.EPOCH, utf8(Long.toString(epoch)));
        return new ProducerRecord<>(topic, null, utf8(img.id()), img.data(), h);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Publishes until the data set has been sent {@code repeat} times, {@code maxRecords} is reached or
     * {@link #stop()}; returns the records Kafka accepted (skipped images not counted).
     *
     * @throws IllegalArgumentException before anything is sent, if the order does not fit the data set (see
     *     {@link StreamOrder#schedule})
     */
    public long run() throws Exception {
        long perPass;
        Iterator<Pass> passes;
        if (order.kind() == StreamOrder.Kind.DATASET) {
            perPass = dataset.size();
            passes = inDatasetOrder();
        } else {
            StreamSchedule schedule = order.schedule(dataset.labels());
            perPass = schedule.passLength();
            passes = scheduled(schedule);
        }
        long total = maxRecords > 0 ? (repeat > 0 ? Math.min(maxRecords, perPass * repeat) : maxRecords)
                : (repeat > 0 ? perPass * repeat : -1);
        long sent = 0;
        long start = System.nanoTime();
        long lastReport = start;
        long epoch = 0;
        StreamSchedule.Phase phase = null;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(client.producer())) {
            outer:
            while (passes.hasNext()) {
                Pass pass = passes.next();
                epoch = pass.epoch();
                if (pass.phase() != null && !pass.phase().equals(phase)) {
                    phase = pass.phase();
                    if (progress != null) { // a new phase is news: say it now, not within the second
                        progress.accept(new Progress(sent, total, epoch, rate(sent, start, System.nanoTime()), false,
                                skipped.get(), phase));
                    }
                }
                while (pass.images().hasNext()) {
                    if (stopped || (maxRecords > 0 && sent >= maxRecords)) {
                        break outer;
                    }
                    Exception failed = sendError.get();
                    if (failed != null) {
                        throw new IllegalStateException("sending to topic '" + topic + "' at " + bootstrapServers
                                + " failed: " + failed.getMessage(), failed);
                    }
                    LabeledImage img = pass.images().next();
                    if (img.data().length > maxImageBytes) {
                        skip(new Skipped(img.id(), img.data().length, img.data().length + " bytes, over the limit of "
                                + maxImageBytes + " (augment.max-image-bytes)"));
                        continue;
                    }
                    String id = img.id();
                    long bytes = img.data().length;
                    producer.send(toRecord(topic, img, epoch, labels, dataset.name()), (md, e) -> {
                        if (e instanceof RecordTooLargeException) {
                            refused.incrementAndGet();
                            // the producer's max.request.size or the topic's max.message.bytes: skip, go on
                            skip(new Skipped(id, bytes, "refused by Kafka as too large (" + e.getMessage()
                                    + "); raise max.request.size or the topic's max.message.bytes"));
                        } else if (e != null) {
                            sendError.compareAndSet(null, e);
                        }
                    });
                    sent++;
                    pace(start, sent);
                    long now = System.nanoTime();
                    if (progress != null && now - lastReport >= TimeUnit.SECONDS.toNanos(1)) {
                        lastReport = now;
                        progress.accept(new Progress(sent, total, epoch, rate(sent, start, now), false,
                                skipped.get(), phase));
                    }
                }
            }
            producer.flush();
        }
        if (sendError.get() != null) {
            throw new IllegalStateException("sending to topic '" + topic + "' at " + bootstrapServers + " failed: "
                    + sendError.get().getMessage(), sendError.get());
        }
        sent -= refused.get();
        if (progress != null) {
            progress.accept(new Progress(sent, total, epoch, rate(sent, start, System.nanoTime()), true,
                    skipped.get(), phase));
        }
        return sent;
    }

    /** One pass over the data set, or one repeat of a phase: images sent in a row under one epoch. */
    private record Pass(Iterator<LabeledImage> images, long epoch, StreamSchedule.Phase phase) {}

    /** The data set's own iteration, pass after pass: no labels read, images streamed as the data set reads. */
    private Iterator<Pass> inDatasetOrder() {
        return new Iterator<>() {
            private long epoch;

            @Override
            public boolean hasNext() {
                return repeat == 0 || epoch < repeat;
            }

            @Override
            public Pass next() {
                return new Pass(dataset.iterator(), epoch++, null);
            }
        };
    }

    /** The schedule's stretches, each image read by its index when it is sent. */
    private Iterator<Pass> scheduled(StreamSchedule schedule) {
        Iterator<StreamSchedule.Stretch> stretches = schedule.stretches(repeat);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return stretches.hasNext();
            }

            @Override
            public Pass next() {
                StreamSchedule.Stretch s = stretches.next();
                return new Pass(Arrays.stream(s.indices()).mapToObj(dataset::image).iterator(), s.epoch(), s.phase());
            }
        };
    }

    private void skip(Skipped s) {
        skipped.incrementAndGet();
        if (onSkipped != null) {
            onSkipped.accept(s);
        } else {
            LOG.warn("skipped image {}: {}", s.id(), s.reason());
        }
    }

    private static double rate(long sent, long start, long now) {
        return sent / Math.max(1e-9, (now - start) / 1e9);
    }

    private void pace(long start, long sent) throws InterruptedException {
        if (recordsPerSecond <= 0) {
            return;
        }
        long due = start + (long) (sent * 1e9 / recordsPerSecond);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    /** Builder; {@code set*} are required, {@code opt*} optional. */
    public static final class Builder {
        private String bootstrapServers;
        private ImageDataset dataset;
        private String topic = Topics.IMAGES;
        private long maxRecords;
        private double recordsPerSecond;
        private long repeat = 1;
        private StreamOrder order = StreamOrder.dataset();
        private boolean labels = true;
        private Consumer<Progress> progress;
        private int maxImageBytes = TopicLimits.DEFAULT_MAX_IMAGE_BYTES;
        private Consumer<Skipped> onSkipped;
        private final Map<String, String> clientProperties = new LinkedHashMap<>();

        public Builder setBootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        public Builder setDataset(ImageDataset dataset) {
            this.dataset = dataset;
            return this;
        }

        public Builder optTopic(String topic) {
            this.topic = topic;
            return this;
        }

        /** Stop after this many records; 0 = no limit. */
        public Builder optMaxRecords(long max) {
            this.maxRecords = max;
            return this;
        }

        /** Rate limit; 0 = as fast as possible. */
        public Builder optRecordsPerSecond(double rate) {
            this.recordsPerSecond = rate;
            return this;
        }

        /** Passes over the data set; 0 = forever (until {@link ImageProducer#stop()} or the record limit). */
        public Builder optRepeat(long passes) {
            this.repeat = passes;
            return this;
        }

        /**
         * The order of the images (default {@link StreamOrder#dataset()}: data-set order, every pass the same), a
         * stream scenario such as {@link StreamOrder#classIncremental}. With a class-incremental order,
         * {@link #optRepeat} is the repeats of each phase in a row, and must not be 0.
         */
        public Builder optOrder(StreamOrder order) {
            this.order = order;
            return this;
        }

        /** Whether to send the {@code label} header. */
        public Builder optLabels(boolean labels) {
            this.labels = labels;
            return this;
        }

        /**
         * The largest image sent, in bytes (default 16 MiB, as the job's {@code augment.max-image-bytes}): larger
         * ones are skipped. The producer's {@code max.request.size} is this plus room for the headers.
         */
        public Builder optMaxImageBytes(int maxImageBytes) {
            this.maxImageBytes = maxImageBytes;
            return this;
        }

        /** Told about every skipped image (from the producer's thread too); default: a log warning. */
        public Builder optOnSkipped(Consumer<Skipped> onSkipped) {
            this.onSkipped = onSkipped;
            return this;
        }

        public Builder optProgress(Consumer<Progress> progress) {
            this.progress = progress;
            return this;
        }

        /**
         * Other Kafka producer properties (security settings, or acks and linger over the defaults of
         * {@link KafkaClientProperties#producer()}); added to those given before.
         */
        public Builder optClientProperties(Map<String, String> properties) {
            clientProperties.putAll(properties);
            return this;
        }

        public ImageProducer build() {
            InvalidOptions invalid = new InvalidOptions("ImageProducer")
                    .requireText(bootstrapServers, "bootstrap servers (setBootstrapServers)")
                    .require(dataset, "data set (setDataset)")
                    .requireText(topic, "topic (optTopic)")
                    .require(order, "order (optOrder)")
                    .add(KafkaClientProperties.problems(clientProperties));
            if (maxImageBytes < 1) {
                invalid.add("max image bytes must be >= 1, got " + maxImageBytes);
            }
            if (maxRecords < 0 || recordsPerSecond < 0 || repeat < 0) {
                invalid.add("max records, records/s and repeat must be >= 0 (0 = unlimited), got "
                        + maxRecords + ", " + recordsPerSecond + ", " + repeat);
            }
            if (order != null && order.kind() == StreamOrder.Kind.CLASS_INCREMENTAL && repeat == 0) {
                invalid.add("repeat 0 (forever) cannot go with a class-incremental order (optOrder): the first phase"
                        + " would never end; give the repeats per phase (optRepeat)");
            }
            invalid.throwIfAny();
            return new ImageProducer(this);
        }
    }
}
