package io.streamssl.pipeline.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.connectors.event.EventHeader;
import io.streamssl.connectors.event.SnapshotEvent;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CommittedSnapshotsTest {

    private static final long SECOND = 1_000_000_000L;

    private static SnapshotEvent snapshot(long step, Long checkpointId) {
        return new SnapshotEvent(new EventHeader("run", "m", step, step * 64, 0, 0, Instant.EPOCH),
                "/s/step-" + step, "byol", "sha" + step, checkpointId);
    }

    @Test
    void anAnnouncementIsTakenOnlyOnceItsCheckpointCompleted() {
        CommittedSnapshots c = new CommittedSnapshots(Duration.ZERO, 0);
        SnapshotEvent s10 = snapshot(10, 3L);
        c.announced(s10);
        assertThat(c.next(0)).isNull();
        c.checkpointCompleted(2);
        assertThat(c.next(0)).as("checkpoint 2 does not commit what checkpoint 3 carries").isNull();
        c.checkpointCompleted(3);
        assertThat(c.next(0)).isSameAs(s10);
        assertThat(c.inFlight()).isSameAs(s10);
    }

    @Test
    void anEvaluatorThatFallsBehindSkipsToTheNewestAndNeverGoesBack() {
        CommittedSnapshots c = new CommittedSnapshots(Duration.ZERO, 0);
        c.announced(snapshot(10, 1L));
        c.checkpointCompleted(1);
        SnapshotEvent first = c.next(0);
        c.announced(snapshot(20, 2L));
        c.announced(snapshot(30, 3L));
        c.checkpointCompleted(3);
        assertThat(c.next(1)).as("one at a time").isNull();
        c.done(first);
        assertThat(c.next(2).step()).isEqualTo(30);
        c.restore(java.util.List.of(snapshot(20, 2L))); // older than the one taken: never evaluated
        c.done(c.inFlight());
        assertThat(c.next(3)).isNull();
    }

    @Test
    void oneStartPerIntervalExceptForTheRunsLastStep() {
        CommittedSnapshots c = new CommittedSnapshots(Duration.ofSeconds(60), 100);
        c.announced(snapshot(50, 1L));
        c.checkpointCompleted(1);
        SnapshotEvent s50 = c.next(0);
        assertThat(s50.step()).isEqualTo(50);
        c.done(s50);
        c.announced(snapshot(75, 2L));
        c.checkpointCompleted(2);
        assertThat(c.next(10 * SECOND)).as("within the interval").isNull();
        c.announced(snapshot(100, 3L));
        c.checkpointCompleted(3);
        assertThat(c.next(11 * SECOND).step()).as("the last step is never held back").isEqualTo(100);
    }

    @Test
    void stateHoldsWhatIsNotYetEmittedAndARestoreCountsItCommitted() {
        CommittedSnapshots c = new CommittedSnapshots(Duration.ZERO, 0);
        c.announced(snapshot(10, 1L));
        c.checkpointCompleted(1);
        SnapshotEvent running = c.next(0);
        c.announced(snapshot(20, 2L));
        assertThat(c.state()).extracting(SnapshotEvent::step).containsExactly(10L, 20L);

        CommittedSnapshots restored = new CommittedSnapshots(Duration.ZERO, 0);
        restored.restore(c.state());
        assertThat(restored.next(0).step()).isEqualTo(20); // the newest of them
        assertThat(running.step()).isEqualTo(10);
    }

    @Test
    void theEndOfTheInputTakesTheNewestEvenIfUncommitted() {
        CommittedSnapshots c = new CommittedSnapshots(Duration.ofHours(1), 0);
        c.announced(snapshot(10, 1L));
        c.checkpointCompleted(1);
        c.done(c.next(0));
        c.announced(snapshot(20, null));
        assertThat(c.takeNewestAtEnd().step()).isEqualTo(20);
        c.done(c.inFlight());
        assertThat(c.takeNewestAtEnd()).isNull();
        assertThat(c.state()).isEmpty();
    }
}
