package io.streamssl.models.snapshot;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.util.Pair;
import io.streamssl.models.encoder.VisionTransformer;
import java.util.List;

/**
 * timm's {@code VisionTransformer.state_dict()} names (with {@code num_classes=0}, no head) for our
 * {@link VisionTransformer}: {@code cls_token} (1, 1, D), {@code pos_embed} (1, 1+T, D),
 * {@code patch_embed.proj.weight|bias}, per block i {@code blocks.i.norm1}, {@code blocks.i.attn.qkv} (fused, as
 * ours is, rows ordered q, k, v and heads within each, as timm's reshape (B, T, 3, H, d) reads them),
 * {@code blocks.i.attn.proj}, {@code blocks.i.norm2}, {@code blocks.i.mlp.fc1}, {@code blocks.i.mlp.fc2}, and the
 * final {@code norm}. Our shapes are timm's already (Linear (out, in), LayerNorm (D)); each is checked.
 *
 * <p>It walks the tree: the patch-embedding convolution, then the sequential of residual branches, an attention
 * branch [LayerNorm, SelfAttention] then an MLP branch [LayerNorm, Linear, GELU, Linear] per block, then a LayerNorm.
 */
final class TimmNames {

    private TimmNames() {}

    static TorchStateDict visionTransformer(Block vit) {
        TorchStateDict dict = new TorchStateDict();
        long dim = -1;
        for (Pair<String, Parameter> p : vit.getDirectParameters()) {
            if (!p.getKey().equals("cls_token") && !p.getKey().equals("pos_embed")) {
                throw new IllegalStateException("cannot name vision-transformer parameter " + p.getKey());
            }
            dict.add(p.getKey(), p.getValue());
            dim = p.getValue().getArray().getShape().get(2);
        }
        List<Block> children = vit.getChildren().values();
        if (children.size() != 2 || !(children.get(0) instanceof Conv2d)) {
            throw new IllegalStateException("a vision transformer is a patch embedding and a sequence of blocks, found "
                    + children);
        }
        dict.addWeightAndBias("patch_embed.proj", children.get(0));
        blocks(dict, "", children.get(1), dim);
        return dict.requireCovers(vit);
    }

    /**
     * timm's names of a {@link VisionTransformer#transformerBlocks} sequence of width {@code dim}, each prefixed with
     * {@code root}: {@code root + "blocks.i.…"} and {@code root + "norm"}. The encoder's body, and MAE's decoder.
     */
    static void blocks(TorchStateDict dict, String root, Block sequence, long dim) {
        int block = 0;
        boolean attentionDone = false;
        boolean normDone = false;
        for (Block b : sequence.getChildren().values()) {
            if (normDone) {
                throw new IllegalStateException("the vision transformer has a " + b.getClass().getSimpleName()
                        + " after its final norm");
            }
            if (b instanceof LayerNorm) {
                if (attentionDone) {
                    throw new IllegalStateException(root + "blocks." + block + " has attention but no MLP");
                }
                dict.addLayerNorm(root + "norm", b);
                normDone = true;
                continue;
            }
            if (!(b instanceof ParallelBlock) || b.getChildren().size() != 2) {
                throw new IllegalStateException(root + "blocks." + block + ": expected a residual branch, found "
                        + b.getClass().getSimpleName());
            }
            List<Block> branch = b.getChildren().valueAt(0).getChildren().values();
            String prefix = root + "blocks." + block;
            if (!attentionDone) {
                if (branch.size() != 2 || !(branch.get(1) instanceof VisionTransformer.SelfAttention)) {
                    throw new IllegalStateException(prefix + ": expected LayerNorm + SelfAttention, found " + branch);
                }
                dict.addLayerNorm(prefix + ".norm1", branch.get(0));
                Block attention = branch.get(1);
                dict.addWeightAndBias(prefix + ".attn.qkv", child(attention, "qkv"));
                dict.addWeightAndBias(prefix + ".attn.proj", child(attention, "proj"));
                requireShape(child(attention, "qkv"), prefix + ".attn.qkv", new Shape(3 * dim, dim));
                attentionDone = true;
            } else {
                if (branch.size() != 4 || !(branch.get(1) instanceof Linear) || !(branch.get(3) instanceof Linear)
                        || !branch.get(2).getParameters().isEmpty()) {
                    throw new IllegalStateException(prefix + ": expected LayerNorm, Linear, GELU, Linear, found "
                            + branch);
                }
                dict.addLayerNorm(prefix + ".norm2", branch.get(0));
                dict.addWeightAndBias(prefix + ".mlp.fc1", branch.get(1));
                dict.addWeightAndBias(prefix + ".mlp.fc2", branch.get(3));
                requireShape(branch.get(3), prefix + ".mlp.fc2", new Shape(dim, 4 * dim));
                attentionDone = false;
                block++;
            }
        }
        if (!normDone) {
            throw new IllegalStateException("the vision transformer has no final norm");
        }
    }

    /** The child we registered as {@code name} (DJL prefixes its position: "01qkv"). */
    private static Block child(Block parent, String name) {
        for (Pair<String, Block> c : parent.getChildren()) {
            if (c.getKey().replaceFirst("^\\d+", "").equals(name)) {
                return c.getValue();
            }
        }
        throw new IllegalStateException("no child " + name + " in " + parent.getClass().getSimpleName());
    }

    private static void requireShape(Block linear, String name, Shape expected) {
        Shape actual = linear.getDirectParameters().get("weight").getArray().getShape();
        if (!actual.equals(expected)) {
            throw new IllegalStateException(name + ".weight has shape " + actual + ", timm's is " + expected);
        }
    }
}
