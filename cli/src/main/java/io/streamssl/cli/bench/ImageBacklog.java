package io.streamssl.cli.bench;

import io.streamssl.connectors.ImageProducer;
import io.streamssl.connectors.KafkaClientProperties;
import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.dataset.LabeledImage;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Keeps an images topic a fixed number of generated images ({@link GeneratedShapes}) ahead of what the trainer
 * has trained on, from a background thread.
 *
 * <pre>{@code
 * try (ImageBacklog backlog = ImageBacklog.start(bootstrap, "images", 32, 2048)) {
 *     // … for each metrics record of the trainer:
 *     backlog.trained(imagesSoFar);
 * }
 * }</pre>
 *
 * A benchmark wants the trainer never to wait for input, yet every image produced costs CPU that the trainer
 * shares: a fixed-rate producer either starves a fast configuration or wastes cores on a slow one. Following
 * the trainer's own count makes the producer's cost proportional to the trainer's pace in every phase.
 * {@link #start} fills the whole headroom before it returns, so the job's first steps do not wait either.
 */
public final class ImageBacklog implements AutoCloseable {

    private final String topic;
    private final long headroom;
    private final KafkaProducer<byte[], byte[]> producer;
    private final GeneratedShapes dataset;
    private final AtomicLong trained = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Thread thread;
    private Iterator<LabeledImage> pass;
    private long epoch;
    private volatile long sent;
    private volatile boolean stopped;

    private ImageBacklog(String bootstrapServers, String topic, int size, long headroom) {
        this.topic = topic;
        this.headroom = headroom;
        this.producer = new KafkaProducer<>(
                KafkaClientProperties.of(bootstrapServers, Map.of(ProducerConfig.ACKS_CONFIG, "1")).producer());
        this.dataset = new GeneratedShapes(10_000, 1, size);
        this.pass = dataset.iterator();
        this.thread = new Thread(this::keepAhead, "bench-image-backlog");
        this.thread.setDaemon(true);
    }

    /**
     * Sends {@code headroom} images of {@code size} px to {@code topic}, then keeps that many ahead of
     * {@link #trained}.
     */
    public static ImageBacklog start(String bootstrapServers, String topic, int size, long headroom) {
        if (headroom <= 0) {
            throw new IllegalArgumentException("backlog headroom must be positive, got " + headroom);
        }
        ImageBacklog backlog = new ImageBacklog(bootstrapServers, topic, size, headroom);
        try {
            backlog.topUp();
            backlog.producer.flush();
            backlog.rethrow();
        } catch (RuntimeException e) {
            backlog.producer.close();
            throw e;
        }
        backlog.thread.start();
        return backlog;
    }

    /** The trainer's image count so far (from its metrics records); only ever moves forward. */
    public void trained(long images) {
        trained.accumulateAndGet(images, Math::max);
    }

    /** Images sent so far. */
    public long sent() {
        return sent;
    }

    private void keepAhead() {
        try {
            while (!stopped) {
                if (topUp() == 0) {
                    TimeUnit.MILLISECONDS.sleep(50);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
    }

    /** Sends until {@code headroom} images are ahead of the trainer; returns how many it sent. */
    private int topUp() {
        int n = 0;
        while (!stopped && sent - trained.get() < headroom) {
            if (!pass.hasNext()) {
                epoch++; // another pass: other augmentations of the same images
                pass = dataset.iterator();
            }
            producer.send(ImageProducer.toRecord(topic, pass.next(), epoch, true, dataset.name()), (md, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
            });
            sent++;
            n++;
        }
        return n;
    }

    /** Throws what the background producer ran into, if anything. */
    public void rethrow() {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("producing images to topic '" + topic + "' failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(10_000);
        producer.close();
    }
}
