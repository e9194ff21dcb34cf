package io.streamssl.pipeline.job;

import io.streamssl.models.CapturedState;
import io.streamssl.models.TrainingState;

/**
 * The one element of the trainer's operator list state {@value #STATE_NAME}: the model's tensors and
 * counters at a checkpoint barrier. On the way out it holds the {@link CapturedState} taken at the barrier,
 * which {@link TrainerCheckpointSerializer} writes in Flink's asynchronous snapshot phase; on the way back in,
 * the {@link TrainingState} read from the checkpoint.
 *
 * @param model the trainer's model name: a union list state gives every element to every subtask
 * @param captured the state to write (null in a restored element)
 * @param restored the state read back (null in an element to write)
 */
record TrainerCheckpoint(String model, CapturedState captured, TrainingState restored) {

    /** Operator state name (documented in the README). */
    static final String STATE_NAME = "trainer-checkpoint";

    static TrainerCheckpoint toWrite(String model, CapturedState captured) {
        return new TrainerCheckpoint(model, captured, null);
    }

    long step() {
        return captured != null ? captured.step() : restored.step();
    }
}
