package io.streamssl.connectors.dataset;

import io.streamssl.connectors.ImageRecord;
import io.streamssl.connectors.ImageRecordDeserializationSchema;
import io.streamssl.connectors.KafkaClientProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.flink.util.Collector;

/**
 * The labelled images of a Kafka topic in the streamssl record format, read once to the end the topic has when
 * it is opened ({@code read_committed}), partition by partition, in offset order: a held-out set a user keeps
 * in Kafka. Records without a label or whose envelope is malformed are skipped and counted.
 */
public final class KafkaImageTopic implements ImageDataset {

    private final String topic;
    private final List<LabeledImage> images;
    private final int skipped;
    private final List<String> classes;

    private KafkaImageTopic(String topic, List<LabeledImage> images, int skipped, int classes) {
        this.topic = topic;
        this.images = Collections.unmodifiableList(images);
        this.skipped = skipped;
        this.classes = IntStream.range(0, classes).mapToObj(Integer::toString).toList();
    }

    /**
     * Reads at most {@code limit} labelled images of {@code topic}, those with a label in {@code [0, classes)}.
     *
     * @throws IllegalStateException if the topic does not exist or cannot be read to its end within
     *     {@code timeout}
     */
    public static KafkaImageTopic read(String bootstrapServers, Map<String, String> clientProperties, String topic,
            int classes, int limit, Duration timeout) {
        Objects.requireNonNull(topic, "topic");
        KafkaClientProperties client = KafkaClientProperties.of(bootstrapServers, clientProperties);
        List<LabeledImage> out = new ArrayList<>();
        int skipped = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(client.consumer(
                IsolationLevel.READ_COMMITTED))) {
            var info = consumer.partitionsFor(topic, timeout);
            if (info == null || info.isEmpty()) {
                throw new IllegalStateException("held-out topic '" + topic + "' does not exist at " + bootstrapServers);
            }
            List<TopicPartition> partitions = info.stream().map(p -> new TopicPartition(topic, p.partition()))
                    .sorted((a, b) -> Integer.compare(a.partition(), b.partition())).toList();
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            ImageRecordDeserializationSchema schema = new ImageRecordDeserializationSchema();
            List<ImageRecord> one = new ArrayList<>(1);
            Collector<ImageRecord> collect = new Collector<>() {
                @Override
                public void collect(ImageRecord record) {
                    one.add(record);
                }

                @Override
                public void close() {}
            };
            long deadline = System.nanoTime() + timeout.toNanos();
            for (TopicPartition tp : partitions) {
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                while (out.size() < limit && consumer.position(tp) < end.get(tp)) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("could not read held-out topic '" + topic + "' to its end "
                                + end + " within " + timeout.toSeconds() + " s");
                    }
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (out.size() >= limit || r.offset() >= end.get(tp)) {
                            break;
                        }
                        one.clear();
                        schema.deserialize(r, collect);
                        ImageRecord image = one.get(0);
                        if (image.problem != null || image.label < 0 || image.label >= classes || image.data == null) {
                            skipped++;
                            continue;
                        }
                        out.add(new LabeledImage(image.id, image.data, image.contentType, image.width, image.height,
                                image.label));
                    }
                }
                if (out.size() >= limit) {
                    break;
                }
            }
        }
        return new KafkaImageTopic(topic, out, skipped, classes);
    }

    @Override
    public String name() {
        return "kafka:" + topic;
    }

    @Override
    public long size() {
        return images.size();
    }

    /** Label indices as names ("0", "1", …): a topic carries no class names. */
    @Override
    public List<String> classes() {
        return classes;
    }

    /** Records passed over: no label, a label outside the classes, or a malformed envelope. */
    public int skipped() {
        return skipped;
    }

    /** The images from {@code from} (inclusive) to {@code to} (exclusive), as a data set of their own. */
    public ImageDataset slice(int from, int to) {
        List<LabeledImage> part = images.subList(Math.min(from, images.size()), Math.min(to, images.size()));
        KafkaImageTopic parent = this;
        return new ImageDataset() {
            @Override
            public String name() {
                return parent.name();
            }

            @Override
            public long size() {
                return part.size();
            }

            @Override
            public List<String> classes() {
                return parent.classes;
            }

            @Override
            public LabeledImage image(long index) {
                return part.get(Math.toIntExact(index));
            }

            @Override
            public int[] labels() {
                return part.stream().mapToInt(LabeledImage::label).toArray();
            }

            @Override
            public Iterator<LabeledImage> iterator() {
                return part.iterator();
            }
        };
    }

    @Override
    public LabeledImage image(long index) {
        return images.get(Math.toIntExact(index));
    }

    @Override
    public int[] labels() {
        return images.stream().mapToInt(LabeledImage::label).toArray();
    }

    @Override
    public Iterator<LabeledImage> iterator() {
        return images.iterator();
    }
}
