package io.streamssl.models.head;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import java.util.ArrayList;
import java.util.List;

/**
 * A multi-layer perceptron head built from a list of layers, each a linear map optionally followed by batch
 * norm and ReLU (the way lightly describes projection and prediction heads). Input (N, in); output (N, out of
 * the last layer). A linear layer followed by batch norm has no bias (the norm's shift replaces it).
 */
public final class MlpHead {

    /** One layer: {@code out} units, then batch norm if {@code batchNorm}, then ReLU if {@code relu}. */
    public record Layer(int out, boolean batchNorm, boolean relu) {
        public Layer {
            if (out <= 0) {
                throw new IllegalArgumentException("layer width must be positive, got " + out);
            }
        }
    }

    private final List<Layer> layers;

    private MlpHead(List<Layer> layers) {
        this.layers = List.copyOf(layers);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The BYOL projector / predictor (Grill et al. 2020, §3.3): Linear(hidden) → BN → ReLU → Linear(out).
     */
    public static MlpHead byol(int hidden, int out) {
        return builder().addLayer(hidden, true, true).addLayer(out, false, false).build();
    }

    public List<Layer> layers() {
        return layers;
    }

    public int outDim() {
        return layers.get(layers.size() - 1).out();
    }

    /** A new, uninitialised block for this head. */
    public Block block() {
        SequentialBlock seq = new SequentialBlock();
        for (Layer l : layers) {
            seq.add(Linear.builder().setUnits(l.out()).optBias(!l.batchNorm()).build());
            if (l.batchNorm()) {
                seq.add(BatchNorm.builder().build());
            }
            if (l.relu()) {
                seq.add(Activation.reluBlock());
            }
        }
        return seq;
    }

    /** Builds a head layer by layer. */
    public static final class Builder {
        private final List<Layer> layers = new ArrayList<>();

        public Builder addLayer(int out, boolean batchNorm, boolean relu) {
            layers.add(new Layer(out, batchNorm, relu));
            return this;
        }

        public MlpHead build() {
            if (layers.isEmpty()) {
                throw new IllegalStateException("an MLP head needs at least one layer: call addLayer()");
            }
            return new MlpHead(layers);
        }
    }
}
