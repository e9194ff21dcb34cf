package io.streamssl.pipeline.eval;

import io.streamssl.connectors.event.SnapshotEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Which snapshot the held-out evaluator takes next. An announcement arrives before the barrier of the checkpoint
 * that commits it; it becomes a candidate when that checkpoint completes (so the evaluator only ever reads what
 * downstream users can load), and only the newest candidate is kept: an evaluator that falls behind skips
 * snapshots rather than queueing them. One evaluation starts per {@code interval}, except that the snapshot at
 * the run's last step is always taken.
 *
 * <p>{@link #state()} is what a checkpoint must hold: announcements not yet committed, the candidate, and the one
 * being evaluated, whose result has not been emitted yet. After a restore all of them count as committed: the
 * checkpoint restored from completed, and it held only announcements of checkpoints up to itself.
 *
 * <p>Not thread-safe: the operator's task thread uses it.
 */
final class CommittedSnapshots {

    private final long intervalNanos;
    private final long lastStep;
    /** Announced, checkpoint not yet completed; a null id (end of input) waits for any checkpoint. */
    private final List<SnapshotEvent> awaiting = new ArrayList<>();
    private SnapshotEvent candidate;
    private SnapshotEvent inFlight;
    /** Step of the newest snapshot taken for evaluation; older ones are never taken after it. */
    private long newestTaken = -1;
    private long lastStartNanos;
    private boolean started;

    /**
     * @param interval at most one start per interval
     * @param lastStep the run's last step ({@code trainer.max-steps}), whose snapshot is taken at once; 0 for none
     */
    CommittedSnapshots(Duration interval, long lastStep) {
        this.intervalNanos = interval.toNanos();
        this.lastStep = lastStep;
    }

    void announced(SnapshotEvent snapshot) {
        awaiting.add(snapshot);
    }

    /** Checkpoint {@code checkpointId} completed: the announcements it (or an earlier one) carried are committed. */
    void checkpointCompleted(long checkpointId) {
        List<SnapshotEvent> committed = new ArrayList<>();
        awaiting.removeIf(s -> {
            boolean done = s.checkpointId() == null || s.checkpointId() <= checkpointId;
            if (done) {
                committed.add(s);
            }
            return done;
        });
        committed.forEach(this::offer);
    }

    /** After a restore: the announcements the restored checkpoint held, all committed. */
    void restore(List<SnapshotEvent> held) {
        held.forEach(this::offer);
    }

    private void offer(SnapshotEvent s) {
        if (s.step() > newestTaken && (candidate == null || s.step() > candidate.step())) {
            candidate = s;
        }
    }

    /** The snapshot to evaluate now, marked in flight; null if none is due or one is already in flight. */
    SnapshotEvent next(long nowNanos) {
        if (inFlight != null || candidate == null) {
            return null;
        }
        boolean due = !started || nowNanos - lastStartNanos >= intervalNanos
                || (lastStep > 0 && candidate.step() >= lastStep);
        if (!due) {
            return null;
        }
        inFlight = candidate;
        candidate = null;
        newestTaken = inFlight.step();
        lastStartNanos = nowNanos;
        started = true;
        return inFlight;
    }

    /** The evaluation of {@code snapshot} ended (its result emitted, or it failed). */
    void done(SnapshotEvent snapshot) {
        if (inFlight == snapshot) {
            inFlight = null;
        }
    }

    SnapshotEvent inFlight() {
        return inFlight;
    }

    /**
     * At the end of the input: the newest snapshot not yet taken, committed or not (the job's final checkpoint
     * commits it together with its evaluation), marked in flight; null if there is none or one is in flight.
     */
    SnapshotEvent takeNewestAtEnd() {
        if (inFlight != null) {
            return null;
        }
        SnapshotEvent newest = candidate;
        for (SnapshotEvent s : awaiting) {
            if (s.step() > newestTaken && (newest == null || s.step() > newest.step())) {
                newest = s;
            }
        }
        if (newest == null) {
            return null;
        }
        awaiting.clear();
        candidate = null;
        inFlight = newest;
        newestTaken = newest.step();
        return newest;
    }

    /** What a checkpoint holds: the in-flight snapshot, the candidate, and the announcements awaiting commit. */
    List<SnapshotEvent> state() {
        List<SnapshotEvent> out = new ArrayList<>();
        if (inFlight != null) {
            out.add(inFlight);
        }
        if (candidate != null) {
            out.add(candidate);
        }
        out.addAll(awaiting);
        return out;
    }
}
