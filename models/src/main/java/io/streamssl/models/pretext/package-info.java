/**
 * What the pretext tasks' augmentation ops and methods must agree on, in plain Java (no tensors, no Flink): the
 * jigsaw's fixed {@link io.streamssl.models.pretext.PermutationSet}, whose indices are the labels the pipeline's
 * jigsaw views carry and the {@code Jigsaw} method's classes.
 */
package io.streamssl.models.pretext;
