package io.streamssl.pipeline.augment;

import java.util.SplittableRandom;

/**
 * One operation of a view after its crop (torchvision's transforms between {@code RandomResizedCrop} and the
 * conversion to bytes): colour jitter, grayscale, blur, solarize. A view is its crop and a list of ops, each
 * applied with a probability:
 *
 * <pre>{@code
 * ViewPipeline.builder().setSize(224).add(new ColorJitter(0.4, 0.4, 0.2, 0.1), 0.8).add(new Grayscale(), 0.2)
 *         .add(GaussianBlur.forViewSize(224), 1.0).add(new Solarization(), 0).build();
 * }</pre>
 *
 * {@link ViewPipeline} draws one number to decide whether an op runs (also at probability 0, as torchvision's
 * {@code RandomApply}), then the op draws what else it needs from the same generator: the draws of every op are
 * part of the bytes a restored job must replay, so an op never draws from anything else. Implementations are
 * immutable and thread-safe.
 */
public interface ViewOp {

    /**
     * Changes the view in place.
     *
     * @param pixels the view: {@code size × size} pixels, row-major HWC floats on the 0–255 scale; the array may
     *     be longer (per-thread scratch memory), the rest is not the op's
     * @param size the side of the square view
     */
    void apply(float[] pixels, int size, SplittableRandom random);

    /** The stage of {@link ViewPipeline}'s profile (see the benchmark) that counts this op's time. */
    ViewPipeline.Stage stage();
}
