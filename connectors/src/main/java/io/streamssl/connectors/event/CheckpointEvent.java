package io.streamssl.connectors.event;

/**
 * What went into checkpoint {@code checkpointId} ({@code event = checkpoint}): compare with a later
 * {@link RestoredEvent}.
 *
 * @param checkpointId Flink's checkpoint id ({@code checkpoint_id})
 * @param teacherSha256 digest of the teacher's tensors ({@code teacher_sha256})
 * @param stateBytes bytes of all state tensors ({@code state_bytes})
 * @param pending samples of the partial batch that went with it ({@code pending})
 * @param copyMillis time the trainer's thread spent copying the state ({@code copy_ms})
 * @param replayBufferSha256 digest of the replay buffer that went with it ({@code replay_buffer_sha256}); null
 *     (left out) without a buffer or without the audit trail ({@code metrics.trained-ids}): it reads every entry
 */
public record CheckpointEvent(EventHeader header, long checkpointId, String teacherSha256, long stateBytes,
        int pending, long copyMillis, String replayBufferSha256) implements TrainerRecord {

    /** Without a replay buffer digest. */
    public CheckpointEvent(EventHeader header, long checkpointId, String teacherSha256, long stateBytes, int pending,
            long copyMillis) {
        this(header, checkpointId, teacherSha256, stateBytes, pending, copyMillis, null);
    }

    @Override
    public EventKind kind() {
        return EventKind.CHECKPOINT;
    }
}
