package io.streamssl.models.state;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.tensor.NamedParameters;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A fixed, pre-trained network that a student distils (SEED, Fang et al. 2021): an encoder and, when the teacher
 * had one, its projector. It is never trained: its tensors take no gradient, and it runs in inference mode (batch
 * norm with its running statistics, which it therefore never changes), so its output for an image does not depend
 * on the rest of the batch. Its weights are checkpointed state like any other tensor, so a restored run uses the
 * teacher it started with even if the file it was read from has changed since.
 *
 * <p>Output: {@code projector(encoder(x))}, or {@code encoder(x)} without a projector, detached, (N, {@link #outDim}).
 */
public final class FrozenTeacher implements TensorState {

    private final Block encoder;
    private final Block projector; // null: the encoder's features are the output
    private final int outDim;
    private final String description;
    private final NamedParameters parameters = new NamedParameters();

    /**
     * @param encoder initialised, weights loaded
     * @param projector initialised and loaded, or null
     * @param outDim the width of the output
     * @param description where it came from, e.g. {@code resnet50 cifar width 64 + projector from /snapshots/x}
     */
    public FrozenTeacher(Block encoder, Block projector, int outDim, String description) {
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.projector = projector;
        this.outDim = outDim;
        this.description = description;
        parameters.add("encoder", encoder);
        if (projector != null) {
            parameters.add("projector", projector);
        }
        parameters.all().values().forEach(p -> p.getArray().setRequiresGradient(false));
    }

    /** The teacher's embedding of {@code view} (N, 3, H, W), in inference mode, detached. */
    public NDArray embed(ParameterStore ps, NDArray view) {
        NDArray y = encoder.forward(ps, new NDList(view), false).head();
        if (projector != null) {
            y = projector.forward(ps, new NDList(y), false).head();
        }
        return y.stopGradient();
    }

    public int outDim() {
        return outDim;
    }

    public boolean hasProjector() {
        return projector != null;
    }

    public String description() {
        return description;
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        parameters.all().forEach((name, p) -> out.put(name, p.getArray()));
        return out;
    }
}
