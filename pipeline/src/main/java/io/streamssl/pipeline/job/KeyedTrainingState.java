package io.streamssl.pipeline.job;

import io.streamssl.models.TrainingState;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The trainer's small checkpointed values, keyed by model name (README "State"): the step counters, the epoch,
 * the seed, the newest snapshot's name, and the partial batch (one entry per sample: a list state would be one
 * RocksDB value for the whole batch). The operator sets the current key before calling it.
 *
 * <p>The tensors are not here: they are in the operator state of {@link TrainerCheckpoint}, written off the
 * task thread. Checkpoints of earlier versions kept them in {@value #STATE_TENSORS} (a {@code MapState}, one
 * RocksDB entry per tensor, serialised on the task thread at the barrier); that state is still read on restore
 * ({@link Restored#legacyTensors}) and emptied by the first checkpoint after it ({@link #dropLegacyTensors}).
 */
final class KeyedTrainingState {

    /** State names (documented in the README). Tensors of checkpoints of earlier versions, read on restore. */
    static final String STATE_TENSORS = "trainer-tensors";
    static final String STATE_STEP = "trainer-step";
    static final String STATE_IMAGES = "trainer-images";
    static final String STATE_PENDING = "trainer-pending-samples";
    static final String STATE_SEED = "trainer-seed";
    static final String STATE_EPOCH = "trainer-epoch";
    static final String STATE_SNAPSHOT = "trainer-newest-snapshot";

    /**
     * What a restore reads back.
     *
     * @param legacyTensors the tensors of a checkpoint of an earlier version, else null
     */
    record Restored(long step, long images, TrainingState legacyTensors, List<TrainingSample> pending, long epoch,
            Long seed, String newestSnapshot) {}

    private final MapState<String, byte[]> tensors;
    private final ValueState<Long> step;
    private final ValueState<Long> images;
    private final MapState<Integer, TrainingSample> pending;
    private final ValueState<Long> seed;
    private final ValueState<Long> epoch;
    private final ValueState<String> snapshot;

    KeyedTrainingState(KeyedStateStore store) {
        tensors = store.getMapState(new MapStateDescriptor<>(STATE_TENSORS, Types.STRING,
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        step = store.getState(new ValueStateDescriptor<>(STATE_STEP, Types.LONG));
        images = store.getState(new ValueStateDescriptor<>(STATE_IMAGES, Types.LONG));
        pending = store.getMapState(new MapStateDescriptor<>(STATE_PENDING, Types.INT,
                TypeInformation.of(TrainingSample.class)));
        seed = store.getState(new ValueStateDescriptor<>(STATE_SEED, Types.LONG));
        epoch = store.getState(new ValueStateDescriptor<>(STATE_EPOCH, Types.LONG));
        snapshot = store.getState(new ValueStateDescriptor<>(STATE_SNAPSHOT, Types.STRING));
    }

    /** Replaces the stored state with these values. */
    void write(long stepValue, long imagesValue, List<TrainingSample> pendingSamples, long epochValue,
            long seedValue, String newestSnapshot) throws Exception {
        step.update(stepValue);
        images.update(imagesValue);
        seed.update(seedValue);
        epoch.update(epochValue);
        snapshot.update(newestSnapshot);
        pending.clear();
        for (int i = 0; i < pendingSamples.size(); i++) {
            pending.put(i, pendingSamples.get(i));
        }
    }

    /** The stored state, or null if this key has none (restored job, but the model had not checkpointed yet). */
    Restored read() throws Exception {
        Long stepValue = step.value();
        if (stepValue == null) {
            return null;
        }
        TreeMap<String, byte[]> t = new TreeMap<>();
        tensors.entries().forEach(e -> t.put(e.getKey(), e.getValue()));
        TreeMap<Integer, TrainingSample> samples = new TreeMap<>();
        pending.entries().forEach(e -> samples.put(e.getKey(), e.getValue()));
        long imagesValue = images.value() == null ? 0 : images.value();
        return new Restored(stepValue, imagesValue, t.isEmpty() ? null : new TrainingState(stepValue, imagesValue, t),
                new ArrayList<>(samples.values()), epoch.value() == null ? 0 : epoch.value(), seed.value(),
                snapshot.value());
    }

    /** Empties the tensors of an earlier version's checkpoint, once they are loaded and checkpointed anew. */
    void dropLegacyTensors() throws Exception {
        tensors.clear();
    }
}
