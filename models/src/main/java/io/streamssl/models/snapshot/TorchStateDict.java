package io.streamssl.models.snapshot;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.util.Pair;
import io.streamssl.models.encoder.EncoderSpec;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The tensors of one or more DJL blocks under the names a PyTorch {@code state_dict} gives them, in PyTorch's
 * order, written as a safetensors file. Built by {@link TorchvisionNames} (ResNets), {@link TimmNames} (vision
 * transformers) and {@link HeadNames} (projector, predictor, ...), which walk the block tree; {@link #requireCovers}
 * then checks that every parameter of the block got exactly one name, so a block they do not know fails the
 * export instead of silently dropping or misplacing a tensor.
 */
public final class TorchStateDict {

    /** One tensor: a parameter of ours, or a value we make (BN's {@code num_batches_tracked}, DINO's {@code weight_g}). */
    public record Entry(String name, Parameter parameter, Function<NDManager, NDArray> made) {}

    private final List<Entry> entries = new ArrayList<>();
    private final Set<String> names = new LinkedHashSet<>();
    private final Map<Parameter, String> named = new IdentityHashMap<>();

    /** The encoder's state dict: torchvision's names for a ResNet, timm's for a vision transformer. */
    public static TorchStateDict ofEncoder(EncoderSpec spec, Block encoder) {
        return spec.arch().startsWith("vit-") ? TimmNames.visionTransformer(encoder)
                : TorchvisionNames.resnet(spec.arch(), encoder);
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** Adds {@code parameter} under {@code name}; a name or a parameter given twice is a bug in the mapping. */
    TorchStateDict add(String name, Parameter parameter) {
        claim(name);
        if (named.putIfAbsent(parameter, name) != null) {
            throw new IllegalStateException("parameter named twice: " + named.get(parameter) + " and " + name);
        }
        entries.add(new Entry(name, parameter, null));
        return this;
    }

    /** Adds a tensor that has no DJL parameter behind it. */
    TorchStateDict addMade(String name, Function<NDManager, NDArray> made) {
        claim(name);
        entries.add(new Entry(name, null, made));
        return this;
    }

    private void claim(String name) {
        if (!names.add(name)) {
            throw new IllegalStateException("two tensors named " + name);
        }
    }

    /**
     * A DJL {@link BatchNorm} as PyTorch's {@code BatchNorm1d/2d}: {@code weight} (γ), {@code bias} (β),
     * {@code running_mean}, {@code running_var}, {@code num_batches_tracked}. The last is an int64 scalar that DJL
     * does not keep; we store 0. PyTorch reads it only when a BN layer's momentum is None (a cumulative average,
     * factor 1/num_batches_tracked): with 0 the first batch of such fine-tuning starts the average afresh, which is
     * the only claim we can make, as our running statistics are an exponential average (torch momentum 0.1, DJL
     * 0.9), not a count of batches. With the default momentum 0.1, and in eval mode, the value is never used.
     */
    TorchStateDict addBatchNorm(String prefix, Block bn) {
        requireType(bn, BatchNorm.class, prefix);
        for (Pair<String, Parameter> p : bn.getDirectParameters()) {
            String suffix = switch (p.getKey()) {
                case "gamma" -> "weight";
                case "beta" -> "bias";
                case "runningMean" -> "running_mean";
                case "runningVar" -> "running_var";
                default -> throw new IllegalStateException("cannot name batch-norm parameter " + p.getKey()
                        + " of " + prefix);
            };
            add(prefix + "." + suffix, p.getValue());
        }
        return addMade(prefix + ".num_batches_tracked", m -> m.create(0L));
    }

    /** A {@link Linear} (or convolution): {@code weight}, and {@code bias} if it has one. */
    TorchStateDict addWeightAndBias(String prefix, Block layer) {
        for (Pair<String, Parameter> p : layer.getDirectParameters()) {
            if (!p.getKey().equals("weight") && !p.getKey().equals("bias")) {
                throw new IllegalStateException("cannot name parameter " + p.getKey() + " of " + prefix + " ("
                        + layer.getClass().getSimpleName() + ")");
            }
            add(prefix + "." + p.getKey(), p.getValue());
        }
        return this;
    }

    /** A DJL {@link LayerNorm} as PyTorch's: γ → {@code weight}, β → {@code bias}. */
    TorchStateDict addLayerNorm(String prefix, Block ln) {
        requireType(ln, LayerNorm.class, prefix);
        for (Pair<String, Parameter> p : ln.getDirectParameters()) {
            String suffix = switch (p.getKey()) {
                case "gamma" -> "weight";
                case "beta" -> "bias";
                default -> throw new IllegalStateException("cannot name layer-norm parameter " + p.getKey()
                        + " of " + prefix);
            };
            add(prefix + "." + suffix, p.getValue());
        }
        return this;
    }

    static void requireType(Block block, Class<? extends Block> type, String where) {
        if (!type.isInstance(block)) {
            throw new IllegalStateException("expected a " + type.getSimpleName() + " at " + where + ", found "
                    + block.getClass().getSimpleName() + ": the export's name mapping does not know this network");
        }
    }

    /** Fails unless every parameter of {@code block} has exactly one name here, naming the DJL path of the first that has none. */
    public TorchStateDict requireCovers(Block block) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (!named.containsKey(p.getValue())) {
                throw new IllegalStateException("no PyTorch name for parameter " + p.getKey() + " "
                        + p.getValue().getArray().getShape() + ": the export's name mapping does not know this part");
            }
        }
        if (named.size() != block.getParameters().size()) {
            throw new IllegalStateException("the export names " + named.size() + " parameters, the block has "
                    + block.getParameters().size());
        }
        return this;
    }

    /**
     * Writes the tensors as safetensors (DJL's encoder: 8-byte little-endian header length, JSON header of
     * dtype, shape and data offsets, then the raw little-endian data), copies of the parameters so the model's
     * own arrays keep their names.
     */
    public void write(Path file, SnapshotWriter.FileOpener files) throws IOException {
        try (NDManager scratch = NDManager.newBaseManager(ai.djl.Device.cpu());
                OutputStream out = new BufferedOutputStream(files.open(file))) {
            NDList list = new NDList(entries.size());
            for (Entry e : entries) {
                NDArray a;
                if (e.parameter() != null) {
                    NDArray p = e.parameter().getArray();
                    // a copy through a heap array: never a view of the model's memory
                    a = scratch.create(ByteBuffer.wrap(p.toByteArray()).order(ByteOrder.nativeOrder()), p.getShape(),
                            p.getDataType());
                } else {
                    a = e.made().apply(scratch);
                }
                a.setName(e.name());
                list.add(a);
            }
            list.encode(out, NDList.Encoding.SAFETENSORS);
        }
    }

    /** {@link #write(Path, SnapshotWriter.FileOpener)} to a plain file. */
    public void write(Path file) throws IOException {
        write(file, Files::newOutputStream);
    }
}
