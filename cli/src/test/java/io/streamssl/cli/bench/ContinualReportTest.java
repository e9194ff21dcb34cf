package io.streamssl.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamssl.cli.bench.ContinualBenchmark.CaseResult;
import io.streamssl.cli.bench.ContinualBenchmark.Result;
import io.streamssl.models.encoder.EncoderSpec;
import io.streamssl.models.encoder.Stem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench continual}'s arithmetic and outputs, on hand-worked figures. */
class ContinualReportTest {

    private static final double NaN = Double.NaN;

    @TempDir
    Path dir;

    @Test
    void gapClosedIsTheBestPolicysShareOfTheDistanceFromOffToIid() {
        assertThat(ContinualReport.gapClosed(0.30, 0.36, 0.40)).isCloseTo(0.6, within(1e-12));
        assertThat(ContinualReport.gapClosed(0.30, 0.30, 0.40)).isZero();
        assertThat(ContinualReport.gapClosed(0.30, 0.40, 0.40)).isCloseTo(1.0, within(1e-12));
        assertThat(ContinualReport.gapClosed(0.30, 0.25, 0.40)).as("worse than off").isCloseTo(-0.5, within(1e-12));
        assertThat(ContinualReport.gapClosed(0.30, 0.45, 0.40)).as("better than iid").isCloseTo(1.5, within(1e-12));
        assertThat(ContinualReport.gapClosed(0.40, 0.45, 0.40)).as("no gap").isNaN();
        assertThat(ContinualReport.gapClosed(0.40, 0.45, 0.35)).as("iid below off").isNaN();
        assertThat(ContinualReport.gapClosed(NaN, 0.45, 0.50)).isNaN();
    }

    @Test
    void forgettingIsTheMeanOverClassesOfTheBestEarlierFigureMinusTheFinalOne() {
        // class 0: 0.5, 0.7, 0.6 -> 0.7 - 0.6 = 0.1; class 1: 0.2, 0.4, 0.1 -> 0.4 - 0.1 = 0.3; mean 0.2
        ForgettingOverPhases f = ForgettingOverPhases.of(new long[] {10, 20, 30}, new double[] {0.35, 0.55, 0.35},
                new double[][] {{0.5, 0.2}, {0.7, 0.4}, {0.6, 0.1}});
        assertThat(f.averageForgetting()).isCloseTo(0.2, within(1e-12));
        assertThat(f.knn200()).containsExactly(0.35, 0.55, 0.35);

        // better at the end than before: negative, not clamped; class 0: 0.5 - 0.6, class 1: 0.2 - 0.1
        ForgettingOverPhases skipped = ForgettingOverPhases.of(new long[] {10, 20, 30},
                new double[] {0.35, NaN, 0.35}, new double[][] {{0.5, 0.2}, null, {0.6, 0.1}});
        assertThat(skipped.averageForgetting()).as("the missing phase left out").isCloseTo(0.0, within(1e-12));
        assertThat(skipped.perClass()[1]).containsExactly(NaN, NaN);

        assertThat(ForgettingOverPhases.of(new long[] {10, 20}, new double[] {0.3, NaN},
                new double[][] {{0.5, 0.2}, null}).averageForgetting()).as("no final evaluation").isNaN();
        assertThat(ForgettingOverPhases.of(new long[] {10, 20}, new double[] {NaN, 0.3},
                new double[][] {null, {0.5, 0.2}}).averageForgetting()).as("a single evaluation").isNaN();
    }

    static CaseResult caseResult(ContinualCase c, double... phases) {
        double[][] perClass = new double[phases.length][];
        for (int p = 0; p < phases.length; p++) {
            perClass[p] = new double[] {phases[p] + 0.1, phases[p] - 0.1};
        }
        ForgettingOverPhases f = ForgettingOverPhases.of(new long[] {50, 100, 150}, phases, perClass);
        return new CaseResult(c, 150, 9600, phases[phases.length - 1], f.averageForgetting(),
                new long[] {50, 100, 150}, phases, f.perClass(), 123.4, "/w/" + c.cliName() + "/step-150");
    }

    static Result result(List<CaseResult> cases) {
        return new Result("simclr", new EncoderSpec("resnet18", Stem.CIFAR, 16), 64, 4800, 3, 2.0, 0.5, 960, 1000,
                1000, List.of(List.of(4, 3), List.of(7, 9)), cases,
                new SnapshotEvaluation.Scores("random-init", 0.2, 0.18, 0.21, 8.0), 9.6);
    }

    static Result fourCases() {
        return result(List.of(caseResult(ContinualCase.OFF, 0.25, 0.27, 0.30),
                caseResult(ContinualCase.FIFO, 0.26, 0.29, 0.33),
                caseResult(ContinualCase.MINRED, 0.26, 0.31, 0.36),
                caseResult(ContinualCase.IID, 0.30, 0.35, 0.40)));
    }

