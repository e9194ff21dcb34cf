package io.streamssl.pipeline.job;

import io.streamssl.connectors.DeadLetter;
import io.streamssl.connectors.TrainerEvent;
import io.streamssl.connectors.event.EventHeader;
import io.streamssl.connectors.event.TrainerEventCodec;
import io.streamssl.connectors.event.TrainerRecord;
import io.streamssl.models.CapturedState;
import io.streamssl.models.GpuRequirement;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.StepResult;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.TrainingState;
import io.streamssl.pipeline.augment.AugmentationPresets;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.ReplaySettings;
import io.streamssl.pipeline.config.StreamsslOptions;
import io.streamssl.pipeline.replay.ReplayBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one model on the samples of its key and owns its lifecycle and training state; the work around the
 * steps is done by its parts: {@link BatchAssembler}, {@link TrainerMetrics}, {@link SnapshotPublisher},
 * {@link AuditEvents}, {@link FaultDrill}, and {@link KeyedTrainingState} with {@link TrainerCheckpoint} for
 * the checkpointed layout.
 *
 * <p>State model: the live model stays on the device between checkpoints. Right before each checkpoint barrier
 * ({@link #flush}) every state tensor (student, teacher, optimiser slots, probe) is captured — one memory copy
 * into a {@link CapturedState} — and put in the operator list state {@value TrainerCheckpoint#STATE_NAME}; the
 * step counters, epoch, seed, newest snapshot and the partial batch go to keyed state
 * ({@link KeyedTrainingState}). Flink writes the tensors' bytes later, in the checkpoint's asynchronous part on
 * another thread ({@link TrainerCheckpointSerializer}), while this thread trains on. {@link #initializeState}
 * reads both back on restore, and {@link #open} loads the tensors onto the device. Between checkpoints nothing
 * is copied: training runs at device speed.
 *
 * <p>Why exactly-once still holds with the write after the barrier:
 * <ul>
 *   <li><b>What is captured.</b> {@link #prepareSnapshotPreBarrier} runs on the task thread between two
 *       elements, so between two steps: the capture holds the state after exactly the steps of the records
 *       before the barrier, the keyed values (step, pending samples) are written in the same call, and the
 *       source offsets of the same checkpoint stop at the same records (aligned barriers).</li>
 *   <li><b>Why later training cannot change it.</b> The capture is a copy in its own native memory that no
 *       model, optimiser or step refers to; training writes only the live tensors. Flink's operator state
 *       backend takes the list as it is at the barrier (its copy of the element is the element itself, already
 *       frozen), so a later {@link #flush} replacing the list does not touch a checkpoint in flight.</li>
 *   <li><b>Who frees it.</b> The capture is reference-counted. This operator holds one reference per checkpoint
 *       in {@code inFlight}, released by {@link #notifyCheckpointComplete} (that checkpoint and older ones:
 *       complete means every asynchronous part is done), {@link #notifyCheckpointAborted}, or {@link #close}
 *       (failure, cancel, end). The writer takes its own reference for the duration of the write, so a release
 *       during a write frees the memory only after it; a writer that starts after the last release fails that
 *       checkpoint (an aborted one or a closing task), never writes freed memory. A failed asynchronous part is
 *       a failed checkpoint: Flink does not complete it, and a restore uses an earlier complete one.</li>
 *   <li><b>Restore.</b> The tensors and the keyed counters come from the same checkpoint and must agree on the
 *       step; a checkpoint of an earlier version (tensors in keyed state {@value KeyedTrainingState#STATE_TENSORS})
 *       is restored with a warning and rewritten in the new layout by the next checkpoint.</li>
 * </ul>
 * The cost: up to two copies of the state in host memory while a checkpoint is written (usually one, briefly),
 * and full, not incremental, tensor state in every checkpoint (the tensors change at every step anyway).
 *
 * <p>Nothing else is needed to resume bit-exactly: the trainer draws no random numbers after initialisation
 * (weights, queue and prototypes come back from state), schedules are functions of the restored step, and the
 * augmentation's randomness is a pure function of (seed, image id, epoch, view), so a replayed record gets the
 * same views. The seed is kept in state all the same, and a restore under a different seed is reported.
 *
 * <p>Output: typed {@link TrainerRecord}s as {@link TrainerEvent} stream elements — metrics every
 * {@code metrics.every-steps} steps, snapshot announcements, and the audit events of {@link AuditEvents}. A
 * step skipped for a non-finite loss sends its images to {@link #DEAD_LETTERS} ({@link SkippedSteps}).
 */
public final class TrainerOperator extends AbstractStreamOperator<TrainerEvent>
        implements OneInputStreamOperator<TrainingSample, TrainerEvent> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TrainerOperator.class);

    /** The images of steps skipped for a non-finite loss, reason {@code NON_FINITE_LOSS}. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("trainer-dead-letters", TypeInformation.of(DeadLetter.class));

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
    private final int maxConsecutiveSkippedSteps;
    private final int probeClasses;
    private final Set<String> poisonIds;
    private final ReplaySettings replaySettings;

    // ---- runtime, not checkpointed
    private transient SslTrainer trainer;
    /** Read in {@link #initializeState}, loaded onto the device in {@link #open}. */
    private transient KeyedTrainingState.Restored restored;
    private transient TrainingState restoredTensors;
    /** Restored from a checkpoint of an earlier version: its keyed tensors are dropped at the next checkpoint. */
    private transient boolean legacyTensorsToDrop;
    /**
     * The captures of checkpoints not yet known to be complete or aborted, by checkpoint id; this operator's
     * reference on each is released by {@link #notifyCheckpointComplete}, {@link #notifyCheckpointAborted} or
     * {@link #close}.
     */
    private transient NavigableMap<Long, CapturedState> inFlight;
    private transient boolean finished;
    /** After {@link #finish()}: the operator may not emit any more. */
    private transient boolean outputEnded;
    private transient TrainerMetrics metrics;
    private transient SnapshotPublisher snapshots;
    private transient FaultDrill faultDrill;
    private transient SkippedSteps skippedSteps;
    private transient OutOfRangeLabels outOfRangeLabels;
    private transient PoisonDrill poisonDrill;

    // ---- checkpointed (keyed by model name): the live values besides the model, and where they go
    private transient List<TrainingSample> pending;
    private transient long epoch;
    private transient KeyedTrainingState state;
    /** The replay buffer and the fresh/replay mix; null when every record is used once ({@code replay.*}). */
    private transient ReplayBuffer replay;
    /** The tensors: operator state of one {@link TrainerCheckpoint}, written in the asynchronous snapshot part. */
    private transient ListState<TrainerCheckpoint> checkpointState;

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
        this.maxConsecutiveSkippedSteps = config.get(StreamsslOptions.MAX_CONSECUTIVE_SKIPPED_STEPS);
        this.probeClasses = config.get(StreamsslOptions.PROBE_CLASSES);
        this.poisonIds = Set.copyOf(config.poisonIds());
        this.replaySettings = config.replay();
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        if (state != null) {
            throw new IllegalStateException("trainer '" + modelName + "': state initialised twice");
        }
        state = new KeyedTrainingState(context.getKeyedStateStore());
        // a union list state: on a restore every subtask sees every element and takes its model's
        checkpointState = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>(TrainerCheckpoint.STATE_NAME, new TrainerCheckpointSerializer()));
        inFlight = new TreeMap<>();
        pending = new ArrayList<>();
        snapshots = new SnapshotPublisher(Path.of(snapshotDir), config.snapshotRetention());
        if (replaySettings.reuses()) {
            replay = new ReplayBuffer(replaySettings, AugmentationPresets.forViewPlan(config.viewPlan(), seed),
                    context.getKeyedStateStore());
        }
        if (!context.isRestored()) {
            return;
        }
        setCurrentKey(modelName);
        if (replay != null) {
            replay.restore();
        }
        restored = state.read();
        TrainingState tensors = null;
        for (TrainerCheckpoint c : checkpointState.get()) {
            if (modelName.equals(c.model())) {
                tensors = c.restored();
            }
        }
        checkpointState.clear(); // the next checkpoint writes a new capture; do not keep the bytes on the heap
        Long checkpointId = context.getRestoredCheckpointId().isPresent()
                ? context.getRestoredCheckpointId().getAsLong() : null;
        if (restored == null) {
            if (tensors != null) {
                throw new IllegalStateException("trainer '" + modelName + "': checkpoint " + checkpointId
                        + " holds tensors of step " + tensors.step() + " but no step counters in keyed state:"
                        + " it is damaged or was not written by this trainer");
            }
            return; // restored job, but this model had not checkpointed yet
        }
        if (tensors == null) {
            tensors = restored.legacyTensors();
            if (tensors == null) {
                throw new IllegalStateException("trainer '" + modelName + "': checkpoint " + checkpointId
                        + " holds step " + restored.step() + " but no tensors (neither operator state '"
                        + TrainerCheckpoint.STATE_NAME + "' nor the keyed state '" + KeyedTrainingState.STATE_TENSORS
                        + "' of earlier versions): restore another checkpoint or start fresh");
            }
            legacyTensorsToDrop = true;
            LOG.warn("{}: checkpoint {} was written by an earlier version (tensors in keyed state '{}'); restoring"
                    + " from it, the next checkpoint keeps them in operator state '{}'", modelName, checkpointId,
                    KeyedTrainingState.STATE_TENSORS, TrainerCheckpoint.STATE_NAME);
        } else if (tensors.step() != restored.step()) {
            throw new IllegalStateException("trainer '" + modelName + "': checkpoint " + checkpointId
                    + " holds tensors of step " + tensors.step() + " but counters of step " + restored.step()
                    + ": it is damaged");
        }
        restoredTensors = tensors;
        pending.addAll(restored.pending());
        epoch = restored.epoch();
        snapshots.restore(restored.newestSnapshot());
        LOG.info("{}: restored step {} ({} tensors, {} MB) and {} pending samples from checkpoint {}", modelName,
                tensors.step(), tensors.tensors().size(), tensors.tensorBytes() >> 20, pending.size(), checkpointId);
    }

    @Override
    public void open() throws Exception {
        super.open();
        TrainerSpec spec = config.trainerSpec();
        // a GPU this TaskManager's engine cannot see does not appear on a restart: fail the job once, saying
        // what to install or set, instead of restarting into the same error until the failure guard stops it
        GpuRequirement.unmet(spec.device()).ifPresent(unmet -> {
            throw new SuppressRestartsException(new IllegalArgumentException(unmet));
        });
        trainer = new SslTrainer(spec);
        LOG.info("{}: {} on {} ({}), batch {}", modelName, spec.method(), trainer.device(), spec.encoder(),
                spec.batchSize());
        metrics = new TrainerMetrics(System::nanoTime);
        if (restored != null) {
            trainer.importState(restoredTensors);
            Long trainedSeed = restored.seed() != null && restored.seed() != seed ? restored.seed() : null;
            restored = null;
            restoredTensors = null;
            if (trainedSeed != null) {
                LOG.warn("{}: restored state was trained with trainer.seed={}, this run has {}: augmentations of"
                        + " replayed records will differ from the first attempt", modelName, trainedSeed, seed);
            }
            // the digest of what is now on the device, to compare with the checkpoint's record
            // and of the replay buffer as restored (reads every entry, once per restore)
            String replayDigest = null;
            if (replay != null) {
                setCurrentKey(modelName);
                replayDigest = replay.digest();
            }
            try (CapturedState loaded = trainer.captureState()) {
                emit(AuditEvents.restored(header(), loaded.tensorData(), pending.size(), trainedSeed, replayDigest));
            }
            snapshots.commitRestored();
        }
        finished = maxSteps > 0 && trainer.stepCount() >= maxSteps;
        faultDrill = new FaultDrill(failAtSteps, attempt());
        skippedSteps = new SkippedSteps(modelName, spec.method(), maxConsecutiveSkippedSteps);
        outOfRangeLabels = new OutOfRangeLabels(modelName, probeClasses);
        poisonDrill = new PoisonDrill(poisonIds);
        metrics.register(getMetricGroup(), () -> trainer == null ? 0L : trainer.stepCount(),
                () -> trainer == null ? 0L : trainer.imageCount());
    }

    @Override
    public void processElement(StreamRecord<TrainingSample> element) throws Exception {
        if (replay == null) {
            pending.add(element.getValue());
        } else {
            pending.addAll(replay.arrive(element.getValue()));
        }
        if (finished) {
            // max-steps reached, the job is being stopped with a savepoint: arriving samples are kept for it (a
            // resumed job trains on them first); past a few batches, slowly, so the source waits (backpressure)
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

    private void trainOn(List<TrainingSample> samples) throws Exception {
        metrics.addLabelsOutOfRange(outOfRangeLabels.count(samples));
        StepResult r = poisonDrill.step(trainer, samples, () -> trainer.step(BatchAssembler.assemble(samples)));
        metrics.add(r);
        if (replay != null) {
            replay.afterStep(samples, r.skipped(), (images, size) -> trainer.embed(images, size, size));
            if (!r.skipped()) {
                metrics.replay(replay.size(), (int) samples.stream().filter(TrainingSample::replayed).count());
            }
        }
        if (r.skipped()) {
            // nothing changed and the step count stays: the batch leaves as dead letters, the next one trains
            LOG.warn("{}: loss {} at step {} ({}, learning rate {}): step skipped, its {} images sent to the"
                    + " dead-letter topic ({} in a row)", modelName, r.loss(), r.step() + 1, trainer.spec().method(),
                    r.learningRate(), samples.size(), skippedSteps.consecutive() + 1);
            skippedSteps.deadLetters(samples, r).forEach(this::emitDeadLetter);
            skippedSteps.skipped(r);
            return;
        }
        skippedSteps.trained();
        samples.forEach(s -> epoch = Math.max(epoch, s.epoch));
        if (trainedIds) {
            emit(AuditEvents.trained(header(), samples));
        }
        boolean reachedMax = maxSteps > 0 && r.step() >= maxSteps;
        if (r.step() % snapshotEvery == 0 || reachedMax) {
            snapshots.write(trainer, config.redacted(), header(), metrics::snapshotWriteFailed);
        }
        if (r.step() % metricsEvery == 0 || reachedMax) {
            emit(metrics.publish(header(), snapshots.newest(), reachedMax));
        }
        if (reachedMax) {
            finished = true;
            emit(AuditEvents.finalState(header(), trainer.exportState(), replay == null ? Map.of()
                    : Map.of(AuditEvents.REPLAY_BUFFER_DIGEST, replay.digest())));
            LOG.info("{}: reached trainer.max-steps={}, no further training", modelName, maxSteps);
        }
        faultDrill.afterStep(r.step());
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        try {
            flush(checkpointId);
        } catch (Exception e) {
            throw new Exception("trainer '" + modelName + "' could not copy its state for checkpoint " + checkpointId
                    + ": " + e.getMessage(), e);
        }
    }

    /** The input ended (or a stop drains it): what is buffered goes out before the final checkpoint. */
    @Override
    public void finish() throws Exception {
        flush(null);
        outputEnded = true;
        super.finish();
    }

    /**
     * Flushes everything buffered toward a checkpoint — the one place training state and announcements leave:
     * before barrier {@code checkpointId}, captures the live model ({@link CapturedState}: one memory copy, the
     * only part of the checkpoint on the task thread besides the digest), puts it in the operator state that
     * Flink writes asynchronously, puts the small values in keyed state, and records what went in; then
     * announces the snapshots written since the last flush, in that checkpoint's transaction. With
     * {@code checkpointId == null} (from {@link #finish()}) only announces: the final checkpoint that follows
     * captures the state, and may no longer emit.
     */
    private void flush(Long checkpointId) throws Exception {
        if (checkpointId != null) {
            long copyStart = System.nanoTime();
            setCurrentKey(modelName);
            CapturedState captured = trainer.captureState();
            inFlight.put(checkpointId, captured);
            faultDrill.checkpointTaken(checkpointId, captured.step());
            checkpointState.update(List.of(TrainerCheckpoint.toWrite(modelName, captured)));
            state.write(captured.step(), captured.images(), pending, epoch, seed, snapshots.newestName());
            if (replay != null) {
                replay.write();
            }
            if (legacyTensorsToDrop) {
                state.dropLegacyTensors();
                legacyTensorsToDrop = false;
            }
            // the part of the checkpoint that holds up training: the copy (the digest below is extra)
            long copyMillis = (System.nanoTime() - copyStart) / 1_000_000;
            // with the audit trail on, the buffer's digest too, to compare with a restore's; it reads every entry,
            // so not in ordinary runs
            String replayDigest = replay != null && trainedIds ? replay.digest() : null;
            emit(AuditEvents.checkpoint(header(), checkpointId, captured.tensorData(), captured.tensorBytes(),
                    pending.size(), copyMillis, replayDigest));
        }
        snapshots.announce(checkpointId).forEach(this::emit);
    }

    /**
     * A completed checkpoint commits the snapshots announced with it (and any before): LATEST moves on. Its
     * capture, and any older one, has been written (Flink completes a checkpoint only after every task's
     * asynchronous part): this operator's references go.
     */
    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        snapshots.checkpointCompleted(checkpointId);
        faultDrill.checkpointCompleted(checkpointId);
        releaseCaptures(inFlight.headMap(checkpointId, true));
    }

    /** An aborted checkpoint will not be written: its capture goes (a writer still running holds its own). */
    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        super.notifyCheckpointAborted(checkpointId);
        releaseCaptures(inFlight.subMap(checkpointId, true, checkpointId, true));
    }

    private static void releaseCaptures(Map<Long, CapturedState> captures) {
        captures.values().forEach(CapturedState::release);
        captures.clear();
    }

    @Override
    public void close() throws Exception {
        if (inFlight != null) {
            releaseCaptures(inFlight);
        }
        if (trainer != null) {
            trainer.close();
            trainer = null;
        }
        super.close();
    }

    private int attempt() {
        return getRuntimeContext().getTaskInfo().getAttemptNumber();
    }

    private EventHeader header() {
        return new EventHeader(runId, modelName, trainer.stepCount(), trainer.imageCount(), epoch, attempt(),
                Instant.now());
    }

    private void emitDeadLetter(DeadLetter letter) {
        if (!outputEnded) {
            output.collect(DEAD_LETTERS, new StreamRecord<>(letter));
        }
    }

    private void emit(TrainerRecord record) {
        if (!outputEnded) {
            output.collect(new StreamRecord<>(TrainerEventCodec.toStreamElement(record)));
        }
    }
}
