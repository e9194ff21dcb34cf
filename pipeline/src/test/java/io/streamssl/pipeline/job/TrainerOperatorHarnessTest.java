package io.streamssl.pipeline.job;

import static io.streamssl.pipeline.job.TrainerHarness.losses;
import static io.streamssl.pipeline.job.TrainerHarness.only;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.connectors.TrainerEvent;
import io.streamssl.connectors.event.CheckpointEvent;
import io.streamssl.connectors.event.FinalStateEvent;
import io.streamssl.connectors.event.MetricsEvent;
import io.streamssl.connectors.event.RestoredEvent;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.connectors.event.TrainedEvent;
import io.streamssl.connectors.event.TrainerEventReader;
import io.streamssl.connectors.event.TrainerRecord;
import io.streamssl.models.CapturedState;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.snapshot.SnapshotWriter;
import io.streamssl.pipeline.config.JobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer operator in Flink's operator test harness on RocksDB: train → checkpoint → close → restore into a
 * new operator → continue ends in the very state an uninterrupted run reaches, with the partial batch carried
 * through the checkpoint; and the events say so. BYOL on a width-8 ResNet-18, batch 4, 16 px: seconds.
 */
class TrainerOperatorHarnessTest {

    private static final int BATCH = 4;
    private static final int SIZE = 16;
    private static final String MODEL = "harness";

    @TempDir
    Path work;

    @Test
    void checkpointCloseRestoreContinueEqualsAnUninterruptedRun() throws Exception {
        List<TrainingSample> samples = samples(14); // 3 steps of 4, 2 left pending

        // ---- uninterrupted: 14 samples, checkpoint 1 after them
        List<TrainerRecord> straight;
        try (var harness = harness(config(work.resolve("straight")))) {
            harness.open();
            for (TrainingSample s : samples) {
                harness.processElement(s, 0);
            }
            harness.prepareSnapshotPreBarrier(1);
            harness.snapshot(1, 1);
            straight = records(harness.extractOutputValues());
        }

        // ---- interrupted: 10 samples (2 steps, 2 pending), checkpoint 1, close
        Path interruptedDir = work.resolve("interrupted");
        OperatorSubtaskState checkpoint;
        List<TrainerRecord> first;
        try (var harness = harness(config(interruptedDir))) {
            harness.open();
            for (TrainingSample s : samples.subList(0, 10)) {
                harness.processElement(s, 0);
            }
            harness.prepareSnapshotPreBarrier(1);
            checkpoint = harness.snapshot(1, 1);
            harness.notifyOfCompletedCheckpoint(1);
            first = records(harness.extractOutputValues());
        }
        CheckpointEvent checkpointed = only(first, CheckpointEvent.class);
        assertThat(checkpointed.checkpointId()).isEqualTo(1);
        assertThat(checkpointed.step()).isEqualTo(2);
        assertThat(checkpointed.pending()).as("partial batch in the checkpoint").isEqualTo(2);
        assertThat(checkpointed.stateBytes()).isPositive();
        // the snapshot of step 2 is announced with checkpoint 1, and LATEST names it once 1 completed
        SnapshotEvent announced = only(first, SnapshotEvent.class);
        assertThat(announced.step()).isEqualTo(2);
        assertThat(announced.checkpointId()).isEqualTo(1L);
        assertThat(Files.readString(interruptedDir.resolve("snapshots").resolve(SnapshotWriter.LATEST_FILE)).trim())
                .isEqualTo(SnapshotWriter.directoryName(2));

        // ---- restore into a new operator, continue with the last 4 samples
        List<TrainerRecord> second;
        try (var harness = harness(config(interruptedDir))) {
            harness.initializeState(checkpoint);
            harness.open();
            RestoredEvent restored = only(records(harness.extractOutputValues()), RestoredEvent.class);
            assertThat(restored.step()).as("step restored").isEqualTo(2);
            assertThat(restored.pending()).as("pending samples restored").isEqualTo(2);
            assertThat(restored.teacherSha256()).as("teacher restored").isEqualTo(checkpointed.teacherSha256());
            assertThat(restored.seedChangedFrom()).isNull();
            for (TrainingSample s : samples.subList(10, 14)) {
                harness.processElement(s, 0);
            }
            harness.prepareSnapshotPreBarrier(2);
            harness.snapshot(2, 2);
            second = records(harness.extractOutputValues());
        }

        // the restored run trained on the 2 restored samples first, then the new ones: the same batches
        assertThat(TrainerEventReader.select(second, null, TrainedEvent.class)).singleElement()
                .satisfies(t -> assertThat(t.ids()).containsExactly("s8", "s9", "s10", "s11"));
        assertThat(batches(first, second)).isEqualTo(batches(straight));
        // the same loss at each step, and every state tensor byte for byte at max-steps
        assertThat(losses(first, second)).isEqualTo(losses(straight));
        FinalStateEvent expected = only(straight, FinalStateEvent.class);
        FinalStateEvent actual = only(second, FinalStateEvent.class);
        assertThat(expected.tensorSha256().keySet()).anyMatch(k -> k.startsWith("teacher/"))
                .anyMatch(k -> k.startsWith("optimizer/")).anyMatch(k -> k.startsWith("probe/"));
        assertThat(actual.tensorSha256()).as("every state tensor (SHA-256)").isEqualTo(expected.tensorSha256());
        assertThat(only(second, CheckpointEvent.class).teacherSha256())
                .isEqualTo(only(straight, CheckpointEvent.class).teacherSha256());
        // 2 samples still pending in both, in checkpoint 2 and 1 respectively
        assertThat(only(second, CheckpointEvent.class).pending()).isEqualTo(2);
        assertThat(only(straight, CheckpointEvent.class).pending()).isEqualTo(2);
        // the max-steps snapshot (step 3) goes out with checkpoint 2
        assertThat(TrainerEventReader.select(second, null, SnapshotEvent.class)).singleElement()
                .satisfies(s -> assertThat(List.of(s.step(), s.checkpointId())).containsExactly(3L, 2L));
    }

