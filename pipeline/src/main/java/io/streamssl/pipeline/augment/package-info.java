/**
 * Augmentation of decoded stream images into the views self-supervised methods learn from, with torchvision's
 * semantics, over plain {@link io.streamssl.connectors.decode.RgbImage} buffers (no Flink types). Decoding is in
 * {@code io.streamssl.connectors.decode}.
 *
 * <pre>{@code
 * ImageDecoder decoder = new ImageDecoder(DecodeLimits.DEFAULT);
 * MultiViewAugmenter augmenter = AugmentationPresets.create("byol", runSeed, Map.of());
 * RgbImage[] views = augmenter.apply(decoder.decode(bytes, ImageDecoder.JPEG, 0, 0), imageId, epoch);
 * }</pre>
 *
 * <ul>
 *   <li>{@link io.streamssl.pipeline.augment.ViewPipeline}: one view — RandomResizedCrop (torchvision's sampling,
 *       antialiased bilinear) and flip, then a list of {@link io.streamssl.pipeline.augment.ViewOp}s each with
 *       its probability: ColorJitter in random order, grayscale, Gaussian blur, solarize — each op its own class
 *       with its maths in the Javadoc.</li>
 *   <li>{@link io.streamssl.pipeline.augment.AugmentationPresets}: one per
 *       {@link io.streamssl.models.method.AugmentationPresetName} (simclr, mocov2, byol, dino with multi-crop,
 *       cifar-asymmetric, cifar-symmetric, and PIRL's jigsaw) with their papers' numbers, sizes and counts
 *       overridable; and {@code forViewPlan}, the augmentation of a method's view plan, which the job runs.</li>
 *   <li>{@link io.streamssl.pipeline.augment.JigsawView}: a 3×3 grid of tiles shuffled by a permutation of the
 *       fixed {@link io.streamssl.models.pretext.PermutationSet}, whose index is the view's jigsaw label.</li>
 *   <li>{@link io.streamssl.pipeline.augment.MultiViewAugmenter}: the views of one image, each seeded from
 *       (run seed, image id, epoch, view) alone, so a restored job replays the same bytes.</li>
 * </ul>
 *
 * Normalisation (mean/std) is not done here: views travel as 8-bit HWC and are normalised on the trainer's
 * device.
 */
package io.streamssl.pipeline.augment;
