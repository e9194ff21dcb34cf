package io.streamssl.models;

import java.util.Map;

/**
 * What one training step reports.
 *
 * @param step optimiser steps done after this one (a skipped step leaves it as it was)
 * @param loss the method's loss on this batch (NaN or infinite when {@code skipped})
 * @param learningRate the learning rate used (or that would have been used)
 * @param scalars method-specific values (e.g. {@code tau}); empty when {@code skipped}
 * @param probeLabelled labelled images the probe scored
 * @param probeCorrect of those, classified correctly before the probe trained on them
 * @param images images in the batch
 * @param nanos wall time of the step
 * @param skipped the loss was not finite, so nothing changed: no optimiser step, no teacher, queue or centre
 *     update, batch-norm running statistics as before, the probe untouched, and neither {@code step} nor the
 *     trained-image count advanced
 */
public record StepResult(long step, float loss, float learningRate, Map<String, Double> scalars,
        int probeLabelled, int probeCorrect, int images, long nanos, boolean skipped) {

    /** A step that trained. */
    public StepResult(long step, float loss, float learningRate, Map<String, Double> scalars, int probeLabelled,
            int probeCorrect, int images, long nanos) {
        this(step, loss, learningRate, scalars, probeLabelled, probeCorrect, images, nanos, false);
    }

    /** A step skipped because its loss was {@code loss}, not finite; {@code step} is the unchanged step count. */
    public static StepResult skipped(long step, float loss, float learningRate, int images, long nanos) {
        return new StepResult(step, loss, learningRate, Map.of(), 0, 0, images, nanos, true);
    }
}
