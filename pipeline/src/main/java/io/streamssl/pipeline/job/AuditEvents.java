package io.streamssl.pipeline.job;

import io.streamssl.connectors.event.CheckpointEvent;
import io.streamssl.connectors.event.EventHeader;
import io.streamssl.connectors.event.FinalStateEvent;
import io.streamssl.connectors.event.RestoredEvent;
import io.streamssl.connectors.event.TrainedEvent;
import io.streamssl.models.TrainingState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The trainer's audit events and their digests: what went into a checkpoint, what a restore loaded, the final
 * state, what each step trained on. They let tests and operators check that a restore resumed exactly what was
 * checkpointed and that every record was trained on once.
 */
final class AuditEvents {

    private AuditEvents() {}

    /** @param tensorData every state tensor's raw data by name ({@link io.streamssl.models.CapturedState}) */
    /** @param replayDigest the replay buffer's digest that went with it ({@value #REPLAY_BUFFER_DIGEST}), or null */
    static CheckpointEvent checkpoint(EventHeader header, long checkpointId, SortedMap<String, ByteBuffer> tensorData,
            long stateBytes, int pending, long copyMillis, String replayDigest) {
        return new CheckpointEvent(header, checkpointId, teacherDigest(tensorData), stateBytes, pending, copyMillis,
                replayDigest);
    }

    /**
     * @param tensorData every state tensor's raw data by name, as loaded
     * @param seedChangedFrom the seed the state was trained with, if this run has another; else null
     * @param replayDigest the restored replay buffer's digest, or null without one
     */
    static RestoredEvent restored(EventHeader header, SortedMap<String, ByteBuffer> tensorData, int pending,
            Long seedChangedFrom, String replayDigest) {
        return new RestoredEvent(header, teacherDigest(tensorData), pending, seedChangedFrom, replayDigest);
    }

    /**
     * The SHA-256 of every state tensor, to compare two runs byte for byte, and of the other state that must match
     * ({@code otherDigests}, e.g. {@value #REPLAY_BUFFER_DIGEST}).
     */
    static FinalStateEvent finalState(EventHeader header, TrainingState state, Map<String, String> otherDigests) {
        TreeMap<String, String> digests = new TreeMap<>(otherDigests);
        state.tensors().forEach((name, bytes) -> digests.put(name, HexFormat.of().formatHex(sha256().digest(bytes))));
        return new FinalStateEvent(header, digests, state.tensors().size(), state.tensorBytes());
    }

    /** The final-state digest of the replay buffer (entries, counters and waiting records). */
    static final String REPLAY_BUFFER_DIGEST = "replay/buffer";

    /** The ids and epochs of one step's samples and the digest of exactly what it saw (views and probe images). */
    static TrainedEvent trained(EventHeader header, List<TrainingSample> samples) {
        List<String> ids = new ArrayList<>();
        List<Long> epochs = new ArrayList<>();
        List<Integer> uses = new ArrayList<>();
        int replayed = 0;
        MessageDigest sha = sha256();
        for (TrainingSample s : samples) {
            ids.add(s.id);
            epochs.add(s.epoch);
            uses.add(s.uses);
            replayed += s.replayed() ? 1 : 0;
            sha.update(s.pixels);
            if (s.probe != null) {
                sha.update(s.probe);
            }
        }
        return new TrainedEvent(header, ids, epochs, HexFormat.of().formatHex(sha.digest()), uses, replayed);
    }

    /**
     * SHA-256 over the teacher's tensors (name, then raw little-endian data) in name order: a compact fingerprint
     * of the teacher. It reads the teacher's data once on the task thread (a quarter to a third of the state).
     */
    static String teacherDigest(SortedMap<String, ByteBuffer> tensorData) {
        MessageDigest sha = sha256();
        tensorData.forEach((name, data) -> {
            if (name.startsWith("teacher/")) {
                sha.update(name.getBytes(StandardCharsets.UTF_8));
                sha.update(data.duplicate());
            }
        });
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
