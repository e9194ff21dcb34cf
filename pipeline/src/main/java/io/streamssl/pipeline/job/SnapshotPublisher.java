package io.streamssl.pipeline.job;

import io.streamssl.connectors.event.EventHeader;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.snapshot.SnapshotRetention;
import io.streamssl.models.snapshot.SnapshotWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes encoder snapshots and publishes them only once a checkpoint holds their training state: a snapshot
 * written at step s is announced with the next checkpoint barrier, carrying that checkpoint's id (the
 * announcement travels in the checkpoint's Kafka transaction, so {@code read_committed} readers see it exactly
 * when the checkpoint completes), and {@code LATEST} on disk moves to it when the checkpoint completes. A
 * snapshot written by an attempt that then failed is never announced; the replay rewrites it.
 *
 * <p>A snapshot that cannot be written (a full disk) is not announced and does not stop training: the failure is
 * logged and reported, and the next snapshot is tried as usual. Each time {@code LATEST} moves, the
 * {@link SnapshotRetention} deletes the committed snapshots it no longer keeps; those written or announced but
 * not committed are never among them.
 *
 * <p>Not thread-safe: the operator's task thread calls it (Flink calls {@code notifyCheckpointComplete} there too).
 */
final class SnapshotPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);

    private final Path root;
    private final SnapshotRetention retention;
    /** The newest snapshot written in this lineage (its directory name is checkpointed), or null. */
    private Path newest;
    /** Written since the last barrier: announced with the next one. */
    private final List<SnapshotEvent> unannounced = new ArrayList<>();
    /** Checkpoint id → the newest snapshot whose state that checkpoint holds. */
    private final TreeMap<Long, Path> awaitingCommit = new TreeMap<>();
    private long lastCheckpointId = -1;

    SnapshotPublisher(Path root, SnapshotRetention retention) {
        this.root = root.toAbsolutePath();
        this.retention = retention;
    }

    /**
     * Writes the trainer's encoder to {@code <root>/step-N/}, announced with the next barrier. If it cannot be
     * written, nothing of it is left or announced, and {@code onFailure} gets the error; training goes on.
     */
    void write(SslTrainer trainer, Map<String, String> config, EventHeader header, Consumer<String> onFailure) {
        write(trainer, config, header, onFailure, SnapshotWriter.FileOpener.DEFAULT);
    }

    /** {@link #write(SslTrainer, Map, EventHeader, Consumer)} through {@code files} (a test's full disk). */
    void write(SslTrainer trainer, Map<String, String> config, EventHeader header, Consumer<String> onFailure,
            SnapshotWriter.FileOpener files) {
        Path dir;
        try {
            dir = SnapshotWriter.write(root, trainer, config, files);
        } catch (UncheckedIOException e) {
            LOG.warn("snapshot of step {} not written, training goes on: {}", trainer.stepCount(), e.getMessage());
            onFailure.accept(e.getMessage());
            return;
        }
        written(dir, trainer.spec().method(), header);
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
        if (newest != null && !Files.isDirectory(newest)) {
            // restored from an older checkpoint or savepoint whose snapshot retention has since deleted
            LOG.warn("the restored state's newest snapshot {} is no longer on disk (deleted by snapshot retention);"
                    + " LATEST stays as it is until the next snapshot commits", newest);
        } else if (newest != null) {
            moveLatest(newest);
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
            Path latest = committed.lastEntry().getValue();
            committed.clear();
            moveLatest(latest);
        }
    }

    /**
     * Points {@code LATEST} at {@code dir}, then applies retention. A full disk may refuse even the small
     * {@code LATEST} file: it then keeps naming the previous committed snapshot, and the next completed checkpoint
     * tries again; training goes on.
     */
    private void moveLatest(Path dir) {
        try {
            SnapshotWriter.markLatest(root, dir);
        } catch (UncheckedIOException e) {
            LOG.warn("LATEST not moved to {}, it names the previous snapshot; training goes on: {}",
                    dir.getFileName(), e.getMessage());
            return;
        }
        applyRetention();
    }

    /** Deletes the committed snapshots retention no longer keeps; a failure to delete does not stop training. */
    private void applyRetention() {
        Set<String> notCommitted = new HashSet<>();
        unannounced.forEach(s -> notCommitted.add(Path.of(s.path()).getFileName().toString()));
        awaitingCommit.values().forEach(p -> notCommitted.add(p.getFileName().toString()));
        try {
            List<String> deleted = retention.apply(root, notCommitted);
            if (!deleted.isEmpty()) {
                LOG.info("snapshot retention deleted {} under {}", deleted, root);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("snapshot retention could not delete under {}, training goes on: {}", root, e.getMessage());
        }
    }
}
