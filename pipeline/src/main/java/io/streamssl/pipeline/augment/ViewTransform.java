package io.streamssl.pipeline.augment;

import java.util.SplittableRandom;

/**
 * Makes one view of an image. All randomness comes from the {@code random} passed in, so the same seed gives
 * the same bytes in any thread or subtask.
 */
@FunctionalInterface
public interface ViewTransform {

    RgbImage apply(RgbImage source, SplittableRandom random);
}
