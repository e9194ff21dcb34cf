package io.streamssl.connectors.event;

/**
 * What a restored job loaded onto the device ({@code event = restored}).
 *
 * @param teacherSha256 digest of the teacher's tensors as loaded ({@code teacher_sha256})
 * @param pending samples of the partial batch restored ({@code pending})
 * @param seedChangedFrom the {@code trainer.seed} the state was trained with when this run has another, else null
 *     ({@code seed_changed_from}, left out when null)
 */
public record RestoredEvent(EventHeader header, String teacherSha256, int pending, Long seedChangedFrom)
        implements TrainerRecord {

    @Override
    public EventKind kind() {
        return EventKind.RESTORED;
    }
}
