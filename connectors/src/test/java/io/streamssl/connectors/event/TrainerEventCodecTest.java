package io.streamssl.connectors.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.connectors.TrainerEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The wire format of every event kind, field by field as the README lists them, and back. */
class TrainerEventCodecTest {

    private static final EventHeader H = new EventHeader("run-1", "m", 12, 384, 1, 2,
            Instant.parse("2026-01-02T03:04:05.678Z"));
    private static final String HEAD = "{\"event\":\"%s\",\"run_id\":\"run-1\",\"model\":\"m\",\"step\":12,"
            + "\"images\":384,\"epoch\":1,\"attempt\":2,\"ts\":\"2026-01-02T03:04:05.678Z\",";

    @Test
    void metricsRecord() {
        Map<String, Double> scalars = new LinkedHashMap<>();
        scalars.put("tau", 0.996);
        MetricsEvent m = new MetricsEvent(H, 1.25, 0.1f, scalars, 50.5, 80.0, 0.375, 32, "/s/step-000000010", false);
        assertRoundTrip(m, HEAD.formatted("metrics") + "\"loss\":1.25,\"learning_rate\":0.1,\"tau\":0.996,"
                + "\"images_per_s\":50.5,\"train_images_per_s\":80.0,\"probe_acc\":0.375,\"probe_n\":32,"
                + "\"skipped_steps\":0,\"labels_out_of_range\":0,\"snapshot\":\"/s/step-000000010\",\"finished\":false}");
        // no probe labels: probe_acc is null; no snapshot yet: the field is left out
        MetricsEvent bare = new MetricsEvent(H, 1.25, 0.1f, Map.of(), 50.5, 80.0, null, 0, null, true);
        assertRoundTrip(bare, HEAD.formatted("metrics") + "\"loss\":1.25,\"learning_rate\":0.1,"
                + "\"images_per_s\":50.5,\"train_images_per_s\":80.0,\"probe_acc\":null,\"probe_n\":0,"
                + "\"skipped_steps\":0,\"labels_out_of_range\":0,\"finished\":true}");
        MetricsEvent skipping = new MetricsEvent(H, 1.25, 0.1f, Map.of(), 50.5, 80.0, null, 0, null, false, 2, 7, 0,
                null);
        assertRoundTrip(skipping, HEAD.formatted("metrics") + "\"loss\":1.25,\"learning_rate\":0.1,"
                + "\"images_per_s\":50.5,\"train_images_per_s\":80.0,\"probe_acc\":null,\"probe_n\":0,"
                + "\"skipped_steps\":2,\"labels_out_of_range\":7,\"finished\":false}");
        // a record written before these fields existed reads as nothing skipped
        String old = HEAD.formatted("metrics") + "\"loss\":1.25,\"learning_rate\":0.1,\"images_per_s\":50.5,"
                + "\"train_images_per_s\":80.0,\"probe_acc\":null,\"probe_n\":0,\"finished\":true}";
        assertThat(TrainerEventCodec.decode(old)).isEqualTo(bare);
    }

    @Test
    void aFailedSnapshotWriteIsInTheMetricsRecord() {
        MetricsEvent m = new MetricsEvent(H, 1.25, 0.1f, Map.of(), 50.5, 80.0, null, 0, "/s/step-000000010", false,
                0, 0, 2, "cannot write snapshot of step 12 under /s: No space left on device");
        assertRoundTrip(m, HEAD.formatted("metrics") + "\"loss\":1.25,\"learning_rate\":0.1,"
                + "\"images_per_s\":50.5,\"train_images_per_s\":80.0,\"probe_acc\":null,\"probe_n\":0,"
                + "\"skipped_steps\":0,\"labels_out_of_range\":0,"
                + "\"snapshot\":\"/s/step-000000010\",\"finished\":false,\"snapshot_write_failures\":2,"
                + "\"snapshot_error\":\"cannot write snapshot of step 12 under /s: No space left on device\"}");
        assertThat(((MetricsEvent) TrainerEventCodec.decode(TrainerEventCodec.encode(m))).scalars())
                .as("not taken for a method scalar").isEmpty();
    }

    @Test
    void snapshotAnnouncementGoesToTheSnapshotsTopic() {
        SnapshotEvent s = new SnapshotEvent(H, "/s/step-000000012", "byol", "ab12", 7L);
        assertRoundTrip(s, HEAD.formatted("snapshot") + "\"path\":\"/s/step-000000012\",\"method\":\"byol\","
                + "\"weights_sha256\":\"ab12\",\"checkpoint_id\":7}");
        TrainerEvent element = TrainerEventCodec.toStreamElement(s);
        assertThat(element.kind).isEqualTo(TrainerEvent.SNAPSHOT);
        assertThat(element.key).isEqualTo("m");
        assertThat(element.json).isEqualTo(TrainerEventCodec.encode(s));
        assertThat(TrainerEventCodec.toStreamElement(new RestoredEvent(H, "cd", 3, null)).kind)
                .isEqualTo(TrainerEvent.METRICS);
    }

