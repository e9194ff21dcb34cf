package io.streamssl.connectors.event;

/**
 * What a restored job loaded onto the device ({@code event = restored}).
 *
 * @param teacherSha256 digest of the teacher's tensors as loaded ({@code teacher_sha256})
 * @param pending samples of the partial batch restored ({@code pending})
 * @param seedChangedFrom the {@code trainer.seed} the state was trained with when this run has another, else null
 *     ({@code seed_changed_from}, left out when null)
 * @param replayBufferSha256 digest of the replay buffer as restored — entries, counters and waiting records — to
 *     compare with the {@link CheckpointEvent} of the checkpoint it came from ({@code replay_buffer_sha256}); null
 *     (left out) without a buffer
 */
public record RestoredEvent(EventHeader header, String teacherSha256, int pending, Long seedChangedFrom,
        String replayBufferSha256) implements TrainerRecord {

    /** Without a replay buffer. */
    public RestoredEvent(EventHeader header, String teacherSha256, int pending, Long seedChangedFrom) {
        this(header, teacherSha256, pending, seedChangedFrom, null);
    }

    @Override
    public EventKind kind() {
        return EventKind.RESTORED;
    }
}
