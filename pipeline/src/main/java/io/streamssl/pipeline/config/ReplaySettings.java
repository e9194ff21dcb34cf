package io.streamssl.pipeline.config;

import io.streamssl.pipeline.replay.ReplayPolicy;
import java.io.Serializable;

/**
 * The {@code replay.*} keys, checked: the buffer's policy and capacity, the share of replayed samples and the
 * budget per record (README "Continual pretraining").
 *
 * @param policy the buffer's admission/eviction rule; {@link ReplayPolicy#NONE} = no buffer
 * @param capacity samples the buffer holds
 * @param ratio fraction of training samples drawn from the buffer (0 with no buffer)
 * @param updatesPerSample training samples each incoming record pays for
 * @param imageSize side of the stored images (augment.size): a replay is augmented from the image at this size
 * @param seed the run seed: draws and reservoir decisions are pure functions of it and the counters
 */
public record ReplaySettings(ReplayPolicy policy, int capacity, double ratio, double updatesPerSample,
        int imageSize, long seed) implements Serializable {

    /** Bytes of one stored image. */
    public long imageBytes() {
        return 3L * imageSize * imageSize;
    }

    public boolean buffered() {
        return policy != ReplayPolicy.NONE;
    }

    /** Samples are used more than once (a buffer, or repeats of fresh records): the trainer re-augments them. */
    public boolean reuses() {
        return buffered() || updatesPerSample != 1.0;
    }
}