    @Test
    void auditRecords() {
        assertRoundTrip(new CheckpointEvent(H, 7, "cd34", 1_000_000L, 5, 42), HEAD.formatted("checkpoint")
                + "\"checkpoint_id\":7,\"teacher_sha256\":\"cd34\",\"state_bytes\":1000000,\"pending\":5,"
                + "\"copy_ms\":42}");
        assertRoundTrip(new RestoredEvent(H, "cd34", 5, null), HEAD.formatted("restored")
                + "\"teacher_sha256\":\"cd34\",\"pending\":5}");
        assertRoundTrip(new RestoredEvent(H, "cd34", 5, 7L), HEAD.formatted("restored")
                + "\"teacher_sha256\":\"cd34\",\"pending\":5,\"seed_changed_from\":7}");
        // with a replay buffer: its digest at the checkpoint and as restored
        assertRoundTrip(new CheckpointEvent(H, 7, "cd34", 1_000_000L, 5, 42, "9f"), HEAD.formatted("checkpoint")
                + "\"checkpoint_id\":7,\"teacher_sha256\":\"cd34\",\"state_bytes\":1000000,\"pending\":5,"
                + "\"copy_ms\":42,\"replay_buffer_sha256\":\"9f\"}");
        assertRoundTrip(new RestoredEvent(H, "cd34", 5, null, "9f"), HEAD.formatted("restored")
                + "\"teacher_sha256\":\"cd34\",\"pending\":5,\"replay_buffer_sha256\":\"9f\"}");
        assertThat(new RestoredEvent(H, "cd34", 5, null).replayBufferSha256()).as("no buffer").isNull();
        TreeMap<String, String> digests = new TreeMap<>(Map.of("teacher/w", "01", "student/w", "02"));
        assertRoundTrip(new FinalStateEvent(H, digests, 2, 64), HEAD.formatted("final-state")
                + "\"tensor_sha256\":{\"student/w\":\"02\",\"teacher/w\":\"01\"},\"tensors\":2,\"state_bytes\":64}");
        assertRoundTrip(new TrainedEvent(H, List.of("a", "b"), List.of(0L, 1L), "ef"), HEAD.formatted("trained")
                + "\"ids\":[\"a\",\"b\"],\"epochs\":[0,1],\"batch_sha256\":\"ef\",\"uses\":[0,0],\"replayed\":0}");
        assertRoundTrip(new TrainedEvent(H, List.of("a", "b", "c"), List.of(0L, 0L, 0L), "ef", List.of(0, 3, 1), 1),
                HEAD.formatted("trained") + "\"ids\":[\"a\",\"b\",\"c\"],\"epochs\":[0,0,0],\"batch_sha256\":\"ef\","
                + "\"uses\":[0,3,1],\"replayed\":1}");
    }

    @Test
    void evalRecordGoesToTheMetricsTopicWithItsPerClassFigures() {
        EvalEvent e = new EvalEvent(H, "/s/step-000000012", "ab12", 7L, "cifar10", 5000, 1000, 0.3125, 0.29, 0.35,
                new double[] {0.5, Double.NaN, 0.25}, 12.5);
        assertRoundTrip(e, HEAD.formatted("eval") + "\"snapshot\":\"/s/step-000000012\",\"weights_sha256\":\"ab12\","
                + "\"checkpoint_id\":7,\"data\":\"cifar10\",\"bank_n\":5000,\"query_n\":1000,\"knn_20\":0.3125,"
                + "\"knn_200\":0.29,\"linear\":0.35,\"knn_200_per_class\":[0.5,null,0.25],\"eval_s\":12.5}");
        assertThat(TrainerEventCodec.toStreamElement(e).kind).isEqualTo(TrainerEvent.METRICS);
        assertThat(((EvalEvent) TrainerEventCodec.decode(TrainerEventCodec.encode(e))).knn200PerClass()[1]).isNaN();
    }

    @Test
    void everyKindHasItsRecordTypeAndOneWireName() {
        for (EventKind k : EventKind.values()) {
            assertThat(EventKind.ofWireName(k.wireName())).isSameAs(k);
        }
        assertThat(EventKind.FINAL_STATE.wireName()).isEqualTo("final-state");
        assertThat(EventKind.FINAL_STATE.recordType()).isEqualTo(FinalStateEvent.class);
    }

    @Test
    void badRecordsAreRejectedNamingTheProblem() {
        assertThatThrownBy(() -> TrainerEventCodec.decode("{\"event\":\"lunch\"}"))
                .hasMessageContaining("unknown trainer event 'lunch'").hasMessageContaining("final-state");
        String noTeacher = HEAD.formatted("restored") + "\"pending\":5}";
        assertThatThrownBy(() -> TrainerEventCodec.decode(noTeacher)).hasMessageContaining("'teacher_sha256'");
        assertThatThrownBy(() -> TrainerEventCodec.decode("not json")).isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertRoundTrip(TrainerRecord record, String json) {
        assertThat(TrainerEventCodec.encode(record)).isEqualTo(json);
        assertThat(TrainerEventCodec.decode(json)).isEqualTo(record);
    }
}
