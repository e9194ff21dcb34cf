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
        return predictor(hidden, out);
    }

    /**
     * A projection head in lightly's terms: {@code layers − 1} hidden layers Linear(hidden) → BN (if
     * {@code batchNorm}) → ReLU, then Linear(out), followed by BN if {@code batchNormLast}. Paper values: SimCLR
     * 2 layers 2048→128/256 with BN; MoCo v2 2 layers without BN; SimSiam/MoCo v3 with BN after the last layer;
     * Barlow Twins and VICReg 3 layers 8192-8192 (2048-2048 on CIFAR).
     */
    public static MlpHead projection(int layers, int hidden, int out, boolean batchNorm, boolean batchNormLast) {
        if (layers < 1) {
            throw new IllegalArgumentException("a projection head needs at least 1 layer, got " + layers);
        }
        Builder b = builder();
        for (int i = 0; i < layers - 1; i++) {
            b.addLayer(hidden, batchNorm, true);
        }
        return b.addLayer(out, batchNormLast, false).build();
    }

    /** A prediction head (BYOL, SimSiam, MoCo v3): Linear(hidden) → BN → ReLU → Linear(out). */
    public static MlpHead predictor(int hidden, int out) {
        return projection(2, hidden, out, true, false);
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
