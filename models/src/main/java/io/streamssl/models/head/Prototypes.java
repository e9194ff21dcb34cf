package io.streamssl.models.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * SwAV's prototypes (Caron et al. 2020, §3.1): K trainable vectors, kept on the unit sphere by
 * {@link #normalizeWeights()} after every optimiser step (as the official code does), so that the scores of an
 * L2-normalised embedding are cosine similarities. Input (N, d) normalised embeddings; output (N, K) scores.
 * SwAV: K = 3000 (a few times the number of classes on CIFAR).
 */
public final class Prototypes extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int count;
    private final Parameter weight;

    public Prototypes(int count, int dim) {
        super(VERSION);
        if (count < 2 || dim < 1) {
            throw new IllegalArgumentException("swav needs at least 2 prototypes of dimension >= 1, got " + count
                    + " of " + dim);
        }
        this.count = count;
        this.weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(count, dim))
                .build());
    }

    public int count() {
        return count;
    }

    public Parameter weight() {
        return weight;
    }

    /** Projects each prototype back onto the unit sphere; call with gradients off, after each update. */
    public void normalizeWeights() {
        NDArray w = weight.getArray();
        try (NDArray norm = w.norm(new int[] {1}, true); NDArray clamped = norm.maximum(1e-12f)) {
            w.divi(clamped);
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        return Linear.linear(x, ps.getValue(weight, x.getDevice(), training));
    }

    @Override
    public void initializeChildBlocks(NDManager manager, ai.djl.ndarray.types.DataType dataType, Shape... shapes) {
        // no children; the weight's shape is fixed in the constructor
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {new Shape(inputs[0].get(0), count)};
    }
}
