package io.streamssl.models.head;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * The learned embedding that replaces a masked patch's (iBOT's {@code masked_embed}, Zhou et al. 2022), (1, 1, D),
 * starting at zero as iBOT's. A block of its own, beside the encoder rather than in it, so that what snapshots
 * export stays a plain vision transformer. Its forward pass returns the embedding, whatever the input.
 */
public final class MaskToken extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Parameter token;
    private final int dim;

    public MaskToken(int dim) {
        super(VERSION);
        this.dim = dim;
        token = addParameter(Parameter.builder().setName("mask_token").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(1, 1, dim)).optInitializer(Initializer.ZEROS).build());
    }

    /** The embedding's parameter: a method passes its value to the encoder's masked pass. */
    public Parameter token() {
        return token;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(ps.getValue(token, inputs.head().getDevice(), training));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {}

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {new Shape(1, 1, dim)};
    }
}
