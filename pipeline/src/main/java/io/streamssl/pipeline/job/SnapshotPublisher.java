package io.streamssl.pipeline.job;

import io.streamssl.connectors.event.EventHeader;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.snapshot.SnapshotWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes encoder snapshots and publishes them only once a checkpoint holds their training state: a snapshot
 * written at step s is announced with the next checkpoint barrier, carrying that checkpoint's id (the
 * announcement travels in the checkpoint's Kafka transaction, so {@code read_committed} readers see it exactly
 * when the checkpoint completes), and {@code LATEST} on disk moves to it when the checkpoint completes. A
 * snapshot written by an attempt that then failed is never announced; the replay rewrites it.
 *
 * <p>Not thread-safe: the operator's task thread calls it (Flink calls {@code notifyCheckpointComplete} there too).
 */
final class SnapshotPublisher {

    private final Path root;
    /** The newest snapshot written in this lineage (its directory name is checkpointed), or null. */
    private Path newest;
    /** Written since the last barrier: announced with the next one. */
    private final List<SnapshotEvent> unannounced = new ArrayList<>();
    /** Checkpoint id → the newest snapshot whose state that checkpoint holds. */
    private final TreeMap<Long, Path> awaitingCommit = new TreeMap<>();
    private long lastCheckpointId = -1;

    SnapshotPublisher(Path root) {
        this.root = root.toAbsolutePath();
    }

    /** Writes the trainer's encoder to {@code <root>/step-N/}; announced with the next barrier. */
    void write(SslTrainer trainer, Map<String, String> config, EventHeader header) {
        written(SnapshotWriter.write(root, trainer, config), trainer.spec().method(), header);
    }

    /** Records a snapshot directory as written (by {@link SnapshotWriter#write}), to be announced. */
    void written(Path dir, String method, EventHeader header) {
        newest = dir.toAbsolutePath();
        try {
            String weights = SnapshotWriter.sha256(newest.resolve(SnapshotWriter.WEIGHTS_FILE));
            unannounced.add(new SnapshotEvent(header, newest.toString(), method, weights, null));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the snapshot just written to " + newest, e);
        }
    }

    /** The newest snapshot's path, or null: the {@code snapshot} field of metrics records. */
    String newest() {
        return newest == null ? null : newest.toString();
    }

    /** The newest snapshot's directory name, or null: what goes into checkpointed state. */
    String newestName() {
        return newest == null ? null : newest.getFileName().toString();
    }

    /** Takes the newest snapshot's name back from restored state. */
    void restore(String newestName) {
        newest = newestName == null ? null : root.resolve(newestName);
    }

    /**
     * After a restore: the restored checkpoint completed, so its newest snapshot is committed (the notification
     * that would have moved {@code LATEST} may have been lost with the failure).
     */
    void commitRestored() {
        if (newest != null) {
            SnapshotWriter.markLatest(root, newest);
        }
    }

    /**
     * The announcements of the snapshots written since the last call, which checkpoint {@code checkpointId}
     * commits. {@code null} at the end of the input: the job's final checkpoint, whose id is not known yet (any
     * checkpoint after the last barrier) commits them.
     */
    List<SnapshotEvent> announce(Long checkpointId) {
        if (checkpointId != null) {
            lastCheckpointId = checkpointId;
        }
        if (unannounced.isEmpty()) {
            return List.of();
        }
        List<SnapshotEvent> out = unannounced.stream().map(s -> new SnapshotEvent(s.header(), s.path(), s.method(),
                s.weightsSha256(), checkpointId)).toList();
        awaitingCommit.put(checkpointId != null ? checkpointId : lastCheckpointId + 1, newest);
        unannounced.clear();
        return out;
    }

    /** A completed checkpoint commits the snapshots announced with it (and any before): {@code LATEST} moves on. */
    void checkpointCompleted(long checkpointId) {
        var committed = awaitingCommit.headMap(checkpointId, true);
        if (!committed.isEmpty()) {
            SnapshotWriter.markLatest(root, committed.lastEntry().getValue());
            committed.clear();
        }
    }
}
