package io.streamssl.pipeline.augment;

import io.streamssl.connectors.decode.RgbImage;
import java.util.SplittableRandom;

/**
 * Makes one view of an image. All randomness comes from the {@code random} passed in, so the same seed gives
 * the same bytes in any thread or subtask. {@link ViewPipeline} is the implementation the presets use.
 */
public interface ViewTransform {

    RgbImage apply(RgbImage source, SplittableRandom random);

    /** The side length of the square views this transform makes (so batches can be shaped before any view). */
    int outputSize();
}
