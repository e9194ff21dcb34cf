package io.streamssl.models.eval;

import io.streamssl.models.snapshot.SnapshotEncoder;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Objects;

/**
 * The frozen features of labelled images: batches of same-sized images through a {@link SnapshotEncoder} in
 * inference mode (batch-norm running statistics), collected with their labels for {@link WeightedKnn} and
 * {@link LogisticRegressionProbe}.
 *
 * <pre>{@code
 * FeatureSet train = new FeatureExtractor(encoder, 256).extract(images, 10_000, 10, (done, total) -> {});
 * }</pre>
 *
 * <p>A batch ends early where the image size changes, so images of several sizes are fine (each size must be
 * one the encoder accepts).
 */
public final class FeatureExtractor {

    /** Told after each batch how many images are done out of how many are wanted. */
    @FunctionalInterface
    public interface Progress {
        void done(int done, int total);
    }

    private final SnapshotEncoder encoder;
    private final int batchSize;

    /** @param batchSize images per forward pass, ≥ 1 */
    public FeatureExtractor(SnapshotEncoder encoder, int batchSize) {
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        if (batchSize < 1) {
            throw new IllegalArgumentException("feature batch size must be at least 1, got " + batchSize);
        }
        this.batchSize = batchSize;
    }

    /**
     * The features of the first {@code limit} images (fewer if {@code images} ends first).
     *
     * @param classes number of classes of the data set
     */
    public FeatureSet extract(Iterator<LabeledPixels> images, int limit, int classes, Progress progress) {
        int dim = encoder.manifest().encoder().featureDim();
        float[] values = new float[Math.multiplyExact(limit, dim)];
        int[] labels = new int[limit];
        int n = 0;
        LabeledPixels[] batch = new LabeledPixels[batchSize];
        int inBatch = 0;
        while (n + inBatch < limit && images.hasNext()) {
            LabeledPixels image = images.next();
            if (inBatch > 0 && (image.height() != batch[0].height() || image.width() != batch[0].width())) {
                n = embed(batch, inBatch, values, labels, n, dim);
                inBatch = 0;
                progress.done(n, limit);
            }
            batch[inBatch++] = image;
            if (inBatch == batchSize) {
                n = embed(batch, inBatch, values, labels, n, dim);
                inBatch = 0;
                progress.done(n, limit);
            }
        }
        if (inBatch > 0) {
            n = embed(batch, inBatch, values, labels, n, dim);
            progress.done(n, limit);
        }
        return new FeatureSet(n == limit ? values : Arrays.copyOf(values, n * dim), dim,
                n == limit ? labels : Arrays.copyOf(labels, n), classes);
    }

    private int embed(LabeledPixels[] batch, int count, float[] values, int[] labels, int offset, int dim) {
        int h = batch[0].height();
        int w = batch[0].width();
        int bytes = h * w * 3;
        byte[] rgb = new byte[count * bytes];
        for (int i = 0; i < count; i++) {
            System.arraycopy(batch[i].rgb(), 0, rgb, i * bytes, bytes);
            labels[offset + i] = batch[i].label();
            batch[i] = null;
        }
        float[] features = encoder.embed(rgb, count, h, w);
        System.arraycopy(features, 0, values, offset * dim, count * dim);
        return offset + count;
    }
}
