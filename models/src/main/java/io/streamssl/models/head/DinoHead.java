package io.streamssl.models.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.streamssl.models.loss.NormalizedMseLoss;

/**
 * DINO's projection head (Caron et al. 2021, §3.1 and the official {@code DINOHead}): a 3-layer MLP
 * Linear(hidden) → GELU → Linear(hidden) → GELU → Linear(bottleneck), then L2 normalisation, then a
 * weight-normalised linear layer without bias to K outputs, {@code y = x·(V/‖V‖_rows)ᵀ}, the weight's norm
 * fixed at 1 ({@code norm_last_layer=True}, which the paper finds stabilises training).
 *
 * <p>Input (N, in); outputs the (N, K) logits and, second, the (N, bottleneck) L2-normalised embedding. Because the last layer is scale-invariant in V, weight decay on V
 * changes nothing the network computes. DINO freezes V during the first epoch: a method does so by zeroing
 * the gradient of {@link #lastLayer()} before the optimiser step. Defaults in DINO: hidden 2048, bottleneck
 * 256, K 65536 (4096 for CIFAR-sized runs).
 */
public final class DinoHead extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int outDim;
    private final int bottleneck;
    private final SequentialBlock mlp;
    private final Parameter lastLayer;

    public DinoHead(int hidden, int bottleneck, int outDim) {
        super(VERSION);
        if (hidden < 1 || bottleneck < 1 || outDim < 2) {
            throw new IllegalArgumentException("dino head needs hidden, bottleneck >= 1 and out >= 2, got " + hidden
                    + ", " + bottleneck + ", " + outDim);
        }
        this.outDim = outDim;
        this.bottleneck = bottleneck;
        this.mlp = addChildBlock("mlp", new SequentialBlock()
                .add(Linear.builder().setUnits(hidden).build())
                .add(Activation.geluBlock())
                .add(Linear.builder().setUnits(hidden).build())
                .add(Activation.geluBlock())
                .add(Linear.builder().setUnits(bottleneck).build()));
        this.lastLayer = addParameter(Parameter.builder()
                .setName("last_layer_v")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(outDim, bottleneck))
                .build());
    }

    public int outDim() {
        return outDim;
    }

    /** The weight-normalised last layer's direction V, (K, bottleneck). */
    public Parameter lastLayer() {
        return lastLayer;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = mlp.forward(ps, inputs, training).singletonOrThrow();
        x = NormalizedMseLoss.l2Normalize(x);
        NDArray v = ps.getValue(lastLayer, x.getDevice(), training);
        // start from an array of this step: ops on the parameter itself would land in the model's manager
        NDArray w = NormalizedMseLoss.l2Normalize(x.getManager().zeros(new Shape(1)).add(v));
        return new NDList(x.matMul(w.transpose()), x);
    }

    @Override
    protected void initializeChildBlocks(ai.djl.ndarray.NDManager manager, DataType dataType, Shape... inputShapes) {
        mlp.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {new Shape(inputs[0].get(0), outDim), new Shape(inputs[0].get(0), bottleneck)};
    }
}
