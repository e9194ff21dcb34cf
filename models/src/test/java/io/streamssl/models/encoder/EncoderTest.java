package io.streamssl.models.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

/** Every encoder builds, reports its feature dimension, and maps (N, 3, H, W) to (N, featureDim). */
class EncoderTest {

    @Test
    void publishedFeatureDimensions() {
        assertThat(new EncoderSpec("resnet18", Stem.CIFAR, 64).featureDim()).isEqualTo(512);
        assertThat(new EncoderSpec("resnet50", Stem.IMAGENET, 64).featureDim()).isEqualTo(2048);
        assertThat(new EncoderSpec("vit-tiny", Stem.CIFAR, 64).featureDim()).isEqualTo(192);
        assertThat(new EncoderSpec("vit-small", Stem.IMAGENET, 64).featureDim()).isEqualTo(384);
        assertThatThrownBy(() -> new EncoderSpec("vgg", Stem.CIFAR, 64))
                .hasMessageContaining("allowed are resnet18, resnet34, resnet50, vit-tiny, vit-small");
    }

    @Test
    void resnetsMapImagesToFeatures() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertForward(m, new EncoderSpec("resnet18", Stem.CIFAR, 8), 32);
            assertForward(m, new EncoderSpec("resnet18", Stem.IMAGENET, 8), 64);
            assertForward(m, new EncoderSpec("resnet50", Stem.CIFAR, 8), 32);
        }
    }

    @Test
    void visionTransformersMapImagesToFeaturesAndTakeSmallerCrops() {
        try (NDManager m = NDManager.newBaseManager()) {
            // ViT-Tiny with 8 dims per head (D = 24), patch 4 at 32 px: 64 patches + the class token
            Block vit = assertForward(m, new EncoderSpec("vit-tiny", Stem.CIFAR, 8), 32);
            NDArray local = m.randomNormal(new Shape(2, 3, 16, 16)); // a multi-crop local view: 16 patches
            NDArray y = vit.forward(new ParameterStore(m, false), new NDList(local), true).singletonOrThrow();
            assertThat(y.getShape()).isEqualTo(new Shape(2, 24));
            assertForward(m, new EncoderSpec("vit-small", Stem.IMAGENET, 8), 32); // patch 16: 2×2 patches
        }
    }

    static Block assertForward(NDManager m, EncoderSpec spec, int side) {
        Block b = spec.build();
        b.initialize(m, DataType.FLOAT32, new Shape(2, 3, side, side));
        NDArray x = m.randomNormal(new Shape(2, 3, side, side));
        NDArray y = b.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
        assertThat(y.getShape()).as(spec.toString()).isEqualTo(new Shape(2, spec.featureDim()));
        assertThat(y.isNaN().any().getBoolean()).as(spec + " output has no NaN").isFalse();
        return b;
    }

    @Test
    void theLastStageMapAveragesToTheEncodersFeatures() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (EncoderSpec spec : new EncoderSpec[] {new EncoderSpec("resnet18", Stem.CIFAR, 8),
                    new EncoderSpec("resnet18", Stem.IMAGENET, 8)}) {
                Block b = spec.build();
                b.initialize(m, DataType.FLOAT32, new Shape(2, 3, 64, 64));
                NDArray x = m.randomNormal(new Shape(2, 3, 64, 64));
                ParameterStore ps = new ParameterStore(m, false);
                NDArray y = b.forward(ps, new NDList(x), false).singletonOrThrow();
                NDArray map = StageFeatureMap.of(b, ps, x, false);
                int side = spec.stem() == Stem.CIFAR ? 8 : 2; // 64/8 and 64/32
                assertThat(map.getShape()).as(spec.toString()).isEqualTo(new Shape(2, spec.featureDim(), side, side));
                float[] pooled = map.mean(new int[] {3}).mean(new int[] {2}).toFloatArray();
                float[] features = y.toFloatArray();
                for (int i = 0; i < features.length; i++) {
                    assertThat(pooled[i]).as("%s feature %d", spec, i)
                            .isCloseTo(features[i], org.assertj.core.data.Offset.offset(1e-4f));
                }
            }
            assertThat(StageFeatureMap.supports(new EncoderSpec("vit-tiny", Stem.CIFAR, 8))).isFalse();
            Block vit = new EncoderSpec("vit-tiny", Stem.CIFAR, 8).build();
            assertThatThrownBy(() -> StageFeatureMap.of(vit, new ParameterStore(m, false), m.zeros(new Shape(1, 3, 32,
                    32)), false)).hasMessageContaining("needs a ResNet encoder");
        }
    }
}
