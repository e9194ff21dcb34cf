package io.streamssl.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamssl.connectors.event.EventHeader;
import io.streamssl.connectors.event.MetricsEvent;
import io.streamssl.models.StepResult;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

class TrainerMetricsTest {

    private static final EventHeader H = new EventHeader("r", "m", 2, 64, 0, 0, Instant.EPOCH);
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    @Test
    void aRecordSummarisesItsWindowAndStartsANewOne() {
        TrainerMetrics metrics = new TrainerMetrics(clock::get);
        // two steps of 32 images, 0.5 s inside steps each; 8 of 16 and 12 of 16 probe images right
        metrics.add(new StepResult(1, 2.0f, 0.1f, Map.of("tau", 0.99), 16, 8, 32, 500_000_000L));
        metrics.add(new StepResult(2, 1.0f, 0.2f, Map.of("tau", 0.995), 16, 12, 32, 500_000_000L));
        clock.addAndGet(2_000_000_000L); // 2 s of wall clock
        MetricsEvent m = metrics.publish(H, "/s/step-2", false);
        assertThat(m.loss()).isEqualTo(1.5);
        assertThat(m.learningRate()).isEqualTo(0.2f);
        assertThat(m.scalars()).containsEntry("tau", 0.995);
        assertThat(m.imagesPerSecond()).isCloseTo(64 / 2.0, within(1e-9));
        assertThat(m.trainImagesPerSecond()).isCloseTo(64 / 1.0, within(1e-9));
        assertThat(m.probeAccuracy()).isEqualTo(20 / 32.0);
        assertThat(m.probeCount()).isEqualTo(32);
        assertThat(m.snapshot()).isEqualTo("/s/step-2");
        assertThat(m.header()).isSameAs(H);

        // the next window starts at the publish: one unlabelled step in 1 s
        metrics.add(new StepResult(3, 3.0f, 0.3f, Map.of(), 0, 0, 32, 250_000_000L));
        clock.addAndGet(1_000_000_000L);
        MetricsEvent next = metrics.publish(H, null, true);
        assertThat(next.loss()).isEqualTo(3.0);
        assertThat(next.imagesPerSecond()).isCloseTo(32.0, within(1e-9));
        assertThat(next.probeAccuracy()).as("no labelled images: no accuracy").isNull();
        assertThat(next.probeCount()).isZero();
        assertThat(next.finished()).isTrue();
    }

    @Test
    void aSkippedStepIsCountedApartAndEntersNoAverage() {
        Map<String, Counter> counters = new HashMap<>();
        TrainerMetrics metrics = new TrainerMetrics(clock::get);
        metrics.register(new UnregisteredMetricsGroup() {
            @Override
            public <C extends Counter> C counter(String name, C counter) {
                counters.put(name, counter);
                return counter;
            }
        }, () -> 1L, () -> 32L);
        metrics.add(new StepResult(1, 2.0f, 0.1f, Map.of(), 0, 0, 32, 500_000_000L));
        metrics.add(StepResult.skipped(1, Float.NaN, 0.2f, 32, 100_000_000L));
        metrics.addLabelsOutOfRange(3);
        clock.addAndGet(1_000_000_000L);
        MetricsEvent m = metrics.publish(H, null, false);
        assertThat(m.loss()).as("NaN of the skipped step left out").isEqualTo(2.0);
        assertThat(m.learningRate()).isEqualTo(0.1f);
        assertThat(m.imagesPerSecond()).as("only trained images").isCloseTo(32.0, within(1e-9));
        assertThat(m.skippedSteps()).isEqualTo(1);
        assertThat(m.labelsOutOfRange()).isEqualTo(3);
        assertThat(counters.get("skipped_steps").getCount()).isEqualTo(1);
        assertThat(counters.get("labels_out_of_range").getCount()).isEqualTo(3);

        metrics.add(new StepResult(2, 1.0f, 0.1f, Map.of(), 0, 0, 32, 500_000_000L));
        MetricsEvent next = metrics.publish(H, null, false);
        assertThat(next.skippedSteps()).as("per record, like the loss").isZero();
        assertThat(next.labelsOutOfRange()).isZero();
        assertThat(metrics.skippedSteps()).as("the counter since the start").isEqualTo(1);
    }

    @Test
    void labelsFromProbeClassesUpAreOutOfRange() {
        OutOfRangeLabels labels = new OutOfRangeLabels("m", 10);
        int[] values = {-1, 0, 9, 10, 99999, 3};
        java.util.List<TrainingSample> samples = new java.util.ArrayList<>();
        for (int v : values) {
            TrainingSample s = new TrainingSample();
            s.id = "i" + v;
            s.label = v;
            samples.add(s);
        }
        assertThat(labels.count(samples)).isEqualTo(2);
        assertThat(labels.count(samples.subList(0, 3))).isZero();
    }

