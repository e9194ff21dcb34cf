package io.streamssl.pipeline.eval;

import io.streamssl.connectors.TrainerEvent;
import io.streamssl.connectors.event.EvalEvent;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.connectors.event.TrainerEventCodec;
import io.streamssl.models.GradMode;
import io.streamssl.models.snapshot.SnapshotRetention;
import io.streamssl.pipeline.config.HeldOutSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates committed snapshots on held-out images ({@code eval.*}) and emits an {@code eval} record for each,
 * beside the trainer: it reads the trainer's snapshot announcements, waits until the checkpoint that commits one
 * completes ({@link CommittedSnapshots}), and evaluates it on a thread of its own, so neither training nor
 * checkpoints ever wait for it. The result goes out through the task's mailbox, into the metrics topic's
 * transaction of the next checkpoint.
 *
 * <p>State: the announcements not yet evaluated (operator list state, a few JSON records). A snapshot whose
 * evaluation had not been emitted when the checkpoint was taken is evaluated again after a restore from it, so
 * every committed evaluation record is there once. At the end of the input the newest snapshot is evaluated
 * before the operator finishes; its record commits with the final checkpoint, as the announcement does.
 *
 * <p>A snapshot that retention deleted before its turn is skipped ({@code eval_snapshots_removed}); the next
 * committed one is evaluated as usual.
 *
 * <p>Inference on a second thread beside training is safe in one JVM: PyTorch's grad mode is per thread (the
 * evaluation thread switches it off), the evaluator loads its own copy of the weights into its own
 * {@code NDManager}, and it never opens a DJL gradient collector, whose active-flag is JVM-wide.
 */
