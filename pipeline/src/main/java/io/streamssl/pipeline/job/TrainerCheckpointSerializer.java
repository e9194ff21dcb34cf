package io.streamssl.pipeline.job;

import io.streamssl.models.CapturedState;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes a {@link TrainerCheckpoint} into the checkpoint stream and reads it back. Flink's operator state
 * backend copies the list at the barrier with {@link #copy} (here: the same element, since what it holds is
 * already a frozen copy) and calls {@link #serialize} later, in the checkpoint's asynchronous part, on another
 * thread: that is where the tensors' bytes are produced, straight from the captured native copy into the
 * stream. The writer holds a reference on the capture while it reads it ({@link CapturedState#retain}).
 */
final class TrainerCheckpointSerializer extends TypeSerializer<TrainerCheckpoint> {

    private static final long serialVersionUID = 1L;

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public TypeSerializer<TrainerCheckpoint> duplicate() {
        return this; // stateless
    }

    @Override
    public TrainerCheckpoint createInstance() {
        return null;
    }

    @Override
    public TrainerCheckpoint copy(TrainerCheckpoint from) {
        return from;
    }

    @Override
    public TrainerCheckpoint copy(TrainerCheckpoint from, TrainerCheckpoint reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(TrainerCheckpoint record, DataOutputView target) throws IOException {
        CapturedState captured = record.captured();
        if (captured == null) {
            throw new IOException("trainer '" + record.model() + "': a restored state cannot be written again");
        }
        if (!captured.retain()) {
            throw new IOException("trainer '" + record.model() + "': the state captured at step " + captured.step()
                    + " was released before this checkpoint wrote it (the checkpoint was aborted or the task closed)");
        }
        try {
            target.writeUTF(record.model());
            captured.writeTo(target);
        } finally {
            captured.release();
        }
    }

    @Override
    public TrainerCheckpoint deserialize(DataInputView source) throws IOException {
        String model = source.readUTF();
        return new TrainerCheckpoint(model, null, CapturedState.readTrainingState(source));
    }

    @Override
    public TrainerCheckpoint deserialize(TrainerCheckpoint reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        throw new UnsupportedOperationException("trainer checkpoints are not copied in serialized form");
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof TrainerCheckpointSerializer;
    }

    @Override
    public int hashCode() {
        return TrainerCheckpointSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<TrainerCheckpoint> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer has no configuration: the layout version is in the data ({@link CapturedState}). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<TrainerCheckpoint> {
        public Snapshot() {
            super(TrainerCheckpointSerializer::new);
        }
    }
}