    @Test
    void gaugesShowTheLatestValues() {
        Map<String, Gauge<?>> gauges = new HashMap<>();
        TrainerMetrics metrics = new TrainerMetrics(clock::get);
        metrics.register(new UnregisteredMetricsGroup() {
            @Override
            public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
                gauges.put(name, gauge);
                return gauge;
            }
        }, () -> 7L, () -> 224L);
        assertThat(gauges).containsOnlyKeys("step", "images", "loss", "learning_rate", "tau", "probe_accuracy",
                "images_per_second", "replay_buffer_size");
        assertThat((Double) gauges.get("loss").getValue()).isNaN();
        metrics.add(new StepResult(7, 0.5f, 0.25f, Map.of("tau", 0.9), 4, 3, 32, 1_000_000L));
        clock.addAndGet(1_000_000_000L);
        metrics.publish(H, null, false);
        assertThat(gauges.get("step").getValue()).isEqualTo(7L);
        assertThat(gauges.get("images").getValue()).isEqualTo(224L);
        assertThat(gauges.get("loss").getValue()).isEqualTo(0.5);
        assertThat(gauges.get("learning_rate").getValue()).isEqualTo(0.25);
        assertThat(gauges.get("tau").getValue()).isEqualTo(0.9);
        assertThat(gauges.get("probe_accuracy").getValue()).isEqualTo(0.75);
        assertThat((Double) gauges.get("images_per_second").getValue()).isCloseTo(32.0, within(1e-9));
        assertThat(gauges.get("replay_buffer_size").getValue()).isEqualTo(0);
    }

    @Test
    void aReplayWindowCarriesTheBufferSizeAndTheReplayedFraction() {
        TrainerMetrics metrics = new TrainerMetrics(clock::get);
        MetricsEvent plain = publishAfter(metrics, 32);
        assertThat(plain.scalars()).doesNotContainKeys("replay-buffer-size", "replayed-fraction");
        metrics.add(new StepResult(8, 0.5f, 0.25f, Map.of("tau", 0.9), 4, 3, 32, 1_000_000L));
        metrics.replay(40, 16);
        metrics.add(new StepResult(9, 0.5f, 0.25f, Map.of("tau", 0.9), 4, 3, 32, 1_000_000L));
        metrics.replay(48, 8);
        clock.addAndGet(1_000_000_000L);
        MetricsEvent m = metrics.publish(H, null, false);
        // 24 of the window's 64 images came from the buffer, which holds 48 after the last step
        assertThat(m.scalars()).containsEntry("replay-buffer-size", 48.0).containsEntry("replayed-fraction", 0.375)
                .containsEntry("tau", 0.9);
    }

    private MetricsEvent publishAfter(TrainerMetrics metrics, int images) {
        metrics.add(new StepResult(7, 0.5f, 0.25f, Map.of("tau", 0.9), 4, 3, images, 1_000_000L));
        clock.addAndGet(1_000_000_000L);
        return metrics.publish(H, null, false);
    }

    @Test
    void aFailedSnapshotWriteIsCountedAndInTheNextRecordOnly() {
        Map<String, Counter> counters = new HashMap<>();
        TrainerMetrics metrics = new TrainerMetrics(clock::get);
        metrics.register(new UnregisteredMetricsGroup() {
            @Override
            public <C extends Counter> C counter(String name, C counter) {
                counters.put(name, counter);
                return counter;
            }
        }, () -> 0L, () -> 0L);
        metrics.add(new StepResult(1, 1.0f, 0.1f, Map.of(), 0, 0, 32, 1_000_000L));
        metrics.snapshotWriteFailed("cannot write snapshot of step 1: No space left on device");
        metrics.snapshotWriteFailed("cannot write snapshot of step 2: No space left on device");
        MetricsEvent m = metrics.publish(H, null, false);
        assertThat(m.snapshotWriteFailures()).isEqualTo(2);
        assertThat(m.snapshotError()).isEqualTo("cannot write snapshot of step 2: No space left on device");
        metrics.add(new StepResult(2, 1.0f, 0.1f, Map.of(), 0, 0, 32, 1_000_000L));
        MetricsEvent next = metrics.publish(H, null, false);
        assertThat(next.snapshotWriteFailures()).isZero();
        assertThat(next.snapshotError()).isNull();
        assertThat(counters.get("snapshot_write_failures").getCount()).as("the counter keeps counting").isEqualTo(2);
    }

    @Test
    void publishingBeforeAnyStepIsAMistake() {
        assertThatThrownBy(() -> new TrainerMetrics(clock::get).publish(H, null, false))
                .hasMessageContaining("after a step");
    }
}
