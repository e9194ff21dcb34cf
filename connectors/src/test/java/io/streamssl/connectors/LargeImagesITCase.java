package io.streamssl.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.connectors.dataset.ImageFolder;
import io.streamssl.connectors.decode.DecodeLimits;
import io.streamssl.connectors.decode.ImageDecoder;
import io.streamssl.connectors.decode.RgbImage;
import io.streamssl.connectors.kafka.EmbeddedKafka;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Phone-sized photos through a broker with Kafka's production defaults ({@code message.max.bytes} ≈ 1 MB): a
 * topic created with the documented {@code max.message.bytes} takes a multi-MB JPEG; an image over the job's
 * limit, or one a default-sized topic refuses, is skipped with its path and the run goes on.
 */
class LargeImagesITCase {

    private static final String PHOTOS = "photos";
    private static final String DEFAULT_SIZED = "default-sized";

    @TempDir
    static Path tmp;
    private static EmbeddedKafka kafka;
    private static byte[] photo;

    @BeforeAll
    static void startBrokerAndMakeAPhoto() throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"));
        // as the README's topic-creation commands: the images topic's documented limit, the broker's default
        kafka.createTopic(PHOTOS, 1, Map.of("max.message.bytes", Long.toString(TopicLimits.IMAGE_TOPIC_BYTES)));
        kafka.createTopic(DEFAULT_SIZED, 1, Map.of());
        photo = noiseJpeg(1600, 1200, 7);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aMultiMegabyteJpegArrivesWholeAndDecodes() throws Exception {
        assertThat(photo.length).as("a photo larger than Kafka's 1 MB defaults").isGreaterThan(2_000_000);
        System.out.println("photo: 1600x1200 JPEG of " + photo.length + " bytes");
        Path folder = tmp.resolve("whole");
        Files.createDirectories(folder.resolve("street"));
        Files.write(folder.resolve("street/phone.jpg"), photo);

        List<ImageProducer.Skipped> skipped = new ArrayList<>();
        ImageProducer producer = ImageProducer.builder().setBootstrapServers(kafka.bootstrapServers())
                .setDataset(new ImageFolder(folder)).optTopic(PHOTOS).optOnSkipped(skipped::add).build();
        assertThat(producer.run()).isEqualTo(1);
        assertThat(skipped).isEmpty();

        List<ConsumerRecord<byte[], byte[]>> read = readAll(PHOTOS, 1);
        assertThat(read).hasSize(1);
        assertThat(read.get(0).value()).isEqualTo(photo);
        RgbImage decoded = new ImageDecoder(DecodeLimits.DEFAULT).decode(read.get(0).value(), ImageDecoder.JPEG, 0, 0);
        assertThat(decoded.width()).isEqualTo(1600);
        assertThat(decoded.height()).isEqualTo(1200);

        try (Admin admin = kafka.admin()) {
            List<String> warnings = TopicLimits.warnings(admin, Map.of(
                    PHOTOS, TopicLimits.imageRecordBytes(TopicLimits.DEFAULT_MAX_IMAGE_BYTES),
                    DEFAULT_SIZED, TopicLimits.imageRecordBytes(TopicLimits.DEFAULT_MAX_IMAGE_BYTES)),
                    Duration.ofSeconds(20));
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0)).contains("'" + DEFAULT_SIZED + "'").contains("max.message.bytes=17825792");
        }
    }

    @Test
    void imagesOverTheLimitAreSkippedWithTheirPathAndTheRunGoesOn() throws Exception {
        Path folder = tmp.resolve("mixed");
        Files.createDirectories(folder.resolve("a"));
        Files.write(folder.resolve("a/1-small.jpg"), noiseJpeg(64, 48, 1));
        Files.write(folder.resolve("a/2-huge.jpg"), new byte[TopicLimits.DEFAULT_MAX_IMAGE_BYTES + 1]);
        Files.write(folder.resolve("a/3-small.jpg"), noiseJpeg(64, 48, 2));

        List<ImageProducer.Skipped> skipped = new ArrayList<>();
        List<ImageProducer.Progress> progress = new ArrayList<>();
        String topic = "mixed";
        kafka.createTopic(topic, 1, Map.of("max.message.bytes", Long.toString(TopicLimits.IMAGE_TOPIC_BYTES)));
        ImageProducer producer = ImageProducer.builder().setBootstrapServers(kafka.bootstrapServers())
                .setDataset(new ImageFolder(folder)).optTopic(topic).optOnSkipped(skipped::add)
                .optProgress(progress::add).build();
        assertThat(producer.run()).isEqualTo(2);
        assertThat(producer.skippedCount()).isEqualTo(1);
        assertThat(skipped).extracting(ImageProducer.Skipped::id).containsExactly("a/2-huge.jpg");
        assertThat(skipped.get(0).reason()).contains("augment.max-image-bytes");
        assertThat(progress.get(progress.size() - 1).skipped()).isEqualTo(1);
        assertThat(readAll(topic, 2)).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("a/1-small.jpg", "a/3-small.jpg");
        assertThat(endOffset(topic)).as("nothing else on the topic").isEqualTo(2);

        // a topic left at Kafka's default refuses the photo: skipped too, the small image after it still sent
        Path second = tmp.resolve("refused");
        Files.createDirectories(second.resolve("b"));
        Files.write(second.resolve("b/1-photo.jpg"), photo);
        Files.write(second.resolve("b/2-small.jpg"), noiseJpeg(64, 48, 3));
        List<ImageProducer.Skipped> refused = new ArrayList<>();
        ImageProducer toDefault = ImageProducer.builder().setBootstrapServers(kafka.bootstrapServers())
                .setDataset(new ImageFolder(second)).optTopic(DEFAULT_SIZED).optOnSkipped(refused::add).build();
        assertThat(toDefault.run()).isEqualTo(1);
        assertThat(refused).extracting(ImageProducer.Skipped::id).containsExactly("b/1-photo.jpg");
        assertThat(refused.get(0).reason()).contains("max.message.bytes");
        List<ConsumerRecord<byte[], byte[]>> read = readAll(DEFAULT_SIZED, 1);
        assertThat(new String(read.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("b/2-small.jpg");
    }

    /** A JPEG of RGB noise at quality 1.0: incompressible, so a few MB at phone-photo size. */
    static byte[] noiseJpeg(int width, int height, long seed) throws Exception {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(1.0f);
            writer.write(null, new IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    private static long endOffset(String topic) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.client().consumer(IsolationLevel.READ_UNCOMMITTED))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            return c.endOffsets(List.of(tp)).get(tp);
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int n) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.client().consumer(IsolationLevel.READ_UNCOMMITTED))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < n && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
