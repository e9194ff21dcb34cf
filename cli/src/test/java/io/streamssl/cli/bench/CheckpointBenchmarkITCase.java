package io.streamssl.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's plumbing on a tiny case (width 8, small heads, a few seconds per phase): the broker, the
 * backlog producer, both MiniCluster phases, Flink's REST statistics and the table. An ITCase: it starts a broker
 * and two clusters and loads libtorch.
 */
class CheckpointBenchmarkITCase {

    @TempDir
    Path work;

    @Test
    void aTinyCaseReportsCompletedCheckpointsAndBothThroughputs() throws Exception {
        CheckpointBenchmark.Settings settings = new CheckpointBenchmark.Settings(8, 16, 32, Duration.ofSeconds(4), 1,
                Duration.ofMillis(500), Map.of("trainer.device", "cpu", "method.projector-hidden", "128",
                        "method.predictor-hidden", "128", "method.projector-out", "32"), Map.of(), work);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<CheckpointBenchmark.CaseResult> results;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            results = CheckpointBenchmark.run(List.of(CheckpointBenchmark.namedCase("byol-r18")), settings, out);
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(printed);

        assertThat(results).hasSize(1);
        CheckpointBenchmark.CaseResult r = results.get(0);
        CheckpointBenchmark.Phase on = r.withCheckpoints();
        // the first checkpoint of the job: a full one, of real RocksDB files, recorded by Flink
        assertThat(on.firstCheckpoint()).as("a completed checkpoint in Flink's statistics").isPresent();
        FlinkCheckpointStats.Completed first = on.firstCheckpoint().get();
        assertThat(first.stateSize()).isPositive();
        assertThat(first.checkpointedSize()).isPositive();
        assertThat(first.endToEndMs()).isPositive();
        assertThat(on.tensorBytes()).as("bytes of the tensors the trainer copied into state").isPositive();
        assertThat(on.counts()).hasValueSatisfying(n -> assertThat(n.completed()).isPositive());
        assertThat(on.throughput().imagesPerSecond()).isPositive();
        assertThat(on.throughput().inStepImagesPerSecond()).isGreaterThanOrEqualTo(on.throughput().imagesPerSecond());
        assertThat(on.throughput().seconds()).isGreaterThanOrEqualTo(4);
        assertThat(on.throughput().fromStep()).isGreaterThanOrEqualTo(1);

        CheckpointBenchmark.Phase off = r.withoutCheckpoints();
        assertThat(off.throughput().imagesPerSecond()).isPositive();
        assertThat(off.measuredCheckpoints()).isEmpty();
        assertThat(off.counts()).isEmpty();
        assertThat(r.ratio()).isPositive();

        assertThat(printed).contains("[byol-r18 | checkpoints every 0.5 s] step", "measuring 4 s",
                "Flink: checkpointing disabled", "ratio");
        assertThat(CheckpointBenchmark.table(results, settings)).contains("byol-r18", "full / incr.", "ratio",
                "ckpt 0.5 s");
        // each phase's checkpoints, snapshots and RocksDB files are gone with its directory
        try (Stream<Path> left = Files.list(work)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith("bench-"));
        }
    }
}
