package io.streamssl.models.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import java.util.List;

/**
 * The spatial feature map of a ResNet's last stage, (N, C, h, w), what its pooled features (N, C) average: the
 * input of dense targets such as OBoW's bags of visual words. A ResNet built by {@link ResNet} is a
 * {@link SequentialBlock} whose last two children are global average pooling and flatten; this runs every child
 * but those two, the same blocks with the same parameters (so a teacher's map comes from the teacher's weights).
 * h = w = side/8 with the CIFAR stem, side/32 with the ImageNet stem. A vision transformer has no such map.
 */
public final class StageFeatureMap {

    /** Children after the last stage: global average pooling, then flatten. */
    private static final int POOLING_CHILDREN = 2;

    private StageFeatureMap() {}

    /** Whether {@code spec} builds an encoder with a spatial last stage (a ResNet). */
    public static boolean supports(EncoderSpec spec) {
        return ResNet.supports(spec.arch());
    }

    /** The shape (N, C, h, w) of the map of images shaped {@code input}, through an initialised ResNet encoder. */
    public static ai.djl.ndarray.types.Shape shape(Block encoder, ai.djl.ndarray.types.Shape input) {
        if (!(encoder instanceof SequentialBlock)) {
            throw new IllegalArgumentException("a stage feature map needs a ResNet encoder (a SequentialBlock), got "
                    + encoder.getClass().getSimpleName());
        }
        List<Block> children = encoder.getChildren().values();
        ai.djl.ndarray.types.Shape[] x = {input};
        for (int i = 0; i < children.size() - POOLING_CHILDREN; i++) {
            x = children.get(i).getOutputShapes(x);
        }
        return x[0];
    }

    /** The last stage's map of {@code images} (N, 3, H, W) through {@code encoder} (built from a ResNet spec). */
    public static NDArray of(Block encoder, ParameterStore ps, NDArray images, boolean training) {
        if (!(encoder instanceof SequentialBlock)) {
            throw new IllegalArgumentException("a stage feature map needs a ResNet encoder (a SequentialBlock), got "
                    + encoder.getClass().getSimpleName());
        }
        List<Block> children = encoder.getChildren().values();
        NDList x = new NDList(images);
        for (int i = 0; i < children.size() - POOLING_CHILDREN; i++) {
            x = children.get(i).forward(ps, x, training);
        }
        NDArray map = x.singletonOrThrow();
        if (map.getShape().dimension() != 4) {
            throw new IllegalStateException("the encoder's last stage gave " + map.getShape() + ", not (N, C, h, w)");
        }
        return map;
    }
}
