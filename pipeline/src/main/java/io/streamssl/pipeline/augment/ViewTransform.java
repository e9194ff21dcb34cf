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

    /**
     * Whether the view carries a pretext target ({@link #target}): the label of a rotation or a jigsaw view, what a
     * pretext method learns to predict.
     */
    default boolean hasTarget() {
        return false;
    }

    /**
     * The pretext target of the view made with a generator seeded {@code viewSeed}, recomputed from the seed alone
     * (so a replayed view's target is its first use's), or -1 when {@link #hasTarget()} is false.
     */
    default int target(long viewSeed) {
        return -1;
    }

    /**
     * The index of the view whose seed makes this view, when it is view {@code view}: its own, or an earlier one's
     * when two views must be cut from one draw (a relative-patch neighbour and its centre, {@link RelativePatchView}).
     */
    default int seedView(int view) {
        return view;
    }
}
