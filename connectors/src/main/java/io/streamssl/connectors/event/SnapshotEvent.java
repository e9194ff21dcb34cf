package io.streamssl.connectors.event;

/**
 * A snapshot announcement on the snapshots topic ({@code event = snapshot}): written at {@code step}, its
 * training state held by checkpoint {@code checkpointId}, visible to {@code read_committed} readers once that
 * checkpoint completed.
 *
 * @param path the snapshot directory ({@code path})
 * @param method the self-supervised method ({@code method})
 * @param weightsSha256 SHA-256 of its weights file ({@code weights_sha256})
 * @param checkpointId the checkpoint that commits it ({@code checkpoint_id}); null only for a snapshot announced
 *     at the end of the input, which the job's final checkpoint commits
 */
public record SnapshotEvent(EventHeader header, String path, String method, String weightsSha256, Long checkpointId)
        implements TrainerRecord {

    @Override
    public EventKind kind() {
        return EventKind.SNAPSHOT;
    }
}