    @Test
    void finishAnnouncesWhatNoBarrierDidAndThenEmitsNothing() throws Exception {
        Path dir = work.resolve("finish");
        List<TrainerRecord> out;
        var harness = harness(config(dir));
        try {
            harness.open();
            for (TrainingSample s : samples(8)) {
                harness.processElement(s, 0);
            }
            harness.prepareSnapshotPreBarrier(5);
            harness.snapshot(5, 5);
            harness.notifyOfCompletedCheckpoint(5);
            for (TrainingSample s : samples(12).subList(8, 12)) {
                harness.processElement(s, 0); // step 3 = max-steps: a snapshot no barrier announced yet
            }
        } finally {
            harness.close(); // finish(), then close()
        }
        out = records(harness.extractOutputValues());
        List<SnapshotEvent> snapshots = TrainerEventReader.select(out, null, SnapshotEvent.class);
        assertThat(snapshots).extracting(SnapshotEvent::step).containsExactly(2L, 3L);
        assertThat(snapshots.get(0).checkpointId()).isEqualTo(5L);
        assertThat(snapshots.get(1).checkpointId()).as("announced at the end of input: the final checkpoint commits")
                .isNull();
    }

    @Test
    void snapshotsThatCannotBeWrittenAreReportedAndTrainingGoesOn() throws Exception {
        Path dir = work.resolve("unwritable");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("snapshots"), "a file where the snapshot directory should be");
        List<TrainerRecord> out;
        try (var harness = harness(config(dir))) {
            harness.open();
            for (TrainingSample s : samples(12)) { // steps 1–3: snapshots at 2 and 3 fail
                harness.processElement(s, 0);
            }
            harness.prepareSnapshotPreBarrier(1);
            harness.snapshot(1, 1);
            harness.notifyOfCompletedCheckpoint(1);
            out = records(harness.extractOutputValues());
        }
        assertThat(TrainerEventReader.select(out, null, SnapshotEvent.class)).as("nothing announced").isEmpty();
        List<MetricsEvent> metrics = TrainerEventReader.select(out, null, MetricsEvent.class);
        assertThat(metrics).extracting(MetricsEvent::step).containsExactly(1L, 2L, 3L);
        assertThat(metrics).extracting(MetricsEvent::snapshotWriteFailures).containsExactly(0, 1, 1);
        assertThat(metrics.get(2).snapshotError()).contains("cannot write snapshot of step 3")
                .contains("FileAlreadyExistsException: " + dir.resolve("snapshots"));
        assertThat(metrics).extracting(MetricsEvent::snapshot).containsOnlyNulls();
        assertThat(only(out, FinalStateEvent.class).step()).as("trained to max-steps").isEqualTo(3);
        assertThat(Files.readString(dir.resolve("snapshots"))).startsWith("a file");
    }

    /**
     * The tensors are written after the barrier (Flink's asynchronous part; here, the harness's snapshot), while
     * the trainer may already train on: what the checkpoint holds is still the state at the barrier.
     */
    @Test
    void trainingBetweenTheBarrierAndTheWriteDoesNotChangeWhatIsCheckpointed() throws Exception {
        Path dir = work.resolve("late-write");
        List<TrainingSample> samples = samples(12);
        OperatorSubtaskState checkpoint;
        CheckpointEvent checkpointed;
        try (var harness = harness(config(dir))) {
            harness.open();
            for (TrainingSample s : samples.subList(0, 8)) {
                harness.processElement(s, 0);
            }
            harness.prepareSnapshotPreBarrier(1); // the capture: step 2
            for (TrainingSample s : samples.subList(8, 12)) {
                harness.processElement(s, 0); // step 3 trains before the checkpoint is written
            }
            checkpoint = harness.snapshot(1, 1);
            List<TrainerRecord> out = records(harness.extractOutputValues());
            checkpointed = only(out, CheckpointEvent.class);
            assertThat(TrainerEventReader.select(out, null, TrainedEvent.class)).hasSize(3);
        }
        assertThat(checkpointed.step()).isEqualTo(2);
        try (var harness = harness(config(dir))) {
            harness.initializeState(checkpoint);
            harness.open();
            RestoredEvent restored = only(records(harness.extractOutputValues()), RestoredEvent.class);
            assertThat(restored.step()).as("the step at the barrier, not the one trained after it").isEqualTo(2);
            assertThat(restored.teacherSha256()).as("teacher of the barrier").isEqualTo(checkpointed.teacherSha256());
        }
    }

    /** An aborted checkpoint's capture is freed at once; a write that would come after it fails, reading nothing. */
    @Test
    void anAbortedCheckpointFreesItsCaptureAndItsLateWriteFails() throws Exception {
        try (var harness = harness(config(work.resolve("aborted")))) {
            harness.open();
            for (TrainingSample s : samples(4)) {
                harness.processElement(s, 0);
            }
            harness.prepareSnapshotPreBarrier(1);
            harness.getOperator().notifyCheckpointAborted(1);
            assertThatThrownBy(() -> harness.snapshot(1, 1))
                    .hasStackTraceContaining("was released before this checkpoint wrote it");
            // the next checkpoint captures anew and is written
            harness.prepareSnapshotPreBarrier(2);
            assertThat(harness.snapshot(2, 2).getManagedOperatorState()).isNotEmpty();
        }
    }

    /**
     * A checkpoint of an earlier version kept the tensors in keyed state {@code trainer-tensors} and had no
     * operator state: it restores (with a warning), and the next checkpoint holds them in the new layout only.
     */
    @Test
    void aCheckpointWithTheTensorsInKeyedStateRestoresAndIsRewrittenInTheNewLayout() throws Exception {
        Path dir = work.resolve("legacy");
        List<TrainingSample> samples = samples(8);
        String expectedTeacher;
        OperatorSubtaskState legacy;
        try (SslTrainer elsewhere = new SslTrainer(config(dir).trainerSpec());
                var harness = harness(config(dir))) {
            elsewhere.step(BatchAssembler.assemble(samples.subList(0, BATCH)));
            try (CapturedState c = elsewhere.captureState()) {
                expectedTeacher = AuditEvents.teacherDigest(c.tensorData());
            }
            harness.open();
            // the layout of an earlier version, written by hand: tensors and counters in keyed state only
            harness.getOperator().setCurrentKey(MODEL);
            KeyedStateStore store = harness.getOperator().getKeyedStateStore();
            store.getMapState(legacyTensors()).putAll(elsewhere.exportState().tensors());
            store.getState(new ValueStateDescriptor<>(KeyedTrainingState.STATE_STEP, Types.LONG)).update(1L);
            store.getState(new ValueStateDescriptor<>(KeyedTrainingState.STATE_IMAGES, Types.LONG)).update(4L);
            legacy = harness.snapshot(1, 1); // no barrier through the trainer: the operator state has no element
        }

        OperatorSubtaskState rewritten;
        try (var harness = harness(config(dir))) {
            harness.initializeState(legacy);
            harness.open();
            RestoredEvent restored = only(records(harness.extractOutputValues()), RestoredEvent.class);
            assertThat(restored.step()).isEqualTo(1);
            assertThat(restored.teacherSha256()).as("the keyed tensors were loaded").isEqualTo(expectedTeacher);
            harness.prepareSnapshotPreBarrier(2);
            rewritten = harness.snapshot(2, 2);
        }
        try (var harness = harness(config(dir))) {
            harness.initializeState(rewritten);
            harness.getOperator().setCurrentKey(MODEL);
            assertThat(harness.getOperator().getKeyedStateStore().getMapState(legacyTensors()).isEmpty())
                    .as("the keyed tensors were dropped").isTrue();
            harness.open();
            RestoredEvent restored = only(records(harness.extractOutputValues()), RestoredEvent.class);
            assertThat(restored.step()).isEqualTo(1);
            assertThat(restored.teacherSha256()).as("now from operator state").isEqualTo(expectedTeacher);
        }
    }

    @Test
    void aGpuTheEngineCannotSeeFailsTheJobOnceWithWhatToInstall() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ai.djl.engine.Engine.getInstance().getGpuCount() == 0,
                "this machine has a GPU: the missing-GPU case cannot happen here");
        Map<String, String> c = new HashMap<>(config(work.resolve("gpu")).asMap());
        c.put("trainer.device", "gpu");
        try (var harness = harness(JobConfig.of(c))) {
            assertThatThrownBy(harness::open)
                    .isInstanceOf(org.apache.flink.runtime.execution.SuppressRestartsException.class)
                    .cause().hasMessageContaining("trainer.device=gpu").hasMessageContaining("STREAMSSL_LIBTORCH")
                    .hasMessageContaining("--gpu");
        }
    }

    private static MapStateDescriptor<String, byte[]> legacyTensors() {
        return new MapStateDescriptor<>(KeyedTrainingState.STATE_TENSORS, Types.STRING,
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    /** BYOL, ResNet-18 (CIFAR stem) at width 8, batch 4, 16 px; snapshot every 2 steps, max 3 steps. */
    private static JobConfig config(Path dir) {
        Map<String, String> c = TrainerHarness.byolConfig(MODEL, BATCH, SIZE, 3);
        c.put("snapshots.every-steps", "2");
        c.put("snapshots.dir", dir.resolve("snapshots").toString());
        c.put("checkpoints.dir", dir.resolve("checkpoints").toString());
        return JobConfig.of(c);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, TrainingSample, TrainerEvent> harness(
            JobConfig config) throws Exception {
        return TrainerHarness.open(config, "harness-run");
    }

    /** Two augmented 16 px views per image (random bytes), labels 0–9, a probe image for every other one. */
    private static List<TrainingSample> samples(int n) {
        Random random = new Random(7);
        List<TrainingSample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TrainingSample s = new TrainingSample();
            s.id = "s" + i;
            s.label = i % 10;
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

    /** The events decoded, each keyed by the model. */
    private static List<TrainerRecord> records(Iterable<TrainerEvent> elements) {
        elements.forEach(e -> assertThat(e.key).isEqualTo(MODEL));
        return TrainerHarness.records(elements);
    }

    @SafeVarargs
    private static Map<Long, String> batches(List<TrainerRecord>... runs) {
        Map<Long, String> out = new HashMap<>();
        for (List<TrainerRecord> run : runs) {
            TrainerEventReader.select(run, null, TrainedEvent.class)
                    .forEach(t -> out.put(t.step(), t.ids() + " " + t.batchSha256()));
        }
        return out;
    }
}
