package io.streamssl.cli.bench;

import io.streamssl.connectors.ImageProducer;
import io.streamssl.connectors.ImageRecordHeaders;
import io.streamssl.connectors.KafkaClientProperties;
import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.dataset.LabeledImage;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The soak's producer: generated images ({@link GeneratedShapes}, pass after pass) to the images topic from a
 * background thread, first a fixed number ahead of the trainer ({@link #trained}), then — after
 * {@link #paceAt} — at a fixed rate whatever the trainer does. Every {@code corruptEvery}-th record carries bytes
 * that are no image, so the dead-letter path is part of the soak.
 *
 * <pre>{@code
 * try (SoakProducer p = SoakProducer.start(bootstrap, "images", 32, 256, 500)) {
 *     p.trained(imagesSoFar);        // while calibrating
 *     p.paceAt(2 * trainerRate);     // then: records per second
 *     p.stopAndFlush();              // p.acked() records are in the topic
 * }
 * }</pre>
 */
public final class SoakProducer implements AutoCloseable {

    /** The bytes of a record that is no image: sent as a PNG, the job dead-letters it and trains on the rest. */
    static final byte[] NOT_AN_IMAGE = "not an image: the soak's dead-letter probe".getBytes(StandardCharsets.UTF_8);

    private final String topic;
    private final long headroom;
    private final long corruptEvery;
    private final KafkaProducer<byte[], byte[]> producer;
    private final GeneratedShapes dataset;
    private final AtomicLong trained = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Thread thread;
    private Iterator<LabeledImage> pass;
    private long epoch;
    private volatile long sent;
    private volatile long corrupt;
    /** Records per second once pacing; NaN while following the trainer. */
    private volatile double rate = Double.NaN;
    private volatile boolean stopped;

    private SoakProducer(String bootstrapServers, String topic, int size, long headroom, long corruptEvery) {
        this.topic = topic;
        this.headroom = headroom;
        this.corruptEvery = corruptEvery;
        this.producer = new KafkaProducer<>(KafkaClientProperties.of(bootstrapServers,
                Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "5")).producer());
        this.dataset = new GeneratedShapes(10_000, 1, size);
        this.pass = dataset.iterator();
        this.thread = new Thread(this::produce, "soak-producer");
        this.thread.setDaemon(true);
    }

    /**
     * Starts producing {@code size}-px images to {@code topic}, {@code headroom} ahead of {@link #trained}.
     *
     * @param corruptEvery every this many records one is not an image; 0: none
     */
    public static SoakProducer start(String bootstrapServers, String topic, int size, long headroom,
            long corruptEvery) {
        if (headroom <= 0 || corruptEvery < 0) {
            throw new IllegalArgumentException("headroom must be positive and corruptEvery >= 0, got " + headroom
                    + " and " + corruptEvery);
        }
        SoakProducer p = new SoakProducer(bootstrapServers, topic, size, headroom, corruptEvery);
        p.thread.start();
        return p;
    }

    /** The trainer's image count (while calibrating, the producer stays {@code headroom} ahead of it). */
    public void trained(long images) {
        trained.accumulateAndGet(images, Math::max);
    }

    /** From now on, {@code recordsPerSecond} whatever the trainer does. */
    public void paceAt(double recordsPerSecond) {
        if (!(recordsPerSecond > 0)) {
            throw new IllegalArgumentException("rate must be positive, got " + recordsPerSecond);
        }
        rate = recordsPerSecond;
    }

    /** Records per second when pacing; NaN before {@link #paceAt}. */
    public double rate() {
        return rate;
    }

    public long sent() {
        return sent;
    }

    /** Records the broker acknowledged (acks=all): these are in the topic. */
    public long acked() {
        return acked.get();
    }

    /** Records sent that are no image. */
    public long corrupt() {
        return corrupt;
    }

    private void produce() {
        try {
            long pacedSince = 0;
            long pacedSent = 0;
            double pacedRate = Double.NaN;
            while (!stopped) {
                double r = rate;
                if (Double.isNaN(r)) {
                    if (sent - trained.get() < headroom) {
                        send();
                    } else {
                        TimeUnit.MILLISECONDS.sleep(20);
                    }
                    continue;
                }
                if (r != pacedRate) { // a new rate counts from now, not from when pacing began
                    pacedSince = System.nanoTime();
                    pacedSent = sent;
                    pacedRate = r;
                }
                // due by now at this rate since it was set: bursts after a pause catch up, the average holds
                long due = pacedSent + (long) ((System.nanoTime() - pacedSince) / 1e9 * r);
                if (sent < due) {
                    send();
                } else {
                    TimeUnit.MILLISECONDS.sleep(Math.max(1, (long) (1000 / r)));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
    }

    private void send() {
        if (!pass.hasNext()) {
            epoch++; // another pass: other augmentations of the same images
            pass = dataset.iterator();
        }
        LabeledImage image = pass.next();
        boolean bad = corruptEvery > 0 && (sent + 1) % corruptEvery == 0;
        ProducerRecord<byte[], byte[]> record = ImageProducer.toRecord(topic, bad ? new LabeledImage(image.id(),
                NOT_AN_IMAGE, ImageRecordHeaders.PNG, 0, 0, image.label()) : image, epoch, true, dataset.name());
        producer.send(record, (md, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            } else {
                acked.incrementAndGet();
            }
        });
        sent++;
        if (bad) {
            corrupt++;
        }
    }

    /** Throws what the producer ran into, if anything. */
    public void rethrow() {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("producing images to topic '" + topic + "' failed: " + e.getMessage(), e);
        }
    }

    /** Stops sending and waits until every record sent is acknowledged: then {@link #acked()} is final. */
    public void stopAndFlush() throws InterruptedException {
        stopped = true;
        thread.join(30_000);
        producer.flush();
        rethrow();
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(30_000);
        producer.close();
    }
}
