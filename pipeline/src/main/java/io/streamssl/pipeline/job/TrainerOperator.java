package io.streamssl.pipeline.job;

import io.streamssl.connectors.DeadLetter;
import io.streamssl.connectors.TrainerEvent;
import io.streamssl.connectors.event.EventHeader;
import io.streamssl.connectors.event.TrainerEventCodec;
import io.streamssl.connectors.event.TrainerRecord;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.StepResult;
import io.streamssl.models.TrainerSpec;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
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
 * {@link AuditEvents}, {@link FaultDrill}, and {@link KeyedTrainingState} for the checkpointed layout.
 *
 * <p>State model: the live model stays on the device between checkpoints. Right before each checkpoint barrier
 * ({@link #flush}) every state tensor (student, teacher, optimiser slots, probe) is copied into keyed state with
 * the step counters and the partial batch; {@link #initializeState} reads them back on restore, and
 * {@link #open} loads them onto the device. Between checkpoints nothing is copied: training runs at device speed.
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
    private final java.util.Set<String> poisonIds;

    // ---- runtime, not checkpointed
    private transient SslTrainer trainer;
    /** Read in {@link #initializeState}, loaded onto the device in {@link #open}. */
    private transient KeyedTrainingState.Restored restored;
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
        this.poisonIds = java.util.Set.copyOf(config.poisonIds());
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        if (state != null) {
            throw new IllegalStateException("trainer '" + modelName + "': state initialised twice");
        }
        state = new KeyedTrainingState(context.getKeyedStateStore());
        pending = new ArrayList<>();
        snapshots = new SnapshotPublisher(Path.of(snapshotDir), config.snapshotRetention());
        if (!context.isRestored()) {
            return;
        }
        setCurrentKey(modelName);
        restored = state.read();
        if (restored == null) {
            return; // restored job, but this model had not checkpointed yet
        }
        pending.addAll(restored.pending());
        epoch = restored.epoch();
        snapshots.restore(restored.newestSnapshot());
        LOG.info("{}: restored step {} ({} tensors, {} MB) and {} pending samples from checkpoint {}", modelName,
                restored.state().step(), restored.state().tensors().size(), restored.state().tensorBytes() >> 20,
                pending.size(), context.getRestoredCheckpointId());
    }

    @Override
    public void open() throws Exception {
        super.open();
        TrainerSpec spec = config.trainerSpec();
        trainer = new SslTrainer(spec);
        LOG.info("{}: {} on {} ({}), batch {}", modelName, spec.method(), trainer.device(), spec.encoder(),
                spec.batchSize());
        metrics = new TrainerMetrics(System::nanoTime);
        if (restored != null) {
            trainer.importState(restored.state());
            Long trainedSeed = restored.seed() != null && restored.seed() != seed ? restored.seed() : null;
            restored = null;
            if (trainedSeed != null) {
                LOG.warn("{}: restored state was trained with trainer.seed={}, this run has {}: augmentations of"
                        + " replayed records will differ from the first attempt", modelName, trainedSeed, seed);
            }
            // the digest of what is now on the device, to compare with the checkpoint's record
            emit(AuditEvents.restored(header(), trainer.exportState(), pending.size(), trainedSeed));
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
        pending.add(element.getValue());
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

    private void trainOn(List<TrainingSample> samples) {
        metrics.addLabelsOutOfRange(outOfRangeLabels.count(samples));
        StepResult r = poisonDrill.step(trainer, samples, () -> trainer.step(BatchAssembler.assemble(samples)));
        metrics.add(r);
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
            emit(AuditEvents.finalState(header(), trainer.exportState()));
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
     * before barrier {@code checkpointId}, copies the live model into keyed state and records what went in; then
     * announces the snapshots written since the last flush, in that checkpoint's transaction. With
     * {@code checkpointId == null} (from {@link #finish()}) only announces: the final checkpoint that follows
     * copies the state, and may no longer emit.
     */
    private void flush(Long checkpointId) throws Exception {
        if (checkpointId != null) {
            long copyStart = System.nanoTime();
            setCurrentKey(modelName);
            var s = trainer.exportState();
            state.write(s, pending, epoch, seed, snapshots.newestName());
            // the part of the checkpoint that holds up training: device → bytes → RocksDB (the digest is extra)
            long copyMillis = (System.nanoTime() - copyStart) / 1_000_000;
            emit(AuditEvents.checkpoint(header(), checkpointId, s, pending.size(), copyMillis));
        }
        snapshots.announce(checkpointId).forEach(this::emit);
    }

    /** A completed checkpoint commits the snapshots announced with it (and any before): LATEST moves on. */
    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        snapshots.checkpointCompleted(checkpointId);
    }

    @Override
    public void close() throws Exception {
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
