package io.streamssl.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.connectors.ImageProducer;
import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.event.EvalEvent;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.connectors.event.TrainerEventReader;
import io.streamssl.models.eval.HeldOutEvaluation;
import io.streamssl.models.eval.LabeledPixels;
import io.streamssl.models.snapshot.SnapshotEncoder;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.eval.HeldOutImages;
import io.streamssl.pipeline.program.JobRunner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The job's held-out evaluator on real parts: a short run with {@code eval.topic} set publishes {@code eval}
 * records for committed snapshots only, the final snapshot's among them, and their figures are exactly what the
 * offline evaluation ({@code streamssl eval}'s code) computes for the same snapshot and images.
 */
class HeldOutEvalITCase extends PipelineITBase {

    private static final int BANK = 200;
    private static final int QUERIES = 100;

    @Test
    void evaluatesCommittedSnapshotsAsTheOfflineEvaluationDoes() throws Exception {
        kafka.createTopics(1, "heldout");
        ImageProducer.builder().setBootstrapServers(kafka.bootstrapServers()).optTopic("heldout")
                .setDataset(new GeneratedShapes(BANK + QUERIES, 7, 32)).optRepeat(1).build().run();
        PipelineFixture.produce(kafka, PipelineFixture.cifarOrGenerated(1024), 1024);

        Map<String, String> values = PipelineFixture.smallJob(kafka, work.resolve("eval-run"));
        values.put("trainer.max-steps", "20");
        values.put("eval.topic", "heldout");
        values.put("eval.bank-size", Integer.toString(BANK));
        values.put("eval.query-size", Integer.toString(QUERIES));
        values.put("eval.interval", "0 s");
        JobConfig config = JobConfig.of(values);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        JobRunner.Summary summary = new JobRunner(
                StreamExecutionEnvironment.getExecutionEnvironment(JobFlinkConfiguration.of(config)), config,
                "it-eval", new PrintStream(console, true, StandardCharsets.UTF_8)).run();
        String printed = console.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        System.out.println(summary.line());

        // the run waited for its final snapshot's figures and printed them
        assertThat(summary.evaluation()).isNotNull();
        assertThat(summary.evaluation().step()).isEqualTo(20);
        assertThat(printed).contains("eval step 20 | kNN@20 ").contains("kafka:heldout, 200 bank / 100 queries");

        List<EvalEvent> evals = PipelineFixture.events(kafka, "it-eval", EvalEvent.class, true);
        List<SnapshotEvent> committed = TrainerEventReader.select(
                PipelineFixture.readEvents(kafka, "snapshots", true), "it-eval", SnapshotEvent.class);
        assertThat(evals).as("committed eval records").isNotEmpty();
        assertThat(evals).extracting(EvalEvent::step).doesNotHaveDuplicates().contains(20L);
        for (EvalEvent e : evals) {
            // only snapshots whose announcement is committed, with the weights announced
            assertThat(committed).as("announcement of step %d", e.step()).anySatisfy(s -> {
                assertThat(s.step()).isEqualTo(e.step());
                assertThat(s.path()).isEqualTo(e.snapshot());
                assertThat(s.weightsSha256()).isEqualTo(e.weightsSha256());
                assertThat(s.checkpointId()).isEqualTo(e.checkpointId());
            });
            assertThat(e.bankCount()).isEqualTo(BANK);
            assertThat(e.queryCount()).isEqualTo(QUERIES);
            assertThat(e.knn200PerClass()).hasSize(10);
            assertThat(e.seconds()).isPositive();
        }

        // the same figures offline, bit for bit: the images streamssl eval would read and the code it runs
        HeldOutImages images = HeldOutImages.topic(kafka.bootstrapServers(), Map.of(), "heldout", 10, BANK, QUERIES,
                Duration.ofSeconds(30));
        List<LabeledPixels> bank = images.trainList(32);
        List<LabeledPixels> queries = images.testList(32);
        for (EvalEvent e : evals) {
            try (SnapshotEncoder encoder = SnapshotEncoder.load(Path.of(e.snapshot()))) {
                HeldOutEvaluation.Result offline = new HeldOutEvaluation(256).evaluate(encoder, bank.iterator(),
                        bank.size(), queries.iterator(), queries.size(), 10, HeldOutEvaluation.Progress.NONE);
                assertThat(e.knn20()).as("kNN@20 of step %d", e.step()).isEqualTo(offline.knn(20).top1());
                assertThat(e.knn200()).as("kNN@200 of step %d", e.step()).isEqualTo(offline.knn(200).top1());
                assertThat(e.linear()).as("linear of step %d", e.step()).isEqualTo(offline.linear().top1());
                assertThat(e.knn200PerClass()).isEqualTo(offline.knn(200).perClassAccuracy());
            }
        }
    }
}