    @Test
    void theTableHasARowPerCaseTheRandomFloorAndTheGapTheBestPolicyCloses() {
        Result r = fourCases();
        assertThat(ContinualReport.bestPolicy(r)).get().extracting(c -> c.c()).isEqualTo(ContinualCase.MINRED);
        String table = ContinualReport.table(r);
        assertThat(table).contains("4800 training images (480 per class) streamed once in 3 phases",
                "updates-per-sample 2, replay ratio 0.5, capacity 960", "1000 bank / 1000 query",
                "kNN@200 after phase 1..3");
        assertThat(table.lines().filter(l -> l.startsWith("minred")).findFirst()).get().asString()
                .contains("150", "9600", "0.3600", "0.2600 0.3100 0.3600", "123");
        assertThat(table.lines().filter(l -> l.startsWith("random-init")).findFirst()).get().asString()
                .contains("0.1800");
        assertThat(table).contains("best policy (minred, 0.3600) closes 60.0 % of the gap between off (0.3000) and"
                + " iid (0.4000)");
    }

    @Test
    void withoutOffOrIidTheGapLineSaysWhatIsMissing() {
        Result r = result(List.of(caseResult(ContinualCase.FIFO, 0.26, 0.29, 0.33)));
        assertThat(ContinualReport.gapLine(r)).startsWith("gap: needs the off and iid cases");
        Result noGap = result(List.of(caseResult(ContinualCase.OFF, 0.3, 0.3, 0.4),
                caseResult(ContinualCase.RESERVOIR, 0.3, 0.3, 0.45), caseResult(ContinualCase.IID, 0.3, 0.3, 0.35)));
        assertThat(ContinualReport.gapLine(noGap)).isEqualTo("gap: iid (0.3500) is not above off (0.4000), so there"
                + " is no gap to close");
    }

    @Test
    void jsonCarriesEveryCasesPhasesAndTheGap() throws Exception {
        Result r = fourCases();
        JsonNode j = new ObjectMapper().readTree(ContinualReport.json(r));
        assertThat(j.get("benchmark").asText()).isEqualTo("continual");
        assertThat(j.get("images").asInt()).isEqualTo(4800);
        assertThat(j.get("class_order").toString()).isEqualTo("[[4,3],[7,9]]");
        assertThat(j.get("cases")).hasSize(4);
        JsonNode minred = j.get("cases").get(2);
        assertThat(minred.get("case").asText()).isEqualTo("minred");
        assertThat(minred.get("replay_policy").asText()).isEqualTo("minred");
        assertThat(minred.get("order").asText()).isEqualTo("class-incremental");
        assertThat(minred.get("final_knn_200").asDouble()).isEqualTo(0.36);
        assertThat(minred.at("/phases/1/step").asLong()).isEqualTo(100);
        assertThat(minred.at("/phases/1/knn_200_per_class/0").asDouble()).isCloseTo(0.41, within(1e-12));
        assertThat(minred.at("/phases/1/knn_200_per_class/1").asDouble()).isCloseTo(0.21, within(1e-12));
        // per class, best before the end (0.41, 0.21), at the end (0.46, 0.26): each gained 0.05, f = -0.05
        assertThat(minred.get("average_forgetting").asDouble()).isCloseTo(-0.05, within(1e-12));
        assertThat(j.get("cases").get(3).get("order").asText()).isEqualTo("iid");
        assertThat(j.get("best_policy").asText()).isEqualTo("minred");
        assertThat(j.get("gap_closed").asDouble()).isCloseTo(0.6, within(1e-12));
        assertThat(j.at("/random_init/knn_200").asDouble()).isEqualTo(0.18);
    }

    @Test
    void aMissingFigureIsNullInJsonAndNaInTheTable() throws Exception {
        Result r = result(List.of(caseResult(ContinualCase.OFF, 0.25, NaN, 0.30)));
        JsonNode off = new ObjectMapper().readTree(ContinualReport.json(r)).get("cases").get(0);
        assertThat(off.at("/phases/1/knn_200").isNull()).isTrue();
        assertThat(off.at("/phases/1/knn_200_per_class").toString()).isEqualTo("[null,null]");
        assertThat(ContinualReport.table(r)).contains("0.2500 n/a 0.3000");
    }

    @Test
    void markdownRowsGoUnderOneHeader() throws Exception {
        Path file = dir.resolve("sub/table.md");
        ContinualReport.appendRows(file, fourCases());
        ContinualReport.appendRows(file, fourCases());
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2 + 2 * 5);
        assertThat(lines.get(0)).startsWith("| case | images | U |");
        assertThat(lines.get(2)).isEqualTo("| off | 4,800 | 2 | 150 | 9,600 | 0.3000 | -0.0300 | 0.2500 / 0.2700 /"
                + " 0.3000 | 123 |");
        assertThat(lines.get(6)).isEqualTo("| random-init | | | 0 | 0 | 0.1800 | | | 10 |");
    }
}
