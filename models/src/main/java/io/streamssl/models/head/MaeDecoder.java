package io.streamssl.models.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import io.streamssl.models.encoder.VisionTransformer;

/**
 * MAE's light decoder (He et al. 2022): the encoder's tokens of the visible patches are embedded to the decoder's
 * width, a shared learned mask token stands in for every masked patch, the full sequence is put back in patch
 * order, position embeddings are added, and a few transformer blocks then a linear map predict each patch's
 * {@code p·p·3} pixels.
 *
 * <p>Input: {@code (tokens, restore)}: tokens (N, 1 + K, D), the class token first; restore (N, T) int64, for each
 * patch position its index in the sequence [visible patches…, masked patches…]. Output: (N, T, p·p·3), the class
 * token's row dropped. The paper's decoder position embeddings are fixed 2-D sin-cos; here they are learned (as
 * the encoder's), one less thing to write, at a cost the paper reports as small.
 */
public final class MaeDecoder extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int width;
    private final int patches;
    private final int pixelsPerPatch;
    private final Block embed;
    private final Block blocks;
    private final Block predict;
    private final Parameter maskToken;
    private final Parameter positions;

    /**
     * @param width the decoder's token width (MAE 512)
     * @param depth its transformer blocks (MAE 8)
     * @param heads attention heads (MAE 16); must divide {@code width}
     * @param patches T, the patches of one image
     * @param pixelsPerPatch p·p·3
     */
    public MaeDecoder(int width, int depth, int heads, int patches, int pixelsPerPatch) {
        super(VERSION);
        if (width % heads != 0) {
            throw new IllegalArgumentException("decoder width " + width + " must be a multiple of its heads " + heads);
        }
        this.width = width;
        this.patches = patches;
        this.pixelsPerPatch = pixelsPerPatch;
        this.embed = addChildBlock("embed", Linear.builder().setUnits(width).build());
        this.blocks = addChildBlock("blocks", VisionTransformer.transformerBlocks(heads, width, depth));
        this.predict = addChildBlock("predict", Linear.builder().setUnits(pixelsPerPatch).build());
        this.maskToken = addParameter(Parameter.builder().setName("mask_token").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(1, 1, width)).optInitializer(new NormalInitializer(0.02f)).build());
        this.positions = addParameter(Parameter.builder().setName("pos_embed").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(1, 1 + patches, width)).optInitializer(new NormalInitializer(0.02f)).build());
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputs) {
        embed.initialize(manager, dataType, inputs[0]);
        Shape full = new Shape(inputs[0].get(0), 1 + patches, width);
        blocks.initialize(manager, dataType, full);
        predict.initialize(manager, dataType, full);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray tokens = inputs.get(0);
        NDArray restore = inputs.get(1);
        long n = tokens.getShape().get(0);
        long visible = tokens.getShape().get(1) - 1;
        NDArray x = embed.forward(ps, new NDList(tokens), training).singletonOrThrow(); // (N, 1 + K, W)
        NDManager step = x.getManager();
        // start from arrays of this step: an op whose first operand is a parameter lands in the model's manager
        NDArray masks = step.zeros(new Shape(n, patches - visible, width))
                .add(ps.getValue(maskToken, tokens.getDevice(), training));
        NDArray pos = step.zeros(new Shape(1)).add(ps.getValue(positions, tokens.getDevice(), training));
        NDArray shuffled = x.get(":, 1:").concat(masks, 1); // (N, T, W): visible, then masked
        NDArray ordered = shuffled.gather(restore.expandDims(2).repeat(2, width), 1);
        NDArray full = x.get(":, 0:1").concat(ordered, 1).add(pos);
        NDArray out = blocks.forward(ps, new NDList(full), training).singletonOrThrow();
        return new NDList(predict.forward(ps, new NDList(out.get(":, 1:")), training).singletonOrThrow());
    }

    /** The embedding of encoder tokens to the decoder's width (a Linear). */
    public Block embed() {
        return embed;
    }

    /** The transformer blocks and final norm ({@link VisionTransformer#transformerBlocks}). */
    public Block blocks() {
        return blocks;
    }

    /** The per-patch pixel prediction (a Linear). */
    public Block predict() {
        return predict;
    }

    public Parameter maskToken() {
        return maskToken;
    }

    public Parameter positions() {
        return positions;
    }

    public int width() {
        return width;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {new Shape(inputs[0].get(0), patches, pixelsPerPatch)};
    }
}
