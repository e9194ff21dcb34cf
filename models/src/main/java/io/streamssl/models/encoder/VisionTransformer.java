package io.streamssl.models.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import io.streamssl.models.tensor.NativeScalar;
import java.util.List;
import java.util.Map;

/**
 * Vision Transformer (Dosovitskiy et al. 2021) in the pre-norm form DINO and MoCo v3 use: the image is cut into
 * p×p patches, each linearly embedded (a p×p stride-p convolution) to D dimensions; a class token is prepended
 * and learned position embeddings added; then {@code depth} blocks of {@code x + MHSA(LN(x))},
 * {@code x + MLP(LN(x))} (MLP ratio 4, GELU); the output is the final-LayerNorm'd class token, (N, D).
 *
 * <p>Sizes (Touvron et al. 2021): ViT-Tiny 3 heads, ViT-Small 6 heads, both depth 12 with 64 dimensions per
 * head (D = 192 and 384). Here the per-head dimension is the encoder {@code width} (64 is the published
 * network; fewer gives a narrower one for tests). Patch size follows the stem: 4 for 32 px (CIFAR), 16 for
 * 224 px. Position embeddings are made for the size the block is initialised with and interpolated
 * (bilinearly, as DINO does bicubically) for other sizes, e.g. multi-crop's local crops.
 */
public final class VisionTransformer extends AbstractBlock {

    private static final byte VERSION = 1;
    static final Map<String, Integer> HEADS = Map.of("vit-tiny", 3, "vit-small", 6);
    static final int DEPTH = 12;

    private final int dim;
    private final int patch;
    private final Block patchEmbed;
    private final Block blocks;
    private final Parameter classToken;
    private final Parameter positions;
    private long gridSide; // patches per side at initialisation

