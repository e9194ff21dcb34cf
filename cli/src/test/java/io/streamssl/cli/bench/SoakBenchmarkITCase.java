package io.streamssl.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak's CI version (issue 13, item 6): 3 minutes of the real job on a tiny network (width 8, small heads,
 * batch 16) with checkpoints every 2 s and a producer at twice the trainer's rate (20 s of calibration, then
 * re-measured every minute). It
 * asserts the record accounting — exact at the end, dead letters exactly the corrupt records — and that the
 * memory and lag verdicts were computed; never the timing-dependent figures (rates, slopes, lag), which depend on
 * what else runs on the machine. Three minutes is the length; the run costs about 3.5 minutes of wall
 * clock (201.8 s and 206.7 s in two runs on a loaded 2-core machine), most of it the job training.
 */
class SoakBenchmarkITCase {

    @TempDir
    Path work;

    @Test
    void threeMinutesOfTheJobLoseNoRecordAndComputeTheVerdicts() throws Exception {
        SoakBenchmark.Settings settings = new SoakBenchmark.Settings(Duration.ofMinutes(3), Duration.ofMinutes(1),
                Duration.ofSeconds(2), 2.0, Duration.ofSeconds(20), 50, 2, 4,
                Map.of("trainer.device", "cpu", "trainer.width", "8", "trainer.batch-size", "16",
                        "method.projector-hidden", "128", "method.predictor-hidden", "128",
                        "method.projector-out", "32"), work);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SoakBenchmark.Result r;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            r = SoakBenchmark.run(settings, out);
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        System.out.println(r.verdict().describe());

        RecordAccounting.Balance end = r.finalBalance();
        assertThat(end.exact()).as("in = trained + dead + pending at the final cut: %s", end).isTrue();
        assertThat(end.in()).isEqualTo(end.trained() + end.dead() + end.pending());
        assertThat(end.trained()).as("images trained").isPositive();
        assertThat(end.dead()).as("the corrupt records consumed were dead-lettered").isPositive()
                .isEqualTo(r.verdict().expectedDead());
        assertThat(end.duplicates()).isZero();
        assertThat(r.verdict().noRecordLost()).isTrue();

        assertThat(r.samples()).hasSize(3);
        assertThat(r.verdict().memoryComputed()).as("memory slopes computed").isTrue();
        assertThat(r.verdict().heapAfterGc().points()).isGreaterThanOrEqualTo(2);
        for (SoakBenchmark.Sample s : r.samples()) { // the split, not its figures: heap + non-heap + native = RSS
            ProcessMemory m = s.memory();
            assertThat(m.heapAfterGcBytes()).isPositive().isLessThanOrEqualTo(m.heapCommittedBytes());
            if (m.rssBytes() >= 0) {
                assertThat(m.nativeBytes() + m.heapCommittedBytes() + m.nonHeapCommittedBytes())
                        .isEqualTo(m.rssBytes());
            }
        }
        assertThat(r.verdict().lagComputed()).as("records inside the job measured").isTrue();
        assertThat(r.producerRate()).isEqualTo(2.0 * r.trainerRate());
        assertThat(printed).contains("min", "forced full GC", "heap/GC", "heap com", "native", "direct", "RSS", "RocksDB", "ckpt dir", "lag", "producing");
        assertThat(r.verdict().describe()).contains("memory flat:", "lag bounded by backpressure:",
                "no record lost: yes", "verdict:");
    }
}
