package io.streamssl.models;

import java.util.Map;

/**
 * What one training step reports.
 *
 * @param step optimiser steps done after this one
 * @param loss the method's loss on this batch
 * @param learningRate the learning rate used
 * @param scalars method-specific values (e.g. {@code tau})
 * @param probeLabelled labelled images the probe scored
 * @param probeCorrect of those, classified correctly before the probe trained on them
 * @param images images in the batch
 * @param nanos wall time of the step
 */
public record StepResult(long step, float loss, float learningRate, Map<String, Double> scalars,
        int probeLabelled, int probeCorrect, int images, long nanos) {}
