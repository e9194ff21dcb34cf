package io.streamssl.pipeline.job;

import static io.streamssl.pipeline.job.TrainerHarness.only;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.connectors.DeadLetter;
import io.streamssl.connectors.TrainerEvent;
import io.streamssl.connectors.event.FinalStateEvent;
import io.streamssl.connectors.event.MetricsEvent;
import io.streamssl.connectors.event.TrainedEvent;
import io.streamssl.connectors.event.TrainerEventCodec;
import io.streamssl.connectors.event.TrainerEventReader;
import io.streamssl.connectors.event.TrainerRecord;
import io.streamssl.pipeline.config.JobConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch whose loss is NaN ({@code testing.poison-ids} sets a view to NaN on the device) in the trainer operator:
 * its images go to the dead-letter side output with reason {@code NON_FINITE_LOSS} and their source positions, the
 * metrics count the skipped step, and the run ends in exactly the state of a run that never saw that batch; too
 * many skipped steps in a row fail without restarts, naming the method and the learning rate. A label ≥
 * {@code probe.classes} is counted in {@code labels_out_of_range}. BYOL, width-8 ResNet-18, batch 4, 16 px.
 */
class TrainerOperatorNonFiniteLossTest {

    private static final int BATCH = 4;
    private static final int SIZE = 16;
    private static final String MODEL = "nan";

    @TempDir
    Path work;

    @Test
    void aPoisonedBatchIsDeadLetteredAndTrainingEndsAsIfItNeverCame() throws Exception {
        List<TrainingSample> all = samples(12); // batches s0-3, s4-7 (poisoned: s5), s8-11
        List<TrainingSample> clean = new ArrayList<>(all.subList(0, 4));
        clean.addAll(all.subList(8, 12));

        Run withoutPoison = run(config(work.resolve("clean"), "", 10), clean);
        Run poisoned = run(config(work.resolve("poisoned"), "s5", 10), all);

        assertThat(poisoned.deadLetters).extracting(d -> d.id).containsExactly("s4", "s5", "s6", "s7");
        assertThat(poisoned.deadLetters).allSatisfy(d -> {
            assertThat(d.reason).isEqualTo("NON_FINITE_LOSS");
            assertThat(d.stage).isEqualTo("trainer");
            assertThat(d.detail).contains("loss NaN at step 2 (byol", "byol", "learning rate");
        });
        assertThat(poisoned.deadLetters).extracting(d -> d.position)
                .containsExactly("images-0@4", "images-0@5", "images-0@6", "images-0@7");
        assertThat(withoutPoison.deadLetters).isEmpty();

        // the trained batches and their steps are those of the run without the poisoned batch
        assertThat(TrainerEventReader.select(poisoned.records, null, TrainedEvent.class))
                .extracting(t -> t.step() + " " + t.ids())
                .containsExactly("1 [s0, s1, s2, s3]", "2 [s8, s9, s10, s11]");
        List<MetricsEvent> metrics = TrainerEventReader.select(poisoned.records, null, MetricsEvent.class);
        assertThat(metrics).extracting(MetricsEvent::step).containsExactly(1L, 2L);
        assertThat(metrics).extracting(MetricsEvent::skippedSteps).as("skipped_steps per record").containsExactly(0L, 1L);
        assertThat(metrics).extracting(MetricsEvent::loss).allMatch(Double::isFinite);
        assertThat(metrics).extracting(MetricsEvent::loss)
                .isEqualTo(TrainerEventReader.select(withoutPoison.records, null, MetricsEvent.class).stream()
                        .map(MetricsEvent::loss).toList());
        // s9 has label 99999 with probe.classes = 10: counted in the record of step 2 (batch s8-11)
        assertThat(metrics).extracting(MetricsEvent::labelsOutOfRange).containsExactly(0L, 1L);

        // every state tensor (student, teacher, BN statistics, optimiser, probe) as if the batch never came
        FinalStateEvent expected = only(withoutPoison.records, FinalStateEvent.class);
        FinalStateEvent actual = only(poisoned.records, FinalStateEvent.class);
        assertThat(expected.tensorSha256().keySet()).anyMatch(k -> k.startsWith("teacher/") && k.contains("running"));
        assertThat(actual.tensorSha256()).isEqualTo(expected.tensorSha256());
    }

