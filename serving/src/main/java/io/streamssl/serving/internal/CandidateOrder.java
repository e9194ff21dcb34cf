package io.streamssl.serving.internal;

import io.streamssl.connectors.event.SnapshotEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which announced snapshots to try, in which order, to replace the one served: the newest first, the older ones
 * as fallbacks if it does not load.
 *
 * <ul>
 *   <li>Only a newer step replaces the served one. A step announced again with other weights (a training job
 *       restored and re-ran that step with another seed: its directory was rewritten, so the earlier weights are
 *       gone from disk) replaces it too; of several announcements of one step the latest received wins.
 *   <li>A snapshot is the same as another iff its weights sha256 is equal: the served one's sha and repeats of
 *       a sha (announcements repeat after a training restart) are tried once, at the newest announcement.
 * </ul>
 */
public final class CandidateOrder {

    /** An announcement and the order it was received in. */
    public record Candidate(SnapshotEvent announcement, long received) {
        public long step() {
            return announcement.header().step();
        }
    }

    private CandidateOrder() {}

    /**
     * The announcements of {@code candidates} worth trying while serving {@code servedStep} /
     * {@code servedSha256} (−1 / null: nothing yet), the most wanted first.
     */
    public static List<SnapshotEvent> toTry(List<Candidate> candidates, long servedStep, String servedSha256) {
        List<Candidate> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparingLong(Candidate::step).thenComparingLong(Candidate::received).reversed());
        List<SnapshotEvent> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        if (servedSha256 != null) {
            seen.add(servedSha256);
        }
        for (Candidate c : sorted) {
            if (c.step() >= servedStep && seen.add(c.announcement().weightsSha256())) {
                out.add(c.announcement());
            }
        }
        return out;
    }
}