public final class HeldOutEvalOperator extends AbstractStreamOperator<TrainerEvent>
        implements OneInputStreamOperator<TrainerEvent, TrainerEvent> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(HeldOutEvalOperator.class);

    private final HeldOutSettings settings;
    private final TreeMap<String, String> kafkaClientProperties;

    private transient HeldOutEvaluator evaluator;
    private transient CommittedSnapshots snapshots;
    private transient ListState<String> held;
    private transient MailboxExecutor mailbox;
    private transient ExecutorService thread;
    private transient Future<EvalEvent> running;
    private transient volatile EvalEvent newest;
    private transient volatile long failures;
    private transient volatile long removed;

    public HeldOutEvalOperator(HeldOutSettings settings) {
        this(settings, Map.of());
    }

    /** With {@code kafkaClientProperties} (security settings) for reading an {@code eval.topic}. */
    public HeldOutEvalOperator(HeldOutSettings settings, Map<String, String> kafkaClientProperties) {
        this.settings = settings;
        this.kafkaClientProperties = new TreeMap<>(kafkaClientProperties);
    }

    @Override
    public void setMailboxExecutor(MailboxExecutor mailboxExecutor) {
        super.setMailboxExecutor(mailboxExecutor);
        this.mailbox = mailboxExecutor;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        snapshots = new CommittedSnapshots(settings.interval(), settings.maxSteps());
        held = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("eval-pending", Types.STRING));
        if (context.isRestored()) {
            List<SnapshotEvent> restored = new ArrayList<>();
            for (String json : held.get()) {
                restored.add((SnapshotEvent) TrainerEventCodec.decode(json));
            }
            snapshots.restore(restored);
            LOG.info("held-out evaluation: {} snapshot(s) to evaluate restored from checkpoint {}", restored.size(),
                    context.getRestoredCheckpointId());
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        long t0 = System.nanoTime();
        evaluator = HeldOutEvaluator.load(settings, kafkaClientProperties);
        LOG.info("held-out evaluation on {}: {} bank + {} query images, loaded in {} ms; at most one per {}",
                evaluator.data(), evaluator.bankCount(), evaluator.queryCount(), (System.nanoTime() - t0) / 1_000_000,
                settings.interval());
        thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(() -> {
                GradMode.disable(); // per thread in PyTorch; inference needs no graph
                r.run();
            }, "held-out-eval");
            t.setDaemon(true);
            return t;
        });
        getMetricGroup().gauge("eval_knn_20", () -> newest == null ? Double.NaN : newest.knn20());
        getMetricGroup().gauge("eval_knn_200", () -> newest == null ? Double.NaN : newest.knn200());
        getMetricGroup().gauge("eval_linear", () -> newest == null ? Double.NaN : newest.linear());
        getMetricGroup().gauge("eval_step", () -> newest == null ? -1L : newest.step());
        getMetricGroup().gauge("eval_seconds", () -> newest == null ? Double.NaN : newest.seconds());
        getMetricGroup().gauge("eval_failures", () -> failures);
        getMetricGroup().gauge("eval_snapshots_removed", () -> removed);
        startDue();
    }

    @Override
    public void processElement(StreamRecord<TrainerEvent> element) {
        if (TrainerEvent.SNAPSHOT.equals(element.getValue().kind)
                && TrainerEventCodec.decode(element.getValue().json) instanceof SnapshotEvent s) {
            snapshots.announced(s);
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<String> json = new ArrayList<>();
        snapshots.state().forEach(s -> json.add(TrainerEventCodec.encode(s)));
        held.update(json);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        snapshots.checkpointCompleted(checkpointId);
        startDue();
    }

    private void startDue() {
        SnapshotEvent next = snapshots.next(System.nanoTime());
        if (next != null) {
            start(next);
        }
    }

    private void start(SnapshotEvent snapshot) {
        int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
        running = thread.submit(() -> {
            EvalEvent result;
            try {
                result = evaluator.evaluate(snapshot, attempt);
            } catch (RuntimeException e) {
                post(() -> completed(snapshot, null, e), snapshot);
                throw e;
            }
            post(() -> completed(snapshot, result, null), snapshot);
            return result;
        });
    }

    private void post(Runnable onTaskThread, SnapshotEvent snapshot) {
        try {
            mailbox.execute(onTaskThread::run, "held-out evaluation of step %d", snapshot.step());
        } catch (RejectedExecutionException e) {
            // the task is closing; finish() took the result, or a restore evaluates the snapshot again
        }
    }

    /** On the task thread: emit the result of {@code snapshot}'s evaluation, unless {@link #finish()} did. */
    private void completed(SnapshotEvent snapshot, EvalEvent result, Exception failure) {
        if (snapshots.inFlight() != snapshot) {
            return; // emitted by finish()
        }
        if (result != null) {
            emit(result);
        } else {
            failed(snapshot, failure);
        }
        snapshots.done(snapshot);
        startDue();
    }

    private void emit(EvalEvent result) {
        newest = result;
        LOG.info("held-out evaluation of step {}: kNN@20 {}, kNN@200 {}, linear {} ({} s)", result.step(),
                result.knn20(), result.knn200(), result.linear(), String.format(Locale.ROOT, "%.1f", result.seconds()));
        output.collect(new StreamRecord<>(TrainerEventCodec.toStreamElement(result)));
    }

    /**
     * End of the input: the evaluation in flight is waited for and the newest snapshot not yet evaluated is
     * evaluated here, so a bounded run always reports its final snapshot.
     */
    @Override
    public void finish() throws Exception {
        SnapshotEvent inFlight = snapshots.inFlight();
        if (inFlight != null) {
            awaitAndEmit(inFlight); // its mail is still queued; emit here, where the output is still open
        }
        SnapshotEvent last = snapshots.takeNewestAtEnd();
        if (last != null) {
            start(last);
            awaitAndEmit(last);
        }
        super.finish();
    }

    /** On the task thread: waits for the running evaluation of {@code snapshot} and emits its result. */
    private void awaitAndEmit(SnapshotEvent snapshot) throws InterruptedException {
        try {
            emit(running.get());
        } catch (ExecutionException e) {
            failed(snapshot, e.getCause());
        } finally {
            snapshots.done(snapshot);
        }
    }

    /**
     * An evaluation that did not complete. If the snapshot's directory is gone while {@code LATEST} beside it
     * names a newer one, snapshot retention ({@code snapshots.retain-newest}) deleted it before the evaluator got
     * to it: expected when the evaluator falls behind, so skipped and counted ({@code eval_snapshots_removed}),
     * not a failure. A directory the evaluator never saw (a snapshot root not shared with its machine) stays a
     * failure.
     */
    private void failed(SnapshotEvent snapshot, Throwable cause) {
        if (deletedByRetention(Path.of(snapshot.path()))) {
            removed++;
            LOG.info("held-out evaluation of step {} skipped: {} was deleted by snapshot retention before it was"
                    + " evaluated", snapshot.step(), snapshot.path());
            return;
        }
        failures++;
        LOG.warn("held-out evaluation of {} (step {}) failed; training goes on", snapshot.path(), snapshot.step(),
                cause);
    }

    private static boolean deletedByRetention(Path dir) {
        if (Files.isDirectory(dir) || dir.getParent() == null) {
            return false;
        }
        try {
            String latest = SnapshotRetention.readLatest(dir.getParent());
            // zero-padded step-N names of the same length sort by step
            return latest != null && latest.length() == dir.getFileName().toString().length()
                    && latest.compareTo(dir.getFileName().toString()) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Evaluations that failed. */
    long failures() {
        return failures;
    }

    /** Evaluations skipped because retention had deleted their snapshot. */
    long snapshotsRemoved() {
        return removed;
    }

    @Override
    public void close() throws Exception {
        if (thread != null) {
            thread.shutdownNow();
            thread.awaitTermination(30, TimeUnit.SECONDS);
        }
        super.close();
    }
}
