package io.streamssl.pipeline.job;

import io.streamssl.connectors.event.EventHeader;
import io.streamssl.connectors.event.MetricsEvent;
import io.streamssl.models.StepResult;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;

/**
 * The trainer's numbers: a window of step results between two metrics records, and the Flink gauges that show
 * the latest values ({@code step}, {@code images}, {@code loss}, {@code learning_rate}, {@code tau},
 * {@code probe_accuracy}, {@code images_per_second}) and counters ({@code skipped_steps}: steps skipped for a
 * non-finite loss; {@code labels_out_of_range}: images with a label ≥ {@code probe.classes};
 * {@code snapshot_write_failures}). A skipped step enters no average: the window counts it apart, and
 * {@code loss} and the gauges show the last trained step.
 */
final class TrainerMetrics {

    private final LongSupplier nanoClock;
    private Window window;
    private volatile StepResult last;
    private volatile double lastProbeAccuracy;
    private volatile double lastImagesPerSecond;
    private final Counter skippedSteps = new SimpleCounter();
    private final Counter replayedSamples = new SimpleCounter();
    private volatile int replayBufferSize;
    private final Counter labelsOutOfRange = new SimpleCounter();
    private final Counter snapshotWriteFailures = new SimpleCounter();

    /** @param nanoClock {@link System#nanoTime} but in tests: the wall clock of {@code images_per_s} */
    TrainerMetrics(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.window = new Window(nanoClock.getAsLong());
    }

    /** Registers the gauges; {@code step} and {@code images} read the trainer, which may be gone after close. */
    void register(MetricGroup group, LongSupplier step, LongSupplier images) {
        group.gauge("step", step::getAsLong);
        group.gauge("images", images::getAsLong);
        group.gauge("loss", () -> last == null ? Double.NaN : (double) last.loss());
        group.gauge("learning_rate", () -> last == null ? Double.NaN : (double) last.learningRate());
        group.gauge("tau", () -> last == null ? Double.NaN : last.scalars().getOrDefault("tau", Double.NaN));
        group.gauge("probe_accuracy", () -> lastProbeAccuracy);
        group.gauge("images_per_second", () -> lastImagesPerSecond);
        group.counter("skipped_steps", skippedSteps);
        group.counter("labels_out_of_range", labelsOutOfRange);
        group.counter("snapshot_write_failures", snapshotWriteFailures);
        group.counter("replayed_samples", replayedSamples);
        group.gauge("replay_buffer_size", () -> replayBufferSize);
    }

    /**
     * After a step that trained with a replay buffer: the buffer's size and how many of the step's samples it
     * gave. The next record carries them as {@code replay-buffer-size} and {@code replayed-fraction} (of the
     * window's images).
     */
    void replay(int bufferSize, int replayedInStep) {
        replayBufferSize = bufferSize;
        replayedSamples.inc(replayedInStep);
        window.replayed += replayedInStep;
        window.replayOn = true;
    }

    /** A snapshot could not be written (training went on): counted, and in the next metrics record. */
    void snapshotWriteFailed(String error) {
        snapshotWriteFailures.inc();
        window.snapshotWriteFailures++;
        window.snapshotError = error;
    }

    void add(StepResult r) {
        if (r.skipped()) {
            skippedSteps.inc();
            window.skippedSteps++;
            return;
        }
        last = r;
        window.add(r);
    }

    /** {@code n} images arrived with a label ≥ {@code probe.classes}. */
    void addLabelsOutOfRange(int n) {
        labelsOutOfRange.inc(n);
        window.labelsOutOfRange += n;
    }

    /** Steps skipped for a non-finite loss since the job (this attempt) started. */
    long skippedSteps() {
        return skippedSteps.getCount();
    }

    /** Images with a label ≥ {@code probe.classes} since the job (this attempt) started. */
    long labelsOutOfRange() {
        return labelsOutOfRange.getCount();
    }

    /** The record of the window since the previous one (at least one step), which starts a new window. */
    MetricsEvent publish(EventHeader header, String snapshot, boolean finished) {
        if (last == null) {
            throw new IllegalStateException("metrics are published after a step, none was added");
        }
        long now = nanoClock.getAsLong();
        double imagesPerSecond = window.images / Math.max(1e-9, (now - window.startNanos) / 1e9);
        Double probeAccuracy = window.probeLabelled == 0 ? null : (double) window.probeCorrect / window.probeLabelled;
        Map<String, Double> scalars = last.scalars();
        if (window.replayOn) {
            scalars = new LinkedHashMap<>(scalars);
            scalars.put("replay-buffer-size", (double) replayBufferSize);
            scalars.put("replayed-fraction", window.images == 0 ? 0 : (double) window.replayed / window.images);
        }
        MetricsEvent m = new MetricsEvent(header, window.steps == 0 ? Double.NaN : window.lossSum / window.steps,
                last.learningRate(), scalars, imagesPerSecond,
                window.images / Math.max(1e-9, window.trainNanos / 1e9), probeAccuracy, window.probeLabelled,
                snapshot, finished, window.skippedSteps, window.labelsOutOfRange, window.snapshotWriteFailures,
                window.snapshotError);
        if (probeAccuracy != null) {
            lastProbeAccuracy = probeAccuracy;
        }
        lastImagesPerSecond = imagesPerSecond;
        window = new Window(now);
        return m;
    }

    /** Step results between two metrics records. */
    private static final class Window {
        final long startNanos;
        double lossSum;
        int steps;
        long images;
        long trainNanos;
        int probeLabelled;
        int probeCorrect;
        long skippedSteps;
        long labelsOutOfRange;
        int snapshotWriteFailures;
        String snapshotError;
        long replayed;
        boolean replayOn;

        Window(long startNanos) {
            this.startNanos = startNanos;
        }

        void add(StepResult r) {
            lossSum += r.loss();
            steps++;
            images += r.images();
            trainNanos += r.nanos();
            probeLabelled += r.probeLabelled();
            probeCorrect += r.probeCorrect();
        }
    }
}
