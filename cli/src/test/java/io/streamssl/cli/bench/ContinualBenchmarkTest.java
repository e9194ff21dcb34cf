package io.streamssl.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.cli.bench.QualityBenchmarkTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench continual} without training: its budget arithmetic, its option checks and its help. */
class ContinualBenchmarkTest {

    @TempDir
    Path dir;

    /** Arguments for a run that would start, with {@code extra} after them. */
    private List<String> args(String... extra) {
        List<String> a = new ArrayList<>(List.of("bench", "continual", "--cifar10", dir.resolve("cifar10").toString(),
                "--work-dir", dir.resolve("work").toString()));
        a.addAll(List.of(extra));
        return a;
    }

    private Run run(String... extra) {
        return QualityBenchmarkTest.run(args(extra).toArray(String[]::new));
    }

    @Test
    void everyCaseTrainsTheStepsItsRecordsPayFor() {
        assertThat(ContinualBenchmark.Settings.steps(8000, 2, 64)).isEqualTo(250);
        assertThat(ContinualBenchmark.Settings.steps(50_000, 2, 64)).as("100,000 / 64 = 1562.5").isEqualTo(1562);
        assertThat(ContinualBenchmark.Settings.steps(3200, 1, 64)).isEqualTo(50);
        assertThat(ContinualBenchmark.Settings.steps(3200, 1.5, 64)).isEqualTo(75);
        assertThat(ContinualBenchmark.Settings.steps(100, 0.1, 64)).as("10 samples, no whole batch").isZero();
        assertThat(ContinualBenchmark.Settings.stepsPerPhase(250, 5)).isEqualTo(50);
        assertThat(ContinualBenchmark.Settings.stepsPerPhase(1562, 5)).isEqualTo(312);
    }

    @Test
    void casesAreParsedByNameInTheirOrder() {
        assertThat(ContinualCase.parse(List.of("iid", " off"))).containsExactly(ContinualCase.IID, ContinualCase.OFF);
        assertThat(ContinualCase.parse(List.of(ContinualCase.names().split(",")))).containsExactly(
                ContinualCase.values());
        assertThat(ContinualCase.IID.iid()).isTrue();
        assertThat(ContinualCase.IID.replays()).isFalse();
        assertThat(ContinualCase.MINRED.policy()).isEqualTo("minred");
        assertThatThrownBy(() -> ContinualCase.parse(List.of("off", "lifo"))).hasMessageContaining("unknown case"
                + " 'lifo'").hasMessageContaining("off,fifo,reservoir,minred,iid");
        assertThatThrownBy(() -> ContinualCase.parse(List.of("off", "off"))).hasMessageContaining("twice");
    }

    @Test
    void badOptionsFailAtStartNamingTheOption() {
        record Case(String[] args, String message) {}
        List<Case> cases = List.of(
                new Case(new String[] {"--phases", "3"}, "--phases must divide CIFAR-10's 10 classes"),
                new Case(new String[] {"--phases", "1"}, "--phases must divide"),
                new Case(new String[] {"--images", "3205"}, "--images must be a positive multiple of 10"),
                new Case(new String[] {"--images", "50010"}, "at most 50000"),
                new Case(new String[] {"--images", "100"}, "fewer than one per phase"),
                new Case(new String[] {"--updates-per-sample", "0"}, "--updates-per-sample must be > 0"),
                new Case(new String[] {"--ratio", "1.5"}, "--ratio (replay.ratio) must be in [0, 1]"),
                new Case(new String[] {"--capacity", "10"}, "--capacity (replay.capacity) must be at least the batch"
                        + " size (64)"),
                new Case(new String[] {"--cases", "off,lifo"}, "unknown case 'lifo'"),
                new Case(new String[] {"--train-n", "100"}, "--train-n must be at least 200"),
                new Case(new String[] {"--set", "replay.policy=fifo"}, "replay.policy from --cases"),
                new Case(new String[] {"--set", "replay.ratio=0.3"}, "replay.ratio from --ratio"),
                new Case(new String[] {"--max-steps", "7"}, "trainer.max-steps from --images and"
                        + " --updates-per-sample"),
                new Case(new String[] {"--set", "snapshots.every-steps=9"}, "snapshots.every-steps from --phases"),
                new Case(new String[] {"--set", "eval.bank-size=300"}, "eval.bank-size from --train-n"));
        for (Case c : cases) {
            Run r = run(c.args());
            assertThat(r.exit()).as(String.join(" ", c.args())).isEqualTo(1);
            assertThat(r.err()).as(String.join(" ", c.args())).contains(c.message()).doesNotContain("Exception");
        }
        assertThat(dir.resolve("work")).as("nothing started").doesNotExist();
    }

    @Test
    void aMissingCifar10DirectoryIsNamedBeforeAnythingStarts() {
        Run r = run();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("CIFAR-10 not found at " + dir.resolve("cifar10").toAbsolutePath(), "--cifar10",
                "cifar-10-binary.tar.gz").doesNotContain("Exception");
        assertThat(dir.resolve("work")).doesNotExist();
        assertThat(Files.exists(dir.resolve("cifar10"))).isFalse();
    }

    @Test
    void helpNamesTheCasesTheBudgetAndTheOutputs() {
        Run r = QualityBenchmarkTest.run("bench", "continual", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out().replaceAll("\\s+", " ")).contains("class-incremental", "off", "fifo", "reservoir",
                "minred", "iid", "floor(N x U / batch)", "average forgetting", "--images", "--phases", "--cases",
                "--updates-per-sample", "--ratio", "--capacity", "--train-n", "--test-n", "--json", "--table",
                "--images 50000");
    }
}
