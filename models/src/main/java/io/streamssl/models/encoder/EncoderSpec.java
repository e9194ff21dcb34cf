package io.streamssl.models.encoder;

import ai.djl.nn.Block;
import java.util.Locale;
import java.util.Objects;

/**
 * What encoder to build: architecture, stem and width. Immutable, so it can travel in config and in a
 * snapshot manifest and rebuild the identical block (parameter names and shapes) anywhere.
 *
 * @param arch architecture: {@code resnet18}, {@code resnet34}, {@code resnet50}, {@code vit-tiny},
 *     {@code vit-small}
 * @param stem the input stem; for a vision transformer it sets the patch size: CIFAR 4 (32 px images),
 *     IMAGENET 16 (224 px)
 * @param width ResNet: channels of the first stage; ViT: dimensions per attention head. 64 is the published
 *     network in both cases; smaller values give a narrower network with the same topology (used by fast
 *     tests and CPU demos)
 */
public record EncoderSpec(String arch, Stem stem, int width) {

    /** Every architecture by name. */
    public static final java.util.List<String> ARCHITECTURES =
            java.util.List.of("resnet18", "resnet34", "resnet50", "vit-tiny", "vit-small");

    public EncoderSpec {
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(stem, "stem");
        arch = arch.toLowerCase(Locale.ROOT);
        if (!ARCHITECTURES.contains(arch)) {
            throw new IllegalArgumentException(
                    "unknown encoder '" + arch + "': allowed are " + String.join(", ", ARCHITECTURES));
        }
        // below 8, libtorch 2.7.1's oneDNN 1×1-convolution backward kernel (AVX2) crashes the process (SIGSEGV)
        if (width < 8 || width > 512) {
            throw new IllegalArgumentException("encoder width must be in [8, 512], got " + width);
        }
    }

    /** ResNet-18, CIFAR stem, published width. */
    public static EncoderSpec resnet18Cifar() {
        return new EncoderSpec("resnet18", Stem.CIFAR, 64);
    }

    /** Size of the feature vector the encoder outputs (ResNet: after global average pooling; ViT: class token). */
    public int featureDim() {
        return isTransformer() ? VisionTransformer.featureDim(arch, width) : ResNet.featureDim(arch, width);
    }

    /** A new, uninitialised encoder block: input (N, 3, H, W) float, output (N, featureDim). */
    public Block build() {
        return isTransformer() ? VisionTransformer.build(this) : ResNet.build(this);
    }

    private boolean isTransformer() {
        return arch.startsWith("vit-");
    }

    /**
     * Fails unless this is a vision transformer: for the methods that mask or drop patch tokens (MAE, iBOT), which
     * a ResNet has not. The message names the method and the ViT choices of {@code trainer.encoder}.
     */
    public void requireTransformerFor(String method) {
        if (!isTransformer()) {
            throw new IllegalArgumentException(method + " needs a vision transformer: set trainer.encoder to one of "
                    + ARCHITECTURES.stream().filter(a -> a.startsWith("vit-")).toList() + ", got '" + arch + "'");
        }
    }
}
