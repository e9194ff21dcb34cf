package io.streamssl.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.connectors.event.CheckpointEvent;
import io.streamssl.connectors.event.EventHeader;
import io.streamssl.connectors.event.FinalStateEvent;
import io.streamssl.connectors.event.TrainedEvent;
import io.streamssl.models.TrainingState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AuditEventsTest {

    private static final EventHeader H = new EventHeader("r", "m", 3, 96, 1, 0, Instant.EPOCH);

    private static TrainingState state() {
        TreeMap<String, byte[]> t = new TreeMap<>();
        t.put("student/w", new byte[] {1, 2, 3, 4});
        t.put("teacher/b", new byte[] {5, 6, 7, 8});
        t.put("teacher/w", new byte[] {9, 10, 11, 12});
        return new TrainingState(3, 96, t);
    }

    private static String sha256(byte[]... parts) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (byte[] p : parts) {
            sha.update(p);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    @Test
    void teacherDigestCoversTheTeachersNamesAndBytesInNameOrder() throws Exception {
        String expected = sha256("teacher/b".getBytes(StandardCharsets.UTF_8), new byte[] {5, 6, 7, 8},
                "teacher/w".getBytes(StandardCharsets.UTF_8), new byte[] {9, 10, 11, 12});
        assertThat(AuditEvents.teacherDigest(data(state()))).isEqualTo(expected);
        CheckpointEvent c = AuditEvents.checkpoint(H, 9, data(state()), state().tensorBytes(), 5, 17, "b0");
        assertThat(c.teacherSha256()).isEqualTo(expected);
        assertThat(List.of(c.checkpointId(), c.stateBytes(), (long) c.pending(), c.copyMillis()))
                .containsExactly(9L, 12L, 5L, 17L);
        assertThat(c.replayBufferSha256()).isEqualTo("b0");
        assertThat(AuditEvents.restored(H, data(state()), 5, null, null).teacherSha256()).isEqualTo(expected);
        assertThat(AuditEvents.restored(H, data(state()), 5, null, "b0").replayBufferSha256()).isEqualTo("b0");
    }

    /** The tensors' bytes as the raw-data views a capture gives, direct as a capture's are. */
    private static SortedMap<String, ByteBuffer> data(TrainingState s) {
        TreeMap<String, ByteBuffer> data = new TreeMap<>();
        s.tensors().forEach((name, bytes) -> data.put(name,
                ByteBuffer.allocateDirect(bytes.length).put(bytes).flip().asReadOnlyBuffer()));
        return data;
    }

    @Test
    void finalStateHasADigestPerTensor() throws Exception {
        FinalStateEvent f = AuditEvents.finalState(H, state(), java.util.Map.of());
        assertThat(f.tensorSha256()).containsOnlyKeys("student/w", "teacher/b", "teacher/w")
                .containsEntry("student/w", sha256(new byte[] {1, 2, 3, 4}));
        assertThat(f.tensors()).isEqualTo(3);
        assertThat(f.stateBytes()).isEqualTo(12);
    }

    @Test
    void trainedListsIdsEpochsAndDigestsViewsAndProbes() throws Exception {
        TrainingSample a = BatchAssemblerTest.sample(0, true);
        TrainingSample b = BatchAssemblerTest.sample(1, false);
        b.epoch = 1;
        TrainedEvent t = AuditEvents.trained(H, List.of(a, b));
        assertThat(t.ids()).containsExactly("img-0", "img-1");
        assertThat(t.epochs()).containsExactly(0L, 1L);
        assertThat(t.batchSha256()).isEqualTo(sha256(a.pixels, a.probe, b.pixels));
    }
}
