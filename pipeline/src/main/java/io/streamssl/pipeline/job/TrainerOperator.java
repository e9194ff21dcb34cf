package io.streamssl.pipeline.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamssl.connectors.TrainerEvent;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.StepResult;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.TrainingState;
import io.streamssl.models.MultiCropBatch;
import io.streamssl.models.ViewBatch;
import io.streamssl.models.snapshot.EncoderSnapshot;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one model on the samples of its key: assembles batches, runs the {@link SslTrainer} on its device,
 * publishes metrics and snapshots, and owns the training state.
 *
 * <p>State model: the live model stays on the device between checkpoints. Right before each checkpoint
 * barrier ({@link #prepareSnapshotPreBarrier}) every state tensor (student, teacher, optimiser slots, probe)
 * is copied into keyed {@code MapState} — one RocksDB entry per tensor — with the step counters and the
 * partially filled batch; {@link #initializeState} reads them back on restore, and {@link #open} loads them
 * onto the device. Between checkpoints nothing is copied, so training runs at device speed.
 *
 * <p>Nothing else is needed to resume bit-exactly: the trainer draws no random numbers after initialisation
 * (weights, queue and prototypes come back from state), schedules are functions of the restored step, and the
 * augmentation's randomness is a pure function of (seed, image id, epoch, view), so a replayed record gets the
 * same views. The seed is kept in state all the same, and a restore under a different seed is reported.
 *
 * <p>Snapshots: a snapshot written at step s is announced (on the snapshots topic, through the exactly-once
 * sink) right before the next checkpoint barrier, carrying that checkpoint's id, so it becomes visible exactly
 * when that checkpoint completes; {@code LATEST} on disk moves to it in {@link #notifyCheckpointComplete}. A
 * snapshot directory written by an attempt that then failed is never announced; the replay rewrites it.
 *
 * <p>Output: {@link TrainerEvent}s — metrics every {@code metrics.every-steps} steps, snapshot announcements,
 * and audit events: {@code checkpoint} (the step and teacher digest that went into checkpoint N),
 * {@code restored} (the step and teacher digest loaded on restore), {@code final-state} (a digest of every
 * state tensor at max-steps), and with {@code metrics.trained-ids} a {@code trained} event per step listing
 * the ids it trained on. They let tests and operators verify that a restore resumed exactly what was
 * checkpointed and that every record was trained on once.
 */
public final class TrainerOperator extends AbstractStreamOperator<TrainerEvent>
        implements OneInputStreamOperator<TrainingSample, TrainerEvent> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TrainerOperator.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    // ---- configuration (final, checked in the constructor)
    private final JobConfig config;
    private final String runId;
    private final String modelName;
    private final int batchSize;
    private final long maxSteps;
    private final int metricsEvery;
    private final int snapshotEvery;
    private final String snapshotDir;
    private final boolean trainedIds;
    private final List<Long> failAtSteps;
    private final long seed;

    // ---- runtime, not checkpointed
    private transient SslTrainer trainer;
    private transient List<TrainingSample> pending;
    private transient TrainingState restored;
    private transient Long restoredSeed;
    private transient boolean finished;
    private transient Window window;
    /** Path of the newest snapshot written in this lineage (its directory name is checkpointed). */
    private transient String lastSnapshot;
    /** Snapshots written since the last barrier: announced with the next checkpoint. */
    private transient List<ObjectNode> unannounced;
    /** Checkpoint id → the newest snapshot directory whose state that checkpoint holds. */
    private transient TreeMap<Long, Path> awaitingCommit;
    private transient long epoch;
    private transient long failAtStep;
    private transient volatile StepResult last;
    private transient volatile double lastProbeAccuracy;
    private transient volatile double lastImagesPerSecond;

    // ---- checkpointed (keyed by model name)
    private transient MapState<String, byte[]> tensorState;
    private transient ValueState<Long> stepState;
    private transient ValueState<Long> imageState;
    private transient MapState<Integer, TrainingSample> pendingState;
    private transient ValueState<Long> seedState;
    private transient ValueState<Long> epochState;
    private transient ValueState<String> snapshotState;

    public TrainerOperator(JobConfig config, String runId) {
        this.config = config;
        this.runId = runId;
        this.modelName = config.get(StreamsslOptions.MODEL_NAME);
        this.batchSize = config.get(StreamsslOptions.BATCH_SIZE);
        this.maxSteps = config.get(StreamsslOptions.MAX_STEPS);
        this.metricsEvery = config.get(StreamsslOptions.METRICS_EVERY);
        this.snapshotEvery = config.get(StreamsslOptions.SNAPSHOT_EVERY);
        this.snapshotDir = Path.of(config.get(StreamsslOptions.SNAPSHOT_DIR)).toAbsolutePath().toString();
        this.trainedIds = config.get(StreamsslOptions.TRAINED_IDS);
        this.failAtSteps = List.copyOf(config.failAtSteps());
        this.seed = config.get(StreamsslOptions.SEED);
    }

    /** State names (documented in the README). */
    public static final String STATE_TENSORS = "trainer-tensors";
    public static final String STATE_STEP = "trainer-step";
    public static final String STATE_IMAGES = "trainer-images";
    public static final String STATE_PENDING = "trainer-pending-samples";
    public static final String STATE_SEED = "trainer-seed";
    public static final String STATE_EPOCH = "trainer-epoch";
    public static final String STATE_SNAPSHOT = "trainer-newest-snapshot";

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        if (tensorState != null) {
            throw new IllegalStateException("trainer state initialised twice");
        }
        KeyedStateStore store = context.getKeyedStateStore();
        tensorState = store.getMapState(new MapStateDescriptor<>(STATE_TENSORS, Types.STRING,
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        stepState = store.getState(new ValueStateDescriptor<>(STATE_STEP, Types.LONG));
        imageState = store.getState(new ValueStateDescriptor<>(STATE_IMAGES, Types.LONG));
        // one entry per sample (a list state would be one RocksDB value for the whole batch)
        pendingState = store.getMapState(new MapStateDescriptor<>(STATE_PENDING, Types.INT,
                TypeInformation.of(TrainingSample.class)));
        seedState = store.getState(new ValueStateDescriptor<>(STATE_SEED, Types.LONG));
        epochState = store.getState(new ValueStateDescriptor<>(STATE_EPOCH, Types.LONG));
        snapshotState = store.getState(new ValueStateDescriptor<>(STATE_SNAPSHOT, Types.STRING));
        pending = new ArrayList<>();
        unannounced = new ArrayList<>();
        awaitingCommit = new TreeMap<>();
        if (!context.isRestored()) {
            return;
        }
        setCurrentKey(modelName);
        Long step = stepState.value();
        if (step == null) {
            return; // restored job, but this model had not checkpointed yet
        }
        TreeMap<String, byte[]> tensors = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : tensorState.entries()) {
            tensors.put(e.getKey(), e.getValue());
        }
        restored = new TrainingState(step, imageState.value(), tensors);
        TreeMap<Integer, TrainingSample> samples = new TreeMap<>();
        for (Map.Entry<Integer, TrainingSample> e : pendingState.entries()) {
            samples.put(e.getKey(), e.getValue());
        }
        pending.addAll(samples.values());
        epoch = epochState.value() == null ? 0 : epochState.value();
        String snapshotName = snapshotState.value();
        lastSnapshot = snapshotName == null ? null : Path.of(snapshotDir, snapshotName).toString();
        restoredSeed = seedState.value();
        LOG.info("{}: restored step {} ({} tensors, {} MB) and {} pending samples from checkpoint {}", modelName,
                step, tensors.size(), restored.tensorBytes() >> 20, pending.size(),
                context.getRestoredCheckpointId());
    }

    @Override
    public void open() throws Exception {
        super.open();
        TrainerSpec spec = config.trainerSpec();
        trainer = new SslTrainer(spec);
        LOG.info("{}: {} on {} ({}), batch {}", modelName, spec.method(), trainer.device(), spec.encoder(),
                spec.batchSize());
        window = new Window();
        if (restored != null) {
            trainer.importState(restored);
            restored = null;
            // the digest of what is now on the device, to compare with the checkpoint's record
            ObjectNode e = event("restored").put("teacher_sha256", teacherDigest(trainer.exportState()))
                    .put("pending", pending.size());
            if (restoredSeed != null && restoredSeed != seed) {
                LOG.warn("{}: restored state was trained with trainer.seed={}, this run has {}: augmentations of"
                        + " replayed records will differ from the first attempt", modelName, restoredSeed, seed);
                e.put("seed_changed_from", restoredSeed);
            }
            emit(TrainerEvent.METRICS, e);
            if (lastSnapshot != null) {
                // the restored checkpoint completed, so its newest snapshot is committed (the notification that
                // would have moved LATEST may have been lost with the failure)
                EncoderSnapshot.markLatest(Path.of(snapshotDir), Path.of(lastSnapshot));
            }
        }
        finished = maxSteps > 0 && trainer.stepCount() >= maxSteps;
        int attempt = attempt();
        failAtStep = attempt < failAtSteps.size() ? failAtSteps.get(attempt) : -1;
        var group = getMetricGroup();
        group.gauge("step", () -> trainer == null ? 0L : trainer.stepCount());
        group.gauge("images", () -> trainer == null ? 0L : trainer.imageCount());
        group.gauge("loss", () -> last == null ? Double.NaN : (double) last.loss());
        group.gauge("learning_rate", () -> last == null ? Double.NaN : (double) last.learningRate());
        group.gauge("tau", () -> last == null ? Double.NaN : last.scalars().getOrDefault("tau", Double.NaN));
        group.gauge("probe_accuracy", () -> lastProbeAccuracy);
        group.gauge("images_per_second", () -> lastImagesPerSecond);
    }

    private int attempt() {
        return getRuntimeContext().getTaskInfo().getAttemptNumber();
    }

    @Override
    public void processElement(StreamRecord<TrainingSample> element) throws Exception {
        pending.add(element.getValue());
        if (finished) {
            // max-steps reached and the job is being stopped with a savepoint: samples still arriving are kept
            // (they go into the savepoint and a resumed job trains on them first, so none is lost); past a few
            // batches, each one is taken slowly, so the source waits (backpressure) instead of filling memory
            if (pending.size() > 4 * batchSize) {
                Thread.sleep(10);
            }
            return;
        }
        while (!finished && pending.size() >= batchSize) {
            trainOn(pending.subList(0, batchSize));
            pending.subList(0, batchSize).clear();
        }
    }

    private void trainOn(List<TrainingSample> samples) {
        TrainingSample first = samples.get(0);
        int n = samples.size();
        int[] labels = new int[n];
        int probeBytes = first.size * first.size * 3;
        byte[] probe = samples.stream().anyMatch(s -> s.probe != null) ? new byte[probeBytes * n] : null;
        for (int i = 0; i < n; i++) {
            TrainingSample s = samples.get(i);
            if (!java.util.Arrays.equals(s.viewSizes, first.viewSizes)) {
                throw new IllegalStateException("samples of one batch must have the same views: " + s.id + " has "
                        + java.util.Arrays.toString(s.viewSizes) + ", " + first.id + " has "
                        + java.util.Arrays.toString(first.viewSizes));
            }
            labels[i] = s.label;
            if (probe != null && s.probe != null) {
                System.arraycopy(s.probe, 0, probe, i * probeBytes, probeBytes);
            }
        }
        // consecutive views of one size form a group: (N, V_g, S_g, S_g, 3), image-major as ViewBatch wants
        List<ViewBatch> groups = new ArrayList<>();
        int[] sizes = first.viewSizes;
        int sampleBytes = first.pixels.length;
        for (int start = 0, offset = 0; start < sizes.length; ) {
            int end = start;
            while (end < sizes.length && sizes[end] == sizes[start]) {
                end++;
            }
            int groupBytes = (end - start) * sizes[start] * sizes[start] * 3;
            byte[] pixels = new byte[groupBytes * n];
            for (int i = 0; i < n; i++) {
                System.arraycopy(samples.get(i).pixels, offset, pixels, i * groupBytes, groupBytes);
            }
            groups.add(new ViewBatch(n, end - start, sizes[start], sizes[start], pixels, labels,
                    groups.isEmpty() ? probe : null));
            offset += groupBytes;
            start = end;
            if (start == sizes.length && offset != sampleBytes) {
                throw new IllegalStateException("sample " + first.id + " has " + sampleBytes + " bytes for views "
                        + java.util.Arrays.toString(sizes) + ", which need " + offset);
            }
        }
        StepResult r = trainer.step(new MultiCropBatch(groups));
        last = r;
        window.add(r);
        for (TrainingSample s : samples) {
            epoch = Math.max(epoch, s.epoch);
        }
        if (trainedIds) {
            ObjectNode t = event("trained");
            var ids = t.putArray("ids");
            var epochs = t.putArray("epochs");
            MessageDigest sha = sha256();
            for (TrainingSample s : samples) {
                ids.add(s.id);
                epochs.add(s.epoch);
                sha.update(s.pixels);
                if (s.probe != null) {
                    sha.update(s.probe);
                }
            }
            // the digest of exactly what the step saw (views and probe images), to compare two runs
            t.put("batch_sha256", HexFormat.of().formatHex(sha.digest()));
            emit(TrainerEvent.METRICS, t);
        }
        boolean reachedMax = maxSteps > 0 && r.step() >= maxSteps;
        if (r.step() % snapshotEvery == 0 || reachedMax) {
            writeSnapshot();
        }
        if (r.step() % metricsEvery == 0 || reachedMax) {
            publishMetrics(reachedMax);
        }
        if (reachedMax) {
            finished = true;
            emit(TrainerEvent.METRICS, finalState(trainer.exportState()));
            LOG.info("{}: reached trainer.max-steps={}, no further training", modelName, maxSteps);
        }
        if (r.step() == failAtStep) {
            throw new FaultDrillException("fault drill (testing.fail-at-steps): attempt " + attempt()
                    + " fails at step " + r.step());
        }
    }

    /** The exception {@code testing.fail-at-steps} throws: a deliberate failure, to rehearse recovery. */
    public static final class FaultDrillException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FaultDrillException(String message) {
            super(message);
        }
    }

    /** A {@code final-state} event: the SHA-256 of every state tensor, to compare two runs byte for byte. */
    private ObjectNode finalState(TrainingState state) {
        ObjectNode e = event("final-state");
        ObjectNode digests = e.putObject("tensor_sha256");
        state.tensors().forEach((name, bytes) -> digests.put(name, sha256(bytes)));
        e.put("tensors", state.tensors().size());
        e.put("state_bytes", state.tensorBytes());
        return e;
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void publishMetrics(boolean finishedNow) {
        ObjectNode m = event("metrics");
        m.put("loss", window.meanLoss());
        m.put("learning_rate", last.learningRate());
        last.scalars().forEach(m::put);
        m.put("images_per_s", window.imagesPerSecond());
        m.put("train_images_per_s", window.trainImagesPerSecond());
        if (window.probeLabelled > 0) {
            m.put("probe_acc", window.probeAccuracy());
            lastProbeAccuracy = window.probeAccuracy();
        } else {
            m.putNull("probe_acc");
        }
        m.put("probe_n", window.probeLabelled);
        if (lastSnapshot != null) {
            m.put("snapshot", lastSnapshot);
        }
        m.put("finished", finishedNow);
        lastImagesPerSecond = window.imagesPerSecond();
        emit(TrainerEvent.METRICS, m);
        window = new Window();
    }

    private void writeSnapshot() {
        Path dir = EncoderSnapshot.write(Path.of(snapshotDir), trainer, config.asMap());
        lastSnapshot = dir.toString();
        try {
            ObjectNode s = event("snapshot");
            s.put("path", lastSnapshot);
            s.put("method", trainer.spec().method());
            s.put("weights_sha256", EncoderSnapshot.sha256(dir.resolve(EncoderSnapshot.WEIGHTS_FILE)));
            unannounced.add(s); // announced with the next checkpoint, see prepareSnapshotPreBarrier
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private ObjectNode event(String kind) {
        ObjectNode n = JSON.createObjectNode();
        n.put("event", kind);
        n.put("run_id", runId);
        n.put("model", modelName);
        n.put("step", trainer.stepCount());
        n.put("images", trainer.imageCount());
        n.put("epoch", epoch);
        n.put("attempt", attempt());
        n.put("ts", Instant.now().toString());
        return n;
    }

    private void emit(String kind, ObjectNode json) {
        output.collect(new StreamRecord<>(new TrainerEvent(kind, modelName, json.toString())));
    }

    /** SHA-256 over the teacher's encoded tensors in name order: a compact fingerprint of the teacher. */
    static String teacherDigest(TrainingState state) {
        MessageDigest sha = sha256();
        state.tensors().forEach((name, bytes) -> {
            if (name.startsWith("teacher/")) {
                sha.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update(bytes);
            }
        });
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Copies the live model into keyed state: the one place training state reaches a checkpoint. */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        try {
            long copyStart = System.nanoTime();
            setCurrentKey(modelName);
            TrainingState s = trainer.exportState();
            tensorState.putAll(s.tensors());
            stepState.update(s.step());
            imageState.update(s.images());
            seedState.update(seed);
            epochState.update(epoch);
            snapshotState.update(lastSnapshot == null ? null : Path.of(lastSnapshot).getFileName().toString());
            pendingState.clear();
            for (int i = 0; i < pending.size(); i++) {
                pendingState.put(i, pending.get(i));
            }
            // the part of the checkpoint that holds up training: device → bytes → RocksDB (the audit digest below
            // is extra, and not counted)
            long copyMillis = (System.nanoTime() - copyStart) / 1_000_000;
            emit(TrainerEvent.METRICS, event("checkpoint").put("checkpoint_id", checkpointId)
                    .put("teacher_sha256", teacherDigest(s)).put("state_bytes", s.tensorBytes())
                    .put("pending", pending.size()).put("copy_ms", copyMillis));
            // the snapshots written since the last barrier belong to this checkpoint: announced in its
            // transaction, so read_committed consumers see them exactly when it completes
            for (ObjectNode announcement : unannounced) {
                emit(TrainerEvent.SNAPSHOT, announcement.put("checkpoint_id", checkpointId));
            }
            if (!unannounced.isEmpty()) {
                awaitingCommit.put(checkpointId, Path.of(lastSnapshot)); // the newest of them
                unannounced.clear();
            }
        } catch (Exception e) {
            throw new Exception("trainer '" + modelName + "' could not copy its state for checkpoint " + checkpointId
                    + ": " + e.getMessage(), e);
        }
    }

    /** A completed checkpoint commits the snapshots announced with it (and any before): LATEST moves on. */
    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        var committed = awaitingCommit.headMap(checkpointId, true);
        if (!committed.isEmpty()) {
            EncoderSnapshot.markLatest(Path.of(snapshotDir), committed.lastEntry().getValue());
            committed.clear();
        }
    }

    @Override
    public void close() throws Exception {
        if (trainer != null) {
            trainer.close();
            trainer = null;
        }
        super.close();
    }

    /** Accumulates step results between two metrics records. */
    private static final class Window {
        private final long startNanos = System.nanoTime();
        private double lossSum;
        private int steps;
        private long images;
        private long trainNanos;
        private int probeLabelled;
        private int probeCorrect;

        void add(StepResult r) {
            lossSum += r.loss();
            steps++;
            images += r.images();
            trainNanos += r.nanos();
            probeLabelled += r.probeLabelled();
            probeCorrect += r.probeCorrect();
        }

        double meanLoss() {
            return steps == 0 ? Double.NaN : lossSum / steps;
        }

        double imagesPerSecond() {
            return images / Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        }

        double trainImagesPerSecond() {
            return images / Math.max(1e-9, trainNanos / 1e9);
        }

        double probeAccuracy() {
            return probeLabelled == 0 ? Double.NaN : (double) probeCorrect / probeLabelled;
        }
    }
}
