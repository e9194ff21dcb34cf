package io.streamssl.models.encoder;

import ai.djl.nn.Block;
import java.util.Locale;
import java.util.Objects;

/**
 * What encoder to build: architecture, stem and width. Immutable, so it can travel in config and in a
 * snapshot manifest and rebuild the identical block (parameter names and shapes) anywhere.
 *
 * @param arch architecture name, e.g. {@code resnet18}
 * @param stem the input stem
 * @param width channels of the first stage; 64 is the published network, smaller values give a narrower
 *     network with the same topology (used by fast tests and CPU demos)
 */
public record EncoderSpec(String arch, Stem stem, int width) {

    public EncoderSpec {
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(stem, "stem");
        arch = arch.toLowerCase(Locale.ROOT);
        if (!ResNet.supports(arch)) {
            throw new IllegalArgumentException(
                    "unknown encoder '" + arch + "': allowed are " + String.join(", ", ResNet.ARCHITECTURES));
        }
        if (width < 4 || width > 512) {
            throw new IllegalArgumentException("encoder width must be in [4, 512], got " + width);
        }
    }

    /** ResNet-18, CIFAR stem, published width. */
    public static EncoderSpec resnet18Cifar() {
        return new EncoderSpec("resnet18", Stem.CIFAR, 64);
    }

    /** Size of the feature vector the encoder outputs (after global average pooling). */
    public int featureDim() {
        return ResNet.featureDim(arch, width);
    }

    /** A new, uninitialised encoder block: input (N, 3, H, W) float, output (N, featureDim). */
    public Block build() {
        return ResNet.build(this);
    }
}
