package io.streamssl.models.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cases worked by hand: which snapshot directories go, which stay. */
class SnapshotRetentionTest {

    @TempDir
    Path root;

    /** step-000000010 … for the given steps. */
    private static List<String> steps(long... steps) {
        List<String> out = new ArrayList<>();
        for (long s : steps) {
            out.add(SnapshotWriter.directoryName(s));
        }
        return out;
    }

    private static final List<String> TEN_TO_HUNDRED = steps(10, 20, 30, 40, 50, 60, 70, 80, 90, 100);

    @Test
    void keepsTheNewestN() {
        assertThat(new SnapshotRetention(3, 0).toDelete(TEN_TO_HUNDRED, "step-000000100", Set.of()))
                .isEqualTo(steps(10, 20, 30, 40, 50, 60, 70));
    }

    @Test
    void keepsEveryMthStepBesidesTheNewestN() {
        // newest 2: 100, 90; multiples of 40: 40, 80
        assertThat(new SnapshotRetention(2, 40).toDelete(TEN_TO_HUNDRED, "step-000000100", Set.of()))
                .isEqualTo(steps(10, 20, 30, 50, 60, 70));
    }

    @Test
    void neverDeletesWhatIsNewerThanLatestNorWhatIsProtected() {
        List<String> names = steps(10, 20, 30, 40, 50, 60);
        // LATEST = 40 (50, 60 await their checkpoint); 20 announced but not committed
        assertThat(new SnapshotRetention(1, 0).toDelete(names, "step-000000040", Set.of("step-000000020")))
                .isEqualTo(steps(10, 30));
    }

    @Test
    void countsTheNewestAmongCommittedOnly() {
        // newer snapshots (50, 60) do not push committed ones out of the newest N
        assertThat(new SnapshotRetention(2, 0).toDelete(steps(10, 20, 30, 50, 60), "step-000000030", Set.of()))
                .isEqualTo(steps(10));
    }

    @Test
    void withoutLatestNothingIsCommittedAndNothingGoes() {
        assertThat(new SnapshotRetention(1, 0).toDelete(TEN_TO_HUNDRED, null, Set.of())).isEmpty();
        assertThat(new SnapshotRetention(1, 0).toDelete(TEN_TO_HUNDRED, "garbage", Set.of())).isEmpty();
    }

    @Test
    void otherFilesStayUnfinishedWritesAtOrBelowLatestGo() {
        List<String> names = new ArrayList<>(steps(10, 20, 40));
        names.addAll(List.of("LATEST", ".LATEST-123.tmp", "notes.txt", "step-abc", ".step-000000030-9876",
                ".step-000000050-1234", ".step-000000010-deleting"));
        assertThat(new SnapshotRetention(1, 0).toDelete(names, "step-000000040", Set.of()))
                .containsExactly("step-000000010", ".step-000000010-deleting", "step-000000020",
                        ".step-000000030-9876");
    }

    @Test
    void applyDeletesOnDiskAndLeavesTheRest() throws Exception {
        for (String n : steps(5, 10, 15, 20, 25)) {
            Files.createDirectories(root.resolve(n));
            Files.writeString(root.resolve(n).resolve(SnapshotWriter.WEIGHTS_FILE), n);
        }
        Files.writeString(root.resolve(SnapshotWriter.LATEST_FILE), "step-000000020\n");
        // a crash while deleting an earlier copy of step 5 left this behind
        Files.createDirectories(root.resolve(".step-000000005-deleting"));
        Files.writeString(root.resolve(".step-000000005-deleting").resolve(SnapshotWriter.WEIGHTS_FILE), "old");

        List<String> deleted = new SnapshotRetention(1, 10).apply(root, Set.of("step-000000015"));

        assertThat(deleted).containsExactly("step-000000005");
        try (Stream<Path> s = Files.list(root)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("step-000000010",
                    "step-000000015", "step-000000020", "step-000000025", "LATEST");
        }
        assertThat(new SnapshotRetention(1, 0).apply(root.resolve("missing"), Set.of())).isEmpty();
    }
}
