package io.streamssl.serving;

import ai.djl.Device;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.connectors.event.TrainerEventCodec;
import io.streamssl.connectors.event.TrainerRecord;
import io.streamssl.models.snapshot.SnapshotEncoder;
import io.streamssl.serving.internal.AnnouncedSnapshotLoader;
import io.streamssl.serving.internal.CandidateOrder;
import io.streamssl.serving.internal.CandidateOrder.Candidate;
import io.streamssl.serving.internal.RetiringReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the newest committed encoder snapshot of a training job and embeds images with it, swapping in each newer
 * snapshot the job announces without a restart.
 *
 * <pre>{@code
 * try (SnapshotFollower follower = SnapshotFollower.builder().setBootstrapServers("broker:9092").build()) {
 *     follower.start();
 *     follower.awaitSnapshot(Duration.ofMinutes(1));
 *     Embedding e = follower.embed(rgbHwc, 32, 32);   // e.values(), e.step(), e.weightsSha256()
 * }
 * }</pre>
 *
 * <p>Required: {@link SnapshotFollowerBuilder#setBootstrapServers}. It reads the snapshots topic ({@code snapshots} unless
 * {@link SnapshotFollowerBuilder#optTopic}) {@code read_committed}, so it sees an announcement only once the checkpoint that holds
 * the snapshot's training state completed, never one a failure rolled back. It takes no consumer group: it is
 * assigned every partition and keeps its position in memory.
 *
 * <p><b>Loading.</b> Each announced snapshot is loaded from its directory ({@link SnapshotEncoder#load}, which
 * checks the weights file against the manifest's sha256) and must have the announced {@code weights_sha256} and
 * step; a snapshot that fails any of this is refused: logged at WARN with its path and the reason, told to the
 * {@link Listener}, and the snapshot served before stays in service. Only a newer step replaces the served one
 * (see {@link CandidateOrder}); repeats of a served snapshot are skipped.
 *
 * <p><b>Start.</b> It first reads the topic up to its end offsets (for {@code read_committed}: the last stable
 * offset) as they are when it begins, and then loads the newest announced snapshot, or if that one is refused
 * the newest one before it that loads; then it follows new announcements.
 *
 * <p><b>Swapping.</b> The new encoder replaces the old one atomically; {@link #embed} calls in flight on the old
 * one finish on it, and it is closed (its native memory freed) when the last of them returns.
 *
 * <p><b>Threads.</b> {@link #start()} follows on a daemon thread of its own; without it, {@link #pollOnce} reads
 * in the caller's thread (for tests, or a caller's own loop: then from one thread at a time). {@link #embed},
 * {@link #current} and the waits may be called from any number of threads.
 */
public final class SnapshotFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotFollower.class);
    /** How long the follower's thread waits for records in one poll; also how soon it notices a close. */
    private static final Duration POLL = Duration.ofMillis(500);
    /** After a failed poll (broker unreachable, authentication failed), before the next one. */
    private static final Duration RETRY = Duration.ofSeconds(1);

    /** The snapshot served and its encoder, shared with the {@link #embed} calls that use it. */
    private record Served(ServedSnapshot snapshot, RetiringReference<SnapshotEncoder> encoder) {}

    // ------------------------------------------------------------------ configuration
    private final String topic;
    private final String model;
    private final Device device;
    private final Listener listener;
    private final String servers;

    // ------------------------------------------------------------------ runtime
    /** Used by one thread at a time: the follower's, or the caller of {@link #pollOnce}. */
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;
    /** Where reading must get to before the first snapshot is chosen; null before the first poll. */
    private Map<TopicPartition, Long> resumeEnd;
    private boolean resumed;
    /** Announcements read while resuming: the newest loadable of them is served first. */
    private final List<Candidate> resumeCandidates = new ArrayList<>();
    private long received;

    private final AtomicReference<Served> current = new AtomicReference<>();
    /** Notified on every swap and on close, for the waits. */
    private final Object changed = new Object();
    private volatile String lastRefusal;
    private volatile boolean closed;
    private volatile Thread thread;

    /** Made by {@link SnapshotFollowerBuilder#build()}, which checked every argument. */
    SnapshotFollower(String servers, String topic, String model, Device device, Listener listener,
            KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions) {
        this.servers = servers;
        this.topic = topic;
        this.model = model;
        this.device = device;
        this.listener = listener;
        this.consumer = consumer;
        this.partitions = partitions;
    }

    public static SnapshotFollowerBuilder builder() {
        return new SnapshotFollowerBuilder();
    }

    /** Told of swaps and refusals, on the thread that reads the topic. Both methods do nothing by default. */
    public interface Listener {

        /** {@code now} is served from here on; {@code previous} is null for the first snapshot. */
        default void onSwap(ServedSnapshot previous, ServedSnapshot now) {}

        /** {@code announcement}'s snapshot was not loaded, because of {@code reason}; the served one stays. */
        default void onRefused(SnapshotEvent announcement, String reason) {}
    }

    // ------------------------------------------------------------------ following

    /** Follows the topic on a daemon thread of its own until {@link #close()}. */
    public synchronized void start() {
        ensureOpen();
        if (thread != null) {
            throw new IllegalStateException("SnapshotFollower of topic '" + topic + "' is started already");
        }
        Thread t = new Thread(this::follow, "snapshot-follower-" + topic);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /**
     * Reads what arrives within {@code timeout} and serves the newest good snapshot of it; the first calls finish
     * reading to the end offsets the topic had at the first one before choosing. For a follower not
     * {@link #start() started}.
     *
     * @return how many snapshot announcements were read
     */
    public int pollOnce(Duration timeout) {
        ensureOpen();
        if (thread != null) {
            throw new IllegalStateException("SnapshotFollower of topic '" + topic + "' follows on its own thread"
                    + " (start() was called): pollOnce is for a follower that is not started");
        }
        return poll(timeout);
    }

    private void follow() {
        while (!closed) {
            try {
                poll(POLL);
            } catch (WakeupException | InterruptException e) {
                if (!closed) {
                    LOG.warn("snapshot follower of topic '{}' was interrupted; it stops following", topic);
                }
                return;
            } catch (RuntimeException e) {
                LOG.warn("reading snapshot announcements from topic '{}' at {} failed, retrying in {} s: {}", topic,
                        servers, RETRY.toSeconds(), e.toString());
                synchronized (changed) {
                    if (!closed) {
                        try {
                            changed.wait(RETRY.toMillis());
                        } catch (InterruptedException ie) {
                            return;
                        }
                    }
                }
            }
        }
    }

    private int poll(Duration timeout) {
        if (resumeEnd == null) {
            resumeEnd = consumer.endOffsets(partitions);
            LOG.info("resuming from the newest announcement on topic '{}': reading to offsets {}", topic, resumeEnd);
        }
        List<Candidate> fresh = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            SnapshotEvent a = announcement(r);
            if (a != null) {
                fresh.add(new Candidate(a, received++));
            }
        }
        if (!resumed) {
            resumeCandidates.addAll(fresh);
            if (partitions.stream().allMatch(tp -> consumer.position(tp) >= resumeEnd.get(tp))) {
                resumed = true;
                LOG.info("read {} snapshot announcement(s) on topic '{}' to its end", resumeCandidates.size(), topic);
                adoptNewest(resumeCandidates);
                resumeCandidates.clear();
            }
        } else if (!fresh.isEmpty()) {
            adoptNewest(fresh);
        }
        return fresh.size();
    }

    /** The record's snapshot announcement, or null for another kind, another model or an undecodable record. */
    private SnapshotEvent announcement(ConsumerRecord<byte[], byte[]> r) {
        TrainerRecord decoded;
        try {
            decoded = TrainerEventCodec.decode(r.value());
        } catch (RuntimeException e) {
            LOG.warn("skipping a record that is not a trainer event at {}-{}@{}: {}", r.topic(), r.partition(),
                    r.offset(), e.getMessage());
            return null;
        }
        if (!(decoded instanceof SnapshotEvent s) || (model != null && !model.equals(s.header().model()))) {
            return null;
        }
        return s;
    }

    /** Serves the newest of {@code candidates} that loads and is newer than the served one, if any. */
    private void adoptNewest(List<Candidate> candidates) {
        Served served = current.get();
        List<SnapshotEvent> order = CandidateOrder.toTry(candidates, served == null ? -1 : served.snapshot().step(),
                served == null ? null : served.snapshot().weightsSha256());
        if (order.isEmpty() && !candidates.isEmpty()) {
            LOG.debug("{} announcement(s) on topic '{}', none newer than the served {}", candidates.size(), topic,
                    served.snapshot());
        }
        for (SnapshotEvent a : order) {
            if (closed) {
                return;
            }
            SnapshotEncoder encoder;
            try {
                encoder = AnnouncedSnapshotLoader.load(a, device);
            } catch (AnnouncedSnapshotLoader.RefusedException e) {
                refuse(a, e.getMessage(), served);
                continue;
            }
            swap(new Served(new ServedSnapshot(a.header().step(), encoder.manifest().weightsSha256(),
                    Path.of(a.path()), encoder.manifest()), new RetiringReference<>(encoder)));
            return;
        }
    }

    private void refuse(SnapshotEvent a, String reason, Served served) {
        lastRefusal = "snapshot " + a.path() + " (step " + a.header().step() + ") refused: " + reason;
        LOG.warn("{}; {}", lastRefusal, served == null ? "no snapshot is served yet"
                : "still serving " + served.snapshot());
        try {
            listener.onRefused(a, reason);
        } catch (RuntimeException e) {
            LOG.warn("the snapshot follower's listener failed on a refusal: {}", e.toString());
        }
    }

    private void swap(Served next) {
        Served previous;
        synchronized (changed) {
            if (closed) { // close() ran while this one loaded: nobody will retire it
                next.encoder().retire();
                return;
            }
            previous = current.getAndSet(next);
            changed.notifyAll();
        }
        if (previous != null) {
            previous.encoder().retire(); // closed once the embed calls still using it return
        }
        ServedSnapshot was = previous == null ? null : previous.snapshot();
        LOG.info("serving snapshot {}{}", next.snapshot(), was == null ? "" : ", was step " + was.step());
        try {
            listener.onSwap(was, next.snapshot());
        } catch (RuntimeException e) {
            LOG.warn("the snapshot follower's listener failed on a swap: {}", e.toString());
        }
    }

    // ------------------------------------------------------------------ serving

    /** The snapshot served now, or empty if none is loaded yet (or the follower is closed). */
    public Optional<ServedSnapshot> current() {
        Served s = current.get();
        return s == null ? Optional.empty() : Optional.of(s.snapshot());
    }

    /**
     * Waits until a snapshot is served, at most {@code timeout}; a follower not {@link #start() started} polls in
     * the calling thread meanwhile.
     *
     * @throws TimeoutException if none is served by then (the message says what was refused, if anything)
     */
    public ServedSnapshot awaitSnapshot(Duration timeout) throws InterruptedException, TimeoutException {
        return awaitStep(Long.MIN_VALUE, timeout);
    }

    /** {@link #awaitSnapshot}, for a snapshot of step {@code step} or later. */
    public ServedSnapshot awaitStep(long step, Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Served s = current.get();
            if (s != null && s.snapshot().step() >= step) {
                return s.snapshot();
            }
            ensureOpen();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                String refusal = lastRefusal;
                throw new TimeoutException("no snapshot" + (step == Long.MIN_VALUE ? "" : " of step " + step
                        + " or later") + " served from topic '" + topic + "' at " + servers + " within "
                        + timeout.toMillis() + " ms" + (s == null ? "" : "; serving " + s.snapshot())
                        + (refusal == null ? "" : "; last refusal: " + refusal));
            }
            if (thread == null) {
                poll(Duration.ofNanos(Math.min(left, POLL.toNanos())));
            } else {
                synchronized (changed) {
                    Served now = current.get();
                    if ((now == null || now.snapshot().step() < step) && !closed) {
                        changed.wait(Math.max(1, left / 1_000_000));
                    }
                }
            }
        }
    }

    /** Embeds one H×W×3 uint8 RGB image with the served snapshot. */
    public Embedding embed(byte[] rgb, int height, int width) {
        return embed(rgb, 1, height, width);
    }

    /**
     * Embeds {@code count} H×W×3 uint8 RGB images (interleaved, one after another) in one forward pass with the
     * served snapshot (see {@link SnapshotEncoder#embed(byte[], int, int, int)}).
     *
     * @throws IllegalStateException if no snapshot is loaded yet, or the follower is closed
     */
    public Embedding embed(byte[] rgb, int count, int height, int width) {
        Served s = acquire();
        try {
            return new Embedding(s.encoder().get().embed(rgb, count, height, width), count, s.snapshot());
        } finally {
            s.encoder().release();
        }
    }

    private Served acquire() {
        while (true) {
            Served s = current.get();
            if (s == null) {
                ensureOpen();
                String refusal = lastRefusal;
                throw new IllegalStateException("no snapshot loaded yet from topic '" + topic + "' at " + servers
                        + ": none announced and committed so far" + (refusal == null ? "" : ", or none loadable"
                        + " (last refusal: " + refusal + ")") + "; call start() and awaitSnapshot(timeout) first");
            }
            if (s.encoder().tryAcquire()) {
                return s;
            }
            // retired between get() and tryAcquire(): its successor is in place already (or the follower closed)
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("SnapshotFollower of topic '" + topic + "' is closed");
        }
    }

    /**
     * Stops following and closes the served encoder once the {@link #embed} calls in flight return; later
     * {@code embed} calls fail.
     */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            t = thread;
        }
        synchronized (changed) {
            changed.notifyAll();
        }
        if (t != null) {
            consumer.wakeup();
            boolean interrupted = false;
            while (t.isAlive()) {
                try {
                    t.join(); // a snapshot being loaded is finished first, then retired by swap()
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        consumer.close();
        Served s;
        synchronized (changed) {
            s = current.getAndSet(null);
        }
        if (s != null) {
            s.encoder().retire();
        }
    }
}
