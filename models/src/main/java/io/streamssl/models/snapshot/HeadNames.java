package io.streamssl.models.snapshot;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.util.Pair;
import io.streamssl.models.head.DinoHead;
import io.streamssl.models.head.MaeDecoder;
import io.streamssl.models.head.MaskToken;
import io.streamssl.models.head.Prototypes;
import java.util.List;
import java.util.Map;

/**
 * PyTorch names for a method's heads, as the modules a PyTorch user would write: an MLP head is an
 * {@code nn.Sequential} whose index counts every layer, ReLUs included, e.g. SimCLR's projector
 * {@code Linear(512, 2048, bias=False), BatchNorm1d(2048), ReLU(), Linear(2048, 128)} gives
 * {@code projector.0.weight}, {@code projector.1.weight|bias|running_mean|running_var|num_batches_tracked},
 * {@code projector.3.weight|bias}. DINO's head follows the official {@code DINOHead}: {@code head.mlp.0|2|4.*} and
 * the weight-normalised last layer {@code head.last_layer.weight_v} (our V) with {@code head.last_layer.weight_g}
 * all ones (K, 1) ({@code norm_last_layer=True}). SwAV's prototypes are {@code prototypes.weight} (K, d), an
 * {@code nn.Linear(d, K, bias=False)}. MAE's decoder: {@code decoder.embed}, {@code decoder.mask_token},
 * {@code decoder.pos_embed}, {@code decoder.blocks.i.…} and {@code decoder.norm} (timm's block names, as the
 * encoder's), {@code decoder.pred}. iBOT's mask token is the one tensor {@code mask_token} (1, 1, D). Each head is prefixed with the name the method gave it.
 */
final class HeadNames {

    private HeadNames() {}

    /** The state dict of {@code heads} (name → block, in the method's order). */
    static TorchStateDict of(Map<String, Block> heads) {
        TorchStateDict dict = new TorchStateDict();
        heads.forEach((name, block) -> module(dict, name, block));
        for (Map.Entry<String, Block> h : heads.entrySet()) {
            requireCovered(dict, h.getKey(), h.getValue());
        }
        return dict;
    }

    private static void requireCovered(TorchStateDict dict, String name, Block block) {
        List<Parameter> named = dict.entries().stream().map(TorchStateDict.Entry::parameter).toList();
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (named.stream().noneMatch(n -> n == p.getValue())) {
                throw new IllegalStateException("no PyTorch name for parameter " + p.getKey() + " of head " + name);
            }
        }
    }

    private static void module(TorchStateDict dict, String prefix, Block block) {
        if (block instanceof SequentialBlock) {
            List<Block> layers = block.getChildren().values();
            for (int i = 0; i < layers.size(); i++) {
                if (!layers.get(i).getParameters().isEmpty()) {
                    module(dict, prefix + "." + i, layers.get(i));
                }
            }
        } else if (block instanceof Linear || block instanceof Conv2d) {
            dict.addWeightAndBias(prefix, block);
        } else if (block instanceof BatchNorm) {
            dict.addBatchNorm(prefix, block);
        } else if (block instanceof LayerNorm) {
            dict.addLayerNorm(prefix, block);
        } else if (block instanceof DinoHead dino) {
            module(dict, prefix + ".mlp", block.getChildren().valueAt(0));
            Parameter v = dino.lastLayer();
            Shape shape = v.getArray().getShape();
            dict.add(prefix + ".last_layer.weight_v", v);
            dict.addMade(prefix + ".last_layer.weight_g", m -> m.ones(new Shape(shape.get(0), 1), DataType.FLOAT32));
        } else if (block instanceof MaeDecoder mae) {
            // MAE's names (models_mae.py: decoder_embed, mask_token, decoder_pos_embed, decoder_blocks.i, decoder_norm,
            // decoder_pred) under the head's prefix, the blocks in timm's layout as the encoder's
            dict.addWeightAndBias(prefix + ".embed", mae.embed());
            dict.add(prefix + ".mask_token", mae.maskToken());
            dict.add(prefix + ".pos_embed", mae.positions());
            TimmNames.blocks(dict, prefix + ".", mae.blocks(), mae.width());
            dict.addWeightAndBias(prefix + ".pred", mae.predict());
        } else if (block instanceof MaskToken t) {
            dict.add(prefix, t.token()); // iBOT's masked_embed: one tensor, named by the head
        } else if (block instanceof Prototypes p) {
            dict.add(prefix + ".weight", p.weight());
        } else if (!block.getParameters().isEmpty()) {
            throw new IllegalStateException("cannot name head " + prefix + ": a " + block.getClass().getSimpleName()
                    + " is not a layer the export knows");
        }
    }
}
