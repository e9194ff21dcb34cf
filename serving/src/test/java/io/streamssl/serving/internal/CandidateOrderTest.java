package io.streamssl.serving.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.connectors.event.EventHeader;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.serving.internal.CandidateOrder.Candidate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CandidateOrderTest {

    private long received;

    private Candidate announced(long step, String sha) {
        return new Candidate(new SnapshotEvent(new EventHeader("run", "m", step, step * 4, 0, 0, Instant.EPOCH),
                "/s/step-" + step, "byol", sha, step), received++);
    }

    private static List<String> shas(List<SnapshotEvent> order) {
        List<String> out = new ArrayList<>();
        order.forEach(e -> out.add(e.weightsSha256()));
        return out;
    }

    @Test
    void newestStepFirstThenOlderOnesAsFallbacks() {
        List<Candidate> c = List.of(announced(1, "a"), announced(3, "c"), announced(2, "b"));
        assertThat(shas(CandidateOrder.toTry(c, -1, null))).containsExactly("c", "b", "a");
    }

    @Test
    void onlyNewerThanTheServedOneAndNeverTheServedOneAgain() {
        List<Candidate> c = List.of(announced(1, "a"), announced(2, "b"), announced(3, "c"), announced(2, "b"));
        assertThat(shas(CandidateOrder.toTry(c, 2, "b"))).as("repeat of the served one skipped, older dropped")
                .containsExactly("c");
        assertThat(CandidateOrder.toTry(List.of(announced(2, "b"), announced(1, "a")), 2, "b")).isEmpty();
    }

    @Test
    void aStepAnnouncedAgainWithOtherWeightsReplacesAndTheLatestAnnouncementWins() {
        List<Candidate> c = List.of(announced(5, "old"), announced(5, "new"), announced(5, "old"));
        assertThat(shas(CandidateOrder.toTry(c, -1, null))).as("latest received first, each sha once")
                .containsExactly("old", "new");
        assertThat(shas(CandidateOrder.toTry(List.of(announced(5, "rewritten")), 5, "served")))
                .containsExactly("rewritten");
    }
}