    VisionTransformer(int heads, int headDim, int depth, int patch) {
        super(VERSION);
        this.dim = heads * headDim;
        this.patch = patch;
        this.patchEmbed = addChildBlock("patch_embed", Conv2d.builder().setFilters(dim)
                .setKernelShape(new Shape(patch, patch)).optStride(new Shape(patch, patch)).build());
        this.blocks = addChildBlock("blocks", transformerBlocks(heads, dim, depth));
        this.classToken = addParameter(Parameter.builder().setName("cls_token").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(1, 1, dim)).optInitializer(new NormalInitializer(0.02f)).build());
        this.positions = addParameter(Parameter.builder().setName("pos_embed").setType(Parameter.Type.WEIGHT)
                .optInitializer(new NormalInitializer(0.02f)).build());
    }

    static VisionTransformer build(EncoderSpec spec) {
        int patch = spec.stem() == Stem.CIFAR ? 4 : 16;
        return new VisionTransformer(HEADS.get(spec.arch()), spec.width(), DEPTH, patch);
    }

    static int featureDim(String arch, int width) {
        return HEADS.get(arch) * width;
    }

    /**
     * {@code depth} pre-norm blocks of width {@code dim} ({@code x + MHSA(LN(x))}, {@code x + MLP(LN(x))}, MLP ratio
     * 4) then a final LayerNorm: (N, T, dim) → (N, T, dim). The encoder's body, and MAE's decoder.
     */
    public static SequentialBlock transformerBlocks(int heads, int dim, int depth) {
        SequentialBlock out = new SequentialBlock();
        for (int i = 0; i < depth; i++) {
            out.add(residual(new SequentialBlock().add(layerNorm()).add(new SelfAttention(heads, dim))));
            out.add(residual(new SequentialBlock().add(layerNorm())
                    .add(Linear.builder().setUnits(4L * dim).build())
                    .add(Activation.geluBlock())
                    .add(Linear.builder().setUnits(dim).build())));
        }
        out.add(layerNorm());
        return out;
    }

    /** The patch side in pixels (4 at the CIFAR stem, 16 at the ImageNet one). */
    public int patchSize() {
        return patch;
    }

    /** The token width D. */
    public int dim() {
        return dim;
    }

    private static Block layerNorm() {
        // eps 1e-6 as timm and DINO (PyTorch's default is 1e-5), so timm's ViT loads our weights and computes the same
        return LayerNorm.builder().axis(2).optEpsilon(1e-6f).build();
    }

    private static Block residual(Block branch) {
        return new ParallelBlock(list -> new NDList(list.get(0).singletonOrThrow().add(list.get(1).singletonOrThrow())),
                List.of(branch, Blocks.identityBlock()));
    }

    @Override
    protected void prepare(Shape[] inputs) {
        Shape in = inputs[0];
        if (in.get(2) % patch != 0 || in.get(3) % patch != 0 || in.get(2) != in.get(3)) {
            throw new IllegalArgumentException("a vision transformer with patch " + patch + " needs square images "
                    + "whose side is a multiple of " + patch + ", got " + in);
        }
        gridSide = in.get(2) / patch;
        positions.setShape(new Shape(1, 1 + gridSide * gridSide, dim));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputs) {
        patchEmbed.initialize(manager, dataType, inputs);
        blocks.initialize(manager, dataType, new Shape(inputs[0].get(0), 1 + gridSide * gridSide, dim));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(tokens(ps, inputs.singletonOrThrow(), null, training).get(":, 0"));
    }

    /**
     * MAE's encoder pass (He et al. 2022): the tokens of the patches listed in {@code visible} only, with the class
     * token first, after the final LayerNorm: (N, 1 + K, D). The same parameters as the ordinary forward, so what
     * a method trains this way is the encoder every snapshot, export and evaluation uses.
     *
     * @param image (N, 3, H, W)
     * @param visible (N, K) int64 indices of patches in row-major order, each row its own subset
     */
    public NDArray forwardVisible(ParameterStore ps, NDArray image, NDArray visible, boolean training) {
        return tokens(ps, image, visible, training);
    }

    /**
     * iBOT's student pass (Zhou et al. 2022): every token after the final LayerNorm, (N, 1 + T, D), with the patch
     * embeddings of the {@code masked} patches replaced by {@code maskToken} before the position embeddings are
     * added (as iBOT's {@code masked_embed}). With {@code masked} null, the unmasked tokens: the teacher's pass.
     *
     * @param masked (N, T) float, 1 where a patch is masked, row-major patch order, or null
     * @param maskToken (D) or (1, 1, D), the learned mask embedding (the method's, not the encoder's: snapshots stay plain ViTs)
     */
    public NDArray forwardMasked(ParameterStore ps, NDArray image, NDArray masked, NDArray maskToken,
            boolean training) {
        return tokens(ps, image, null, masked, maskToken, training);
    }

    private NDArray tokens(ParameterStore ps, NDArray image, NDArray visible, boolean training) {
        return tokens(ps, image, visible, null, null, training);
    }

    /** All tokens after the final LayerNorm, (N, 1 + T, D), or (N, 1 + K, D) with only the {@code visible} patches. */
    private NDArray tokens(ParameterStore ps, NDArray image, NDArray visible, NDArray masked, NDArray maskToken,
            boolean training) {
        long n = image.getShape().get(0);
        NDArray x = patchEmbed.forward(ps, new NDList(image), training).singletonOrThrow(); // (N, D, h, w)
        long side = x.getShape().get(2);
        x = x.reshape(n, dim, side * x.getShape().get(3)).transpose(0, 2, 1); // (N, T, D)
        if (masked != null) {
            NDArray m = masked.expandDims(2); // (N, T, 1)
            // from an array of this step: an op whose first operand is a parameter lands in the model's manager
            NDArray token = x.getManager().zeros(new Shape(1, 1, dim)).add(maskToken);
            x = x.add(m.mul(token.sub(x))); // x where unmasked, the token where masked
        }
        NDManager step = x.getManager();
        // start from arrays of this step: an op whose first operand is a parameter lands in the model's manager
        NDArray cls = step.zeros(new Shape(n, 1, dim)).add(ps.getValue(classToken, image.getDevice(), training));
        NDArray pos = step.zeros(new Shape(1)).add(ps.getValue(positions, image.getDevice(), training));
        if (side != gridSide) {
            pos = resizePositions(pos, side);
        }
        if (visible == null) {
            x = cls.concat(x, 1).add(pos);
        } else {
            // position embeddings before the subset (as MAE's random_masking follows pos_embed), then gather
            x = x.add(pos.get(":, 1:"));
            NDArray index = visible.expandDims(2).repeat(2, dim);
            x = cls.add(pos.get(":, 0:1")).concat(x.gather(index, 1), 1);
        }
        return blocks.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    /** Interpolates the patch position embeddings from the initial grid to {@code side}×{@code side}. */
    private NDArray resizePositions(NDArray pos, long side) {
        NDArray clsPos = pos.get(":, 0:1");
        NDArray grid = pos.get(":, 1:").reshape(1, gridSide, gridSide, dim).transpose(0, 3, 1, 2);
        NDArray resized = grid.getNDArrayInternal().interpolation(new long[] {side, side}, 1, false);
        NDArray patches = resized.transpose(0, 2, 3, 1).reshape(1, side * side, dim);
        return clsPos.concat(patches, 1);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {new Shape(inputs[0].get(0), dim)};
    }

    /** Multi-head self-attention: (N, T, D) → (N, T, D), softmax(QKᵀ/√d_h)V per head, then a linear map. */
    public static final class SelfAttention extends AbstractBlock {

        private final int heads;
        private final int dim;
        private final Block qkv;
        private final Block projection;

        SelfAttention(int heads, int dim) {
            super(VERSION);
            this.heads = heads;
            this.dim = dim;
            this.qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * dim).build());
            this.projection = addChildBlock("proj", Linear.builder().setUnits(dim).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            long n = x.getShape().get(0);
            long t = x.getShape().get(1);
            long headDim = dim / heads;
            NDArray qkvOut = qkv.forward(ps, inputs, training).singletonOrThrow()
                    .reshape(n, t, 3, heads, headDim).transpose(2, 0, 3, 1, 4); // (3, N, H, T, dh)
            NDArray q = qkvOut.get(0);
            NDArray k = qkvOut.get(1);
            NDArray v = qkvOut.get(2);
            NDArray attention = NativeScalar.mul(q.matMul(k.transpose(0, 1, 3, 2)), 1 / Math.sqrt(headDim)).softmax(-1);
            NDArray mixed = attention.matMul(v).transpose(0, 2, 1, 3).reshape(n, t, dim);
            return projection.forward(ps, new NDList(mixed), training);
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputs) {
            qkv.initialize(manager, dataType, inputs);
            projection.initialize(manager, dataType, inputs);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputs) {
            return inputs;
        }
    }
}