    @Test
    void tooManySkippedStepsInARowFailTheJobWithoutRestartsNamingMethodAndLearningRate() throws Exception {
        JobConfig config = config(work.resolve("diverged"), "s0,s4", 2);
        List<TrainingSample> samples = samples(8);
        try (var harness = harness(config)) {
            harness.open();
            for (TrainingSample s : samples.subList(0, 7)) {
                harness.processElement(s, 0);
            }
            assertThat(deadLetters(harness)).hasSize(4);
            assertThatThrownBy(() -> harness.processElement(samples.get(7), 0))
                    .isInstanceOf(SuppressRestartsException.class)
                    .rootCause().isInstanceOf(SkippedSteps.NonFiniteLossException.class)
                    .hasMessageContaining("2 steps in a row had a non-finite loss")
                    .hasMessageContaining("method byol")
                    .hasMessageMatching("(?s).* at learning rate \\d\\.\\d+(E-?\\d+)?: lower trainer.learning-rate.*")
                    .hasMessageContaining("trainer.max-consecutive-skipped-steps=2");
            assertThat(deadLetters(harness)).as("the second batch is dead-lettered before the job fails").hasSize(8);
        }
    }

    @Test
    void theLimitMustBeAtLeastOne() {
        assertThatThrownBy(() -> config(work, "", 0))
                .hasMessageContaining("'trainer.max-consecutive-skipped-steps' must be at least 1, got 0");
    }

    private record Run(List<TrainerRecord> records, List<DeadLetter> deadLetters) {}

    private Run run(JobConfig config, List<TrainingSample> samples) throws Exception {
        try (var harness = harness(config)) {
            harness.open();
            for (TrainingSample s : samples) {
                harness.processElement(s, 0);
            }
            List<TrainerRecord> records = new ArrayList<>();
            for (TrainerEvent e : harness.extractOutputValues()) {
                records.add(TrainerEventCodec.decode(e.json));
            }
            return new Run(records, deadLetters(harness));
        }
    }

    private static List<DeadLetter> deadLetters(
            KeyedOneInputStreamOperatorTestHarness<String, TrainingSample, TrainerEvent> harness) {
        var out = harness.getSideOutput(TrainerOperator.DEAD_LETTERS);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    }

    /** BYOL, width 8, batch 4, 16 px, max 2 steps, probe.classes 10, metrics after every step. */
    private static JobConfig config(Path dir, String poisonIds, int maxSkipped) {
        Map<String, String> c = TrainerHarness.byolConfig(MODEL, BATCH, SIZE, 2);
        c.put("trainer.max-consecutive-skipped-steps", Integer.toString(maxSkipped));
        c.put("testing.poison-ids", poisonIds);
        c.put("probe.classes", "10");
        c.put("snapshots.every-steps", "100");
        c.put("snapshots.dir", dir.resolve("snapshots").toString());
        c.put("checkpoints.dir", dir.resolve("checkpoints").toString());
        return JobConfig.of(c);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, TrainingSample, TrainerEvent> harness(
            JobConfig config) throws Exception {
        return TrainerHarness.open(config, "nan-run");
    }

    /** Random 16 px views, labels 0–8 but s9's 99999, a probe image for every other one, positions images-0@i. */
    private static List<TrainingSample> samples(int n) {
        Random random = new Random(7);
        List<TrainingSample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TrainingSample s = new TrainingSample();
            s.id = "s" + i;
            s.position = "images-0@" + i;
            s.label = i == 9 ? 99999 : i % 9;
            s.size = SIZE;
            s.views = 2;
            s.viewSizes = new int[] {SIZE, SIZE};
            s.pixels = new byte[2 * SIZE * SIZE * 3];
            random.nextBytes(s.pixels);
            if (i % 2 == 0) {
                s.probe = new byte[SIZE * SIZE * 3];
                random.nextBytes(s.probe);
            }
            out.add(s);
        }
        return out;
    }
}
