package io.streamssl.models.encoder;

/**
 * The first layers of a ResNet. {@link #CIFAR}: one 3×3 stride-1 convolution and no max-pool, so a
 * 32 px image keeps its resolution (solo-learn and lightly do the same for CIFAR). {@link #IMAGENET}: the
 * original 7×7 stride-2 convolution followed by a 3×3 stride-2 max-pool.
 */
public enum Stem {
    CIFAR,
    IMAGENET;

    /** Parses a config value ("cifar" or "imagenet"), naming the allowed values when it is neither. */
    public static Stem parse(String value) {
        for (Stem s : values()) {
            if (s.name().equalsIgnoreCase(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown stem '" + value + "': allowed are cifar, imagenet");
    }
}
