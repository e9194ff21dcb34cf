package io.streamssl.pipeline.replay;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The {@code replay.policy} values: which samples a full buffer keeps. */
public enum ReplayPolicy {
    /** No buffer: every training sample is a fresh record (repeated under replay.updates-per-sample). */
    NONE,
    /** The newest {@code capacity} records. */
    FIFO,
    /** A uniform sample of every record seen (Vitter's algorithm R). */
    RESERVOIR,
    /**
     * Minimum redundancy (Purushwalkam et al., "The Challenges of Continuous Self-Supervised Learning", ECCV 2022):
     * when full, the sample whose embedding is most similar to its nearest neighbour in the buffer goes.
     */
    MINRED;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(ReplayPolicy::configName).toList();
    }

    /** @throws IllegalArgumentException naming the key and the allowed values */
    public static ReplayPolicy parse(String key, String value) {
        for (ReplayPolicy p : values()) {
            if (p.configName().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("config key '" + key + "' must be one of " + names() + ", got '" + value
                + "'");
    }
}
