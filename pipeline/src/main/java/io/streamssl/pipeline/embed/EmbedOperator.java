package io.streamssl.pipeline.embed;

import io.streamssl.connectors.DeadLetter;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.connectors.event.TrainerEventCodec;
import io.streamssl.connectors.event.TrainerRecord;
import io.streamssl.pipeline.job.ProbeView;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeds images (input 1, decoded) with the newest committed snapshot, announced on input 2 (the snapshots topic's
 * JSON records, read {@code read_committed} and broadcast to every subtask).
 *
 * <p>State:
 * <ul>
 *   <li>{@value #NEWEST_STATE} (broadcast state): the newest announcement, by step; an older or equal step is
 *       ignored. Every subtask sees the same announcements, so every subtask holds the same value; a restored
 *       subtask loads the snapshot it names.</li>
 *   <li>{@value #WAITING_STATE} (operator list state): images that arrived before any snapshot could be loaded.
 *       They wait, through checkpoints and restores, and are embedded as soon as one is: none is lost.</li>
 *   <li>{@value #IN_USE_STATE} (operator list state): the announcement whose encoder this subtask uses, to fall
 *       back on after a restore when the newest one cannot be loaded.</li>
 * </ul>
 *
 * <p>Images are embedded in micro-batches of {@code batchSize}; {@link #flush} embeds what is buffered and is the
 * one method called when a batch is full, before each checkpoint barrier ({@link #prepareSnapshotPreBarrier}),
 * at the end of the input and in {@link #finish}, so no buffered image escapes a checkpoint while an encoder is
 * loaded. The output goes to a transactional sink: an embedding is visible once the checkpoint after it completed.
 *
 * <p>A new announcement is taken on the task thread: the buffered images are embedded with the old encoder, then
 * the new snapshot is loaded (its weights checked against the announcement's SHA-256) and every later batch uses
 * it. A snapshot that cannot be loaded, or whose weights are not the announced ones, is refused: logged, reported
 * to the dead-letter side output ({@link #DEAD_LETTERS}, stage {@value #STAGE}) and the previous encoder stays.
 */
public final class EmbedOperator extends AbstractStreamOperator<Embedding>
        implements TwoInputStreamOperator<DecodedImage, String, Embedding>, BoundedMultiInput {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EmbedOperator.class);

    public static final String STAGE = "embed-snapshot";
    public static final String NEWEST_STATE = "embed-newest-snapshot";
    public static final String WAITING_STATE = "embed-waiting-images";
    public static final String IN_USE_STATE = "embed-snapshot-in-use";
    private static final String NEWEST_KEY = "newest";

    /** The broadcast state: one entry, {@code newest} → the announcement's JSON. */
    public static final MapStateDescriptor<String, String> NEWEST_SNAPSHOT =
            new MapStateDescriptor<>(NEWEST_STATE, Types.STRING, Types.STRING);

    /** Refused snapshots: the announcement's path as id, the reason as detail. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("embed-refused-snapshots", TypeInformation.of(DeadLetter.class));

    // ---- configuration
    private final int batchSize;
    private final List<Long> failAfter;

    // ---- runtime, not checkpointed
    private transient AnnouncedEncoder encoder;
    /** Images received and not yet embedded: at most a batch while an encoder is loaded, else all of them. */
    private transient List<DecodedImage> pending;
    private transient long embeddedThisAttempt;
    private transient long failAt;
    private transient Counter embeddingsOut;
    private transient Counter snapshotsRefused;
    private transient SnapshotEvent restoredInUse;

    // ---- checkpointed
    private transient BroadcastState<String, String> newest;
    private transient ListState<DecodedImage> waiting;
    private transient ListState<String> inUse;

    /**
     * @param batchSize images per forward pass ({@code embed.batch-size})
     * @param failAfter the fault drill ({@code testing.embed-fail-after}): attempt i throws once it has embedded
     *     {@code failAfter[i]} images; empty = never
     */
    public EmbedOperator(int batchSize, List<Long> failAfter) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("embed.batch-size must be >= 1, got " + batchSize);
        }
        this.batchSize = batchSize;
        this.failAfter = new ArrayList<>(failAfter);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        if (pending != null) {
            throw new IllegalStateException("EmbedOperator: initializeState called twice");
        }
        pending = new ArrayList<>();
        newest = context.getOperatorStateStore().getBroadcastState(NEWEST_SNAPSHOT);
        waiting = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>(WAITING_STATE, TypeInformation.of(DecodedImage.class)));
        inUse = context.getOperatorStateStore().getListState(new ListStateDescriptor<>(IN_USE_STATE, Types.STRING));
        if (!context.isRestored()) {
            return;
        }
        waiting.get().forEach(pending::add);
        for (String json : inUse.get()) {
            restoredInUse = announcement(json);
        }
        LOG.info("embed: restored from checkpoint {}: {} image(s) waiting, newest snapshot {}",
                context.getRestoredCheckpointId(), pending.size(), newestAnnouncement() == null ? "none"
                        : newestAnnouncement().path());
    }

    @Override
    public void open() throws Exception {
        super.open();
        embeddingsOut = getMetricGroup().counter("embeddings_out");
        snapshotsRefused = getMetricGroup().counter("snapshots_refused");
        getMetricGroup().gauge("snapshot_step", () -> encoder == null ? -1L : encoder.announcement().step());
        getMetricGroup().gauge("images_waiting", () -> encoder == null ? pending.size() : 0);
        int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
        failAt = attempt < failAfter.size() ? failAfter.get(attempt) : -1;
        // a restored subtask takes the snapshot its broadcast state names (else the one it used before)
        SnapshotEvent named = newestAnnouncement();
        if (named != null) {
            use(named);
        }
        if (encoder == null && restoredInUse != null) {
            use(restoredInUse);
        }
    }

    @Override
    public void processElement1(StreamRecord<DecodedImage> element) throws Exception {
        pending.add(element.getValue());
        if (pending.size() >= batchSize) {
            flush();
        }
    }

    @Override
    public void processElement2(StreamRecord<String> element) throws Exception {
        SnapshotEvent s = announcement(element.getValue());
        if (s == null) {
            return;
        }
        SnapshotEvent current = newestAnnouncement();
        if (current != null && s.step() <= current.step()) {
            return; // an older snapshot (or the same one again): the newest stays
        }
        newest.put(NEWEST_KEY, element.getValue());
        if (encoder != null && encoder.announcement().weightsSha256().equals(s.weightsSha256())) {
            return; // the same weights: the same snapshot
        }
        flush(); // what arrived before the announcement goes out with the encoder it arrived under
        use(s);
        flush(); // images that waited for a first snapshot
    }

    /** Loads {@code s} and makes it the encoder in use; a refusal keeps the current one. */
    private void use(SnapshotEvent s) {
        long t0 = System.nanoTime();
        AnnouncedEncoder loaded;
        try {
            loaded = AnnouncedEncoder.load(s);
        } catch (AnnouncedEncoder.RefusedSnapshotException e) {
            snapshotsRefused.inc();
            LOG.warn("embed: refused {}; {}", e.getMessage(), encoder == null ? "images wait for a snapshot"
                    : "embedding on with step " + encoder.announcement().step());
            DeadLetter d = new DeadLetter();
            d.id = s.path();
            d.position = "step " + s.step();
            d.stage = STAGE;
            d.reason = "SNAPSHOT_REFUSED";
            d.detail = e.getMessage();
            output.collect(DEAD_LETTERS, new StreamRecord<>(d));
            return;
        }
        if (encoder != null) {
            encoder.close();
        }
        encoder = loaded;
        LOG.info("embed: using snapshot {} (step {}, sha256 {}), {}×{} images, loaded in {} ms", s.path(), s.step(),
                s.weightsSha256(), encoder.size(), encoder.size(), (System.nanoTime() - t0) / 1_000_000);
    }

    /** Embeds every buffered image with the encoder in use, in batches; without one they keep waiting. */
    private void flush() {
        if (encoder == null || pending.isEmpty()) {
            return;
        }
        int size = encoder.size();
        int pixels = size * size * 3;
        for (int from = 0; from < pending.size(); from += batchSize) {
            int count = Math.min(batchSize, pending.size() - from);
            byte[] rgb = new byte[count * pixels];
            for (int i = 0; i < count; i++) {
                System.arraycopy(ProbeView.of(pending.get(from + i).rgb(), size), 0, rgb, i * pixels, pixels);
            }
            float[] out = encoder.embed(rgb, count);
            int dim = out.length / count;
            SnapshotEvent s = encoder.announcement();
            for (int i = 0; i < count; i++) {
                float[] v = new float[dim];
                System.arraycopy(out, i * dim, v, 0, dim);
                output.collect(new StreamRecord<>(new Embedding(pending.get(from + i).id, v, s.step(),
                        s.weightsSha256(), encoder.model(), encoder.method())));
            }
            embeddingsOut.inc(count);
            embeddedThisAttempt += count;
        }
        pending.clear();
        if (failAt > 0 && embeddedThisAttempt >= failAt) {
            throw new EmbedFaultDrillException("embed fault drill (testing.embed-fail-after): attempt "
                    + getRuntimeContext().getTaskInfo().getAttemptNumber() + " fails after " + embeddedThisAttempt
                    + " images");
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        try {
            waiting.update(pending);
            inUse.update(encoder == null ? List.of() : List.of(TrainerEventCodec.encode(encoder.announcement())));
        } catch (Exception e) {
            throw new Exception("EmbedOperator: snapshot of checkpoint " + context.getCheckpointId() + " failed", e);
        }
    }

    @Override
    public void endInput(int inputId) {
        if (inputId == 1) {
            flush();
            if (!pending.isEmpty()) {
                LOG.warn("embed: the images ended with {} image(s) that no snapshot came for", pending.size());
            }
        }
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        if (encoder != null) {
            encoder.close();
            encoder = null;
        }
        super.close();
    }

    private SnapshotEvent newestAnnouncement() throws Exception {
        String json = newest.get(NEWEST_KEY);
        return json == null ? null : announcement(json);
    }

    /** The snapshot announcement in {@code json}, or null (logged) for anything else. */
    private static SnapshotEvent announcement(String json) {
        TrainerRecord r;
        try {
            r = TrainerEventCodec.decode(json);
        } catch (RuntimeException e) {
            LOG.warn("embed: ignoring a record of the snapshots topic that is not a trainer event: {}", e.getMessage());
            return null;
        }
        return r instanceof SnapshotEvent s ? s : null;
    }

    /** The snapshot in use (null while none is loaded): for tests. */
    SnapshotEvent snapshotInUse() {
        return encoder == null ? null : encoder.announcement();
    }

    /** Images buffered or waiting: for tests. */
    int pendingCount() {
        return pending.size();
    }

    /** The exception {@code testing.embed-fail-after} throws: a deliberate failure, to rehearse recovery. */
    public static final class EmbedFaultDrillException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        EmbedFaultDrillException(String message) {
            super(message);
        }
    }
}
