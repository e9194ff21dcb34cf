package io.streamssl.pipeline.job;

import static io.streamssl.pipeline.job.TrainerHarness.losses;
import static io.streamssl.pipeline.job.TrainerHarness.only;
import static io.streamssl.pipeline.job.TrainerHarness.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.connectors.TrainerEvent;
import io.streamssl.connectors.decode.RgbImage;
import io.streamssl.connectors.event.CheckpointEvent;
import io.streamssl.connectors.event.FinalStateEvent;
import io.streamssl.connectors.event.MetricsEvent;
import io.streamssl.connectors.event.RestoredEvent;
import io.streamssl.connectors.event.TrainedEvent;
import io.streamssl.connectors.event.TrainerEventReader;
import io.streamssl.connectors.event.TrainerRecord;
import io.streamssl.pipeline.augment.AugmentationPresets;
import io.streamssl.pipeline.augment.MultiViewAugmenter;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The trainer with a replay buffer in Flink's operator test harness on RocksDB: a run checkpointed mid-way (with a
 * partial batch and a record waiting to meet the admission rule), closed, restored into a new operator and
 * continued trains on the very batches an uninterrupted run trains on and ends with the same tensors and the same
 * buffer (digest); and the mix is the configured one: with {@code replay.ratio=0.5} and
 * {@code replay.updates-per-sample=2} every record is trained once fresh and pays for exactly one replay, and each
 * replay of an image is its next use. BYOL on a width-8 ResNet-18, batch 4, 16 px, a buffer of 8: seconds.
 */
class TrainerOperatorReplayHarnessTest {

    private static final int BATCH = 4;
    private static final int SIZE = 16;
    private static final int CAPACITY = 8;
    private static final int STEPS = 12;
    /** Step 1 takes records 0 and 1 twice each (nothing to replay yet); each later step 2 records, + 1 replay each. */
    private static final int RECORDS = 2 + 2 * (STEPS - 1);
    /** The interrupted run's checkpoint: after record 10, so 2 samples pending and record 10 waiting. */
    private static final int CHECKPOINT_AFTER = 11;
    private static final String MODEL = "replay-harness";

