package io.streamssl.models.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.List;
import java.util.Map;

/**
 * ResNet v1 (He et al. 2015, "Deep Residual Learning for Image Recognition"), built from DJL blocks: ResNet-18
 * and -34 with basic blocks, ResNet-50 with bottleneck blocks. Input (N, 3, H, W) float; output (N, 8·width),
 * or (N, 32·width) for ResNet-50, after global average pooling (no classifier).
 *
 * <p>Stages: 4 stages of basic blocks with [w, 2w, 4w, 8w] channels, stride 1, 2, 2, 2; a block is
 * conv3×3-BN-ReLU-conv3×3-BN plus a shortcut (identity, or conv1×1-BN when the shape changes), then ReLU.
 */
public final class ResNet {

    static final List<String> ARCHITECTURES = List.of("resnet18", "resnet34", "resnet50");
    private static final Map<String, int[]> BLOCKS_PER_STAGE = Map.of("resnet18", new int[] {2, 2, 2, 2},
            "resnet34", new int[] {3, 4, 6, 3}, "resnet50", new int[] {3, 4, 6, 3});
    /** Bottleneck blocks widen their output 4×: ResNet-50 outputs 32·width (2048 at width 64). */
    private static final int BOTTLENECK_EXPANSION = 4;

    private ResNet() {}

    static boolean supports(String arch) {
        return BLOCKS_PER_STAGE.containsKey(arch);
    }

    static int featureDim(String arch, int width) {
        return 8 * width * (bottleneck(arch) ? BOTTLENECK_EXPANSION : 1);
    }

    /** Whether {@code arch} is built from bottleneck blocks (ResNet-50) rather than basic blocks. */
    public static boolean bottleneck(String arch) {
        return arch.equals("resnet50");
    }

    /** Residual blocks in each of the four stages of {@code arch}. */
    public static int[] blocksPerStage(String arch) {
        int[] blocks = BLOCKS_PER_STAGE.get(arch);
        if (blocks == null) {
            throw new IllegalArgumentException("not a ResNet: " + arch + "; allowed are " + ARCHITECTURES);
        }
        return blocks.clone();
    }

    static Block build(EncoderSpec spec) {
        int w = spec.width();
        SequentialBlock net = new SequentialBlock();
        if (spec.stem() == Stem.CIFAR) {
            net.add(conv(w, 3, 1, 1)).add(BatchNorm.builder().build()).add(Activation.reluBlock());
        } else {
            net.add(conv(w, 7, 2, 3))
                    .add(BatchNorm.builder().build())
                    .add(Activation.reluBlock())
                    .add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
        }
        int[] blocks = BLOCKS_PER_STAGE.get(spec.arch());
        boolean bottleneck = bottleneck(spec.arch());
        int in = w;
        for (int stage = 0; stage < 4; stage++) {
            int mid = w << stage;
            int out = bottleneck ? mid * BOTTLENECK_EXPANSION : mid;
            for (int b = 0; b < blocks[stage]; b++) {
                int stride = (stage > 0 && b == 0) ? 2 : 1;
                boolean project = stride != 1 || in != out;
                net.add(bottleneck ? bottleneckBlock(mid, out, stride, project) : basicBlock(out, stride, project));
                in = out;
            }
        }
        net.add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock());
        return net;
    }

    private static Block basicBlock(int channels, int stride, boolean projectShortcut) {
        SequentialBlock main = new SequentialBlock()
                .add(conv(channels, 3, stride, 1))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(conv(channels, 3, 1, 1))
                .add(BatchNorm.builder().build());
        Block shortcut = projectShortcut
                ? new SequentialBlock().add(conv(channels, 1, stride, 0)).add(BatchNorm.builder().build())
                : Blocks.identityBlock();
        return new SequentialBlock()
                .add(new ParallelBlock(ResNet::sum, List.of(main, shortcut)))
                .add(Activation.reluBlock());
    }

    /**
     * ResNet-50's block (the torchvision "v1.5" form, stride on the 3×3): conv1×1(mid)-BN-ReLU,
     * conv3×3(mid, stride)-BN-ReLU, conv1×1(out)-BN, plus the shortcut, then ReLU.
     */
    private static Block bottleneckBlock(int mid, int out, int stride, boolean projectShortcut) {
        SequentialBlock main = new SequentialBlock()
                .add(conv(mid, 1, 1, 0))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(conv(mid, 3, stride, 1))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(conv(out, 1, 1, 0))
                .add(BatchNorm.builder().build());
        Block shortcut = projectShortcut
                ? new SequentialBlock().add(conv(out, 1, stride, 0)).add(BatchNorm.builder().build())
                : Blocks.identityBlock();
        return new SequentialBlock()
                .add(new ParallelBlock(ResNet::sum, List.of(main, shortcut)))
                .add(Activation.reluBlock());
    }

    private static NDList sum(List<NDList> branches) {
        NDArray a = branches.get(0).singletonOrThrow();
        NDArray b = branches.get(1).singletonOrThrow();
        return new NDList(a.add(b));
    }

    private static Block conv(int filters, int kernel, int stride, int pad) {
        return Conv2d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(pad, pad))
                .optBias(false)
                .build();
    }
}
