package io.streamssl.models.snapshot;

import ai.djl.nn.Block;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import io.streamssl.models.encoder.ResNet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * torchvision's {@code ResNet.state_dict()} names (without {@code fc}) for our {@link ResNet} blocks:
 * {@code conv1.weight}, {@code bn1.*}, then {@code layerS.B.conv1.weight}, {@code layerS.B.bn1.*}, ...
 * ({@code conv1..conv2} in a basic block, {@code conv1..conv3} in a bottleneck) and
 * {@code layerS.B.downsample.0.weight}, {@code layerS.B.downsample.1.*} for a projecting shortcut.
 *
 * <p>It walks the block tree: the stem's convolution and batch norm, then each residual block (a sequential of a
 * parallel [main branch, shortcut] and a ReLU). A stage starts where a block's output width changes; the number
 * of blocks per stage is checked against the architecture. Any other shape of tree fails the export with the
 * place it did not recognise.
 */
final class TorchvisionNames {

    private TorchvisionNames() {}

    static TorchStateDict resnet(String arch, Block net) {
        TorchStateDict dict = new TorchStateDict();
        int stemConvs = 0;
        int stemNorms = 0;
        List<Integer> blocksPerStage = new ArrayList<>();
        long stageWidth = -1;
        int convsPerBlock = ResNet.bottleneck(arch) ? 3 : 2;
        for (Block child : net.getChildren().values()) {
            if (child instanceof Conv2d && stemConvs == 0 && blocksPerStage.isEmpty()) {
                dict.addWeightAndBias("conv1", child);
                stemConvs++;
            } else if (child instanceof BatchNorm && stemNorms == 0 && blocksPerStage.isEmpty()) {
                dict.addBatchNorm("bn1", child);
                stemNorms++;
            } else if (isResidual(child)) {
                Block main = child.getChildren().valueAt(0).getChildren().valueAt(0);
                long width = outputWidth(main);
                if (width != stageWidth) {
                    blocksPerStage.add(0);
                    stageWidth = width;
                }
                int stage = blocksPerStage.size();
                int index = blocksPerStage.get(stage - 1);
                blocksPerStage.set(stage - 1, index + 1);
                String prefix = "layer" + stage + "." + index;
                residual(dict, prefix, child, convsPerBlock);
            } else if (!child.getParameters().isEmpty()) {
                throw new IllegalStateException("cannot name the " + child.getClass().getSimpleName() + " in "
                        + arch + " after " + blocksPerStage + " residual blocks");
            }
        }
        int[] expected = ResNet.blocksPerStage(arch);
        int[] found = blocksPerStage.stream().mapToInt(Integer::intValue).toArray();
        if (stemConvs != 1 || stemNorms != 1 || !Arrays.equals(expected, found)) {
            throw new IllegalStateException(arch + " should have a stem conv + BN and blocks per stage "
                    + Arrays.toString(expected) + ", found " + stemConvs + " conv, " + stemNorms + " BN and "
                    + Arrays.toString(found));
        }
        return dict.requireCovers(net);
    }

    /** A residual block: a sequential whose first child is a parallel of the main branch and the shortcut. */
    private static boolean isResidual(Block b) {
        return b instanceof SequentialBlock && !b.getChildren().isEmpty()
                && b.getChildren().valueAt(0) instanceof ParallelBlock;
    }

    /** Channels out of the main branch: the size of its last batch norm's γ. */
    private static long outputWidth(Block main) {
        long width = -1;
        for (Block b : main.getChildren().values()) {
            if (b instanceof BatchNorm) {
                width = b.getDirectParameters().get("gamma").getArray().getShape().get(0);
            }
        }
        return width;
    }

    private static void residual(TorchStateDict dict, String prefix, Block block, int convs) {
        Block parallel = block.getChildren().valueAt(0);
        if (parallel.getChildren().size() != 2) {
            throw new IllegalStateException(prefix + ": a residual block has a main branch and a shortcut, found "
                    + parallel.getChildren().size() + " branches");
        }
        Block main = parallel.getChildren().valueAt(0);
        int conv = 0;
        int norm = 0;
        for (Block b : main.getChildren().values()) {
            if (b instanceof Conv2d) {
                requireNoBias(prefix, b);
                dict.addWeightAndBias(prefix + ".conv" + (++conv), b);
            } else if (b instanceof BatchNorm) {
                dict.addBatchNorm(prefix + ".bn" + (++norm), b);
            } else if (!b.getParameters().isEmpty()) {
                throw new IllegalStateException("cannot name the " + b.getClass().getSimpleName() + " in " + prefix);
            }
        }
        if (conv != convs || norm != convs) {
            throw new IllegalStateException(prefix + " should have " + convs + " convolutions and batch norms, found "
                    + conv + " and " + norm);
        }
        Block shortcut = parallel.getChildren().valueAt(1);
        if (shortcut.getParameters().isEmpty()) {
            return; // identity
        }
        List<Block> parts = shortcut.getChildren().values();
        if (parts.size() != 2 || !(parts.get(0) instanceof Conv2d) || !(parts.get(1) instanceof BatchNorm)) {
            throw new IllegalStateException(prefix + ": a projecting shortcut is conv 1x1 + BN, found " + parts);
        }
        requireNoBias(prefix, parts.get(0));
        dict.addWeightAndBias(prefix + ".downsample.0", parts.get(0));
        dict.addBatchNorm(prefix + ".downsample.1", parts.get(1));
    }

    private static void requireNoBias(String prefix, Block conv) {
        if (conv.getDirectParameters().contains("bias")) {
            throw new IllegalStateException(prefix + ": torchvision's ResNet convolutions have no bias");
        }
    }
}