    @TempDir
    Path work;
    private int operators;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"minred", "reservoir", "fifo"})
    void checkpointRestoreContinueEqualsAnUninterruptedRunAndTheMixIsTheConfiguredOne(String policy)
            throws Exception {
        JobConfig config = config(policy);
        List<TrainingSample> records = samples(config, RECORDS);

        // ---- uninterrupted
        List<TrainerRecord> straight;
        try (var harness = harness(config)) {
            harness.open();
            for (TrainingSample s : records) {
                harness.processElement(s, 0);
            }
            harness.prepareSnapshotPreBarrier(2);
            harness.snapshot(2, 2);
            straight = records(harness.extractOutputValues());
        }

        // ---- interrupted: checkpoint 1 after record 10, close, restore into a new operator, continue
        OperatorSubtaskState checkpoint;
        List<TrainerRecord> first;
        try (var harness = harness(config)) {
            harness.open();
            for (TrainingSample s : records.subList(0, CHECKPOINT_AFTER)) {
                harness.processElement(s, 0);
            }
            harness.prepareSnapshotPreBarrier(1);
            checkpoint = harness.snapshot(1, 1);
            harness.notifyOfCompletedCheckpoint(1);
            // trained on after the barrier: not in the checkpoint, and lost with the operator
            harness.processElement(records.get(CHECKPOINT_AFTER), 0);
            first = records(harness.extractOutputValues());
        }
        CheckpointEvent checkpointed = only(first, CheckpointEvent.class);
        assertThat(checkpointed.step()).isEqualTo(5);
        assertThat(checkpointed.pending()).as("record 10's fresh sample and its replay").isEqualTo(2);
        assertThat(checkpointed.replayBufferSha256()).as("buffer digest with metrics.trained-ids").isNotBlank();

        List<TrainerRecord> second;
        try (var harness = harness(config)) {
            harness.initializeState(checkpoint);
            harness.open();
            RestoredEvent restored = only(records(harness.extractOutputValues()), RestoredEvent.class);
            assertThat(restored.step()).isEqualTo(5);
            assertThat(restored.pending()).isEqualTo(2);
            assertThat(restored.teacherSha256()).isEqualTo(checkpointed.teacherSha256());
            assertThat(restored.replayBufferSha256()).as("the buffer as it went into checkpoint 1")
                    .isEqualTo(checkpointed.replayBufferSha256());
            for (TrainingSample s : records.subList(CHECKPOINT_AFTER, RECORDS)) {
                harness.processElement(s, 0);
            }
            harness.prepareSnapshotPreBarrier(2);
            harness.snapshot(2, 2);
            second = records(harness.extractOutputValues());
        }

        // the same batches (ids, use counts, bytes seen) and losses step by step, the same tensors and buffer
        Map<Long, String> expectedBatches = batches(straight);
        assertThat(expectedBatches).hasSize(STEPS);
        Map<Long, String> resumedBatches = batches(second);
        resumedBatches.putAll(batches(first.subList(0, first.indexOf(checkpointed))));
        assertThat(resumedBatches).isEqualTo(expectedBatches);
        Map<Long, Double> resumedLosses = losses(second);
        resumedLosses.putAll(losses(first.subList(0, first.indexOf(checkpointed))));
        assertThat(resumedLosses).isEqualTo(losses(straight));
        Map<String, String> expected = only(straight, FinalStateEvent.class).tensorSha256();
        assertThat(expected.keySet()).contains(AuditEvents.REPLAY_BUFFER_DIGEST).anyMatch(k -> k.startsWith("teacher/"));
        assertThat(only(second, FinalStateEvent.class).tensorSha256()).as("tensors and replay buffer (SHA-256)")
                .isEqualTo(expected);
        assertThat(only(second, CheckpointEvent.class).replayBufferSha256()).as("buffer at the last checkpoint")
                .isEqualTo(only(straight, CheckpointEvent.class).replayBufferSha256());

        assertTheMix(TrainerEventReader.select(straight, null, TrainedEvent.class), policy);
        // the buffer fills to its capacity (2 records admitted after each step), then holds it
        Map<Long, Double> bufferSize = new TreeMap<>();
        TrainerEventReader.select(straight, null, MetricsEvent.class)
                .forEach(m -> bufferSize.put(m.step(), m.scalars().get("replay-buffer-size")));
        for (long step = 1; step <= STEPS; step++) {
            assertThat(bufferSize.get(step)).as("buffer size after step " + step)
                    .isEqualTo((double) Math.min(CAPACITY, 2 * step));
        }
    }

    /**
     * A buffer restored under other settings: a larger capacity takes it as it is; a smaller one, or minred over a
     * buffer kept without embeddings, fails at the restore naming the key, instead of failing later or silently
     * holding more than the capacity.
     */
    @Test
    void aCheckpointedBufferRestoresOnlyUnderSettingsThatCanHoldIt() throws Exception {
        JobConfig fifo = config("fifo");
        OperatorSubtaskState checkpoint;
        try (var harness = harness(fifo)) {
            harness.open();
            for (TrainingSample s : samples(fifo, RECORDS).subList(0, CHECKPOINT_AFTER)) {
                harness.processElement(s, 0); // 5 steps: the buffer holds its 8
            }
            harness.prepareSnapshotPreBarrier(1);
            checkpoint = harness.snapshot(1, 1);
        }
        try (var harness = harness(config("fifo", 2 * CAPACITY))) {
            harness.initializeState(checkpoint);
            harness.open();
            assertThat(only(records(harness.extractOutputValues()), RestoredEvent.class).step()).isEqualTo(5);
        }
        try (var harness = harness(config("fifo", CAPACITY / 2))) {
            assertThatThrownBy(() -> harness.initializeState(checkpoint))
                    .hasStackTraceContaining("the checkpoint holds 8 samples, more than replay.capacity=4");
        }
        try (var harness = harness(config("minred"))) {
            assertThatThrownBy(() -> harness.initializeState(checkpoint))
                    .hasStackTraceContaining("replay.policy=minred needs them");
        }
    }

    /**
     * 0.5 × 2: step 1 trains records 0 and 1 twice each (uses 0 and 1: the buffer is empty, the budget goes to the
     * record); from step 2 on every record is trained once fresh (use 0) and buys one replay: half of every batch,
     * exactly. Each time an image is trained its use count is one more than the time before.
     */
    private static void assertTheMix(List<TrainedEvent> trained, String policy) {
        assertThat(trained).hasSize(STEPS);
        TrainedEvent firstStep = trained.get(0);
        assertThat(firstStep.ids()).containsExactly("r0", "r0", "r1", "r1");
        assertThat(firstStep.uses()).containsExactly(0, 1, 0, 1);
        assertThat(firstStep.replayed()).isZero();
        int fresh = 0;
        int replayed = 0;
        Map<String, Integer> lastUse = new HashMap<>();
        for (TrainedEvent t : trained) {
            for (int i = 0; i < t.ids().size(); i++) {
                String id = t.ids().get(i);
                int use = t.uses().get(i);
                assertThat(use).as("use of " + id + " at step " + t.step()).isEqualTo(lastUse.getOrDefault(id, -1) + 1);
                lastUse.put(id, use);
            }
            if (t.step() == 1) {
                continue;
            }
            // records 2k−2 and 2k−1, each followed by the replay it paid for
            int r = 2 * (int) t.step() - 2;
            assertThat(t.ids().get(0)).isEqualTo("r" + r);
            assertThat(t.ids().get(2)).isEqualTo("r" + (r + 1));
            assertThat(List.of(t.uses().get(0), t.uses().get(2))).as("fresh uses at step " + t.step())
                    .containsExactly(0, 0);
            assertThat(t.replayed()).as("replayed samples at step " + t.step()).isEqualTo(2);
            for (int i : new int[] {1, 3}) {
                int replayedRecord = Integer.parseInt(t.ids().get(i).substring(1));
                // drawn before step t: from the records admitted after steps 1 … t − 1
                assertThat(replayedRecord).as("replay at step " + t.step()).isLessThan(r);
                if (policy.equals("fifo")) {
                    assertThat(replayedRecord).as("fifo keeps the newest " + CAPACITY).isGreaterThanOrEqualTo(
                            r - CAPACITY);
                }
            }
            fresh += 2;
            replayed += t.replayed();
        }
        assertThat(replayed).as("replayed share after step 1: the configured 0.5")
                .isEqualTo(fresh).isEqualTo(2 * (STEPS - 1));
    }

    private static JobConfig config(String policy) {
        return config(policy, CAPACITY);
    }

    private static JobConfig config(String policy, int capacity) {
        Map<String, String> c = TrainerHarness.byolConfig(MODEL, BATCH, SIZE, STEPS);
        c.put("snapshots.every-steps", "1000");
        c.put("replay.policy", policy);
        c.put("replay.capacity", Integer.toString(capacity));
        c.put("replay.ratio", "0.5");
        c.put("replay.updates-per-sample", "2");
        return JobConfig.of(c);
    }

    private KeyedOneInputStreamOperatorTestHarness<String, TrainingSample, TrainerEvent> harness(JobConfig config)
            throws Exception {
        // each operator writes its max-steps snapshot to a directory of its own
        JobConfig own = config.with(Map.of("snapshots.dir", work.resolve("snapshots-" + ++operators).toString()));
        return TrainerHarness.open(own, "replay-harness-run");
    }

    /** Records r0, r1, … as the decode/augment stage makes them with reuse on: views and the image at 16 px. */
    private static List<TrainingSample> samples(JobConfig config, int n) {
        MultiViewAugmenter augmenter = AugmentationPresets.forViewPlan(config.viewPlan(),
                config.get(StreamsslOptions.SEED));
        Random random = new Random(11);
        List<TrainingSample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] pixels = new byte[20 * 20 * 3];
            random.nextBytes(pixels);
            RgbImage image = new RgbImage(20, 20, pixels);
            String id = "r" + i;
            out.add(TrainingSample.of(id, "images-0@" + i, i % 10, 0, SIZE, augmenter.viewSizes(),
                    augmenter.apply(image, id, 0), ProbeView.of(image, SIZE)));
        }
        return out;
    }

    private static Map<Long, String> batches(List<TrainerRecord> run) {
        Map<Long, String> out = new TreeMap<>();
        TrainerEventReader.select(run, null, TrainedEvent.class)
                .forEach(t -> out.put(t.step(), t.ids() + " " + t.uses() + " " + t.replayed() + " " + t.batchSha256()));
        return out;
    }
}
