package io.streamssl.serving;

import io.streamssl.connectors.event.SnapshotEvent;
import java.util.ArrayList;
import java.util.List;

/** Keeps what a {@link SnapshotFollower} told it. */
final class RecordingListener implements SnapshotFollower.Listener {

    record Refusal(SnapshotEvent announcement, String reason) {}

    private final List<Long> swappedTo = new ArrayList<>();
    private final List<Refusal> refusals = new ArrayList<>();

    @Override
    public synchronized void onSwap(ServedSnapshot previous, ServedSnapshot now) {
        swappedTo.add(now.step());
    }

    @Override
    public synchronized void onRefused(SnapshotEvent announcement, String reason) {
        refusals.add(new Refusal(announcement, reason));
    }

    /** The steps swapped to, in order. */
    synchronized List<Long> swappedTo() {
        return List.copyOf(swappedTo);
    }

    synchronized List<Refusal> refusals() {
        return List.copyOf(refusals);
    }
}
