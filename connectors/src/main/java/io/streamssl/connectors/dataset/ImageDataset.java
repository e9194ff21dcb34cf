package io.streamssl.connectors.dataset;

import java.util.List;

/**
 * A finite, ordered collection of images the producer can publish (one pass = one epoch). Iteration reads the
 * images in data-set order; {@link #image} reads one by its index, so that a {@link StreamOrder} can send them in
 * another order without holding them all in memory.
 */
public interface ImageDataset extends Iterable<LabeledImage> {

    /** Short name, recorded in the {@code source} header. */
    String name();

    /** Number of images in one pass. */
    long size();

    /** Class names by label index (empty when unlabelled). */
    List<String> classes();

    /** Image {@code index} (0-based, in data-set order), read on its own; the same image iteration gives there. */
    LabeledImage image(long index);

    /**
     * The label of every image in data-set order (-1 for an unlabelled one). This default reads every image once,
     * one at a time; data sets that can read labels alone override it.
     *
     * @throws IllegalStateException if the data set has more images than an array can index
     */
    default int[] labels() {
        int[] labels = new int[arrayLength(this)];
        int i = 0;
        for (LabeledImage image : this) {
            labels[i++] = image.label();
        }
        return labels;
    }

    /** {@code dataset.size()} as an array length, or a clear error when it is too large for one. */
    static int arrayLength(ImageDataset dataset) {
        long n = dataset.size();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(dataset.name() + " has " + n + " images, too many to order (at most "
                    + (Integer.MAX_VALUE - 8) + ")");
        }
        return (int) n;
    }
}
