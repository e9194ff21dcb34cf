package io.streamssl.cli.bench;

import io.streamssl.connectors.dataset.ImageDataset;
import io.streamssl.connectors.dataset.LabeledImage;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The first {@code perClass} images of every class of a labelled data set, in data-set order: a class-balanced
 * subset (CIFAR-10 with 320 per class: 3,200 images), so that each phase of a class-incremental stream holds as
 * many images as any other. Reads the base's labels once and each image by its index on demand.
 */
final class BalancedSubset implements ImageDataset {

    private final ImageDataset base;
    private final int[] indices;
    private final int[] labels;

    /**
     * @throws IllegalArgumentException if {@code perClass < 1}, an image is unlabelled, or a class has fewer than
     *     {@code perClass} images
     */
    BalancedSubset(ImageDataset base, int perClass) {
        if (perClass < 1) {
            throw new IllegalArgumentException("a balanced subset needs at least 1 image per class, got " + perClass);
        }
        int[] all = base.labels();
        int classes = Math.max(base.classes().size(), Arrays.stream(all).max().orElse(-1) + 1);
        int[] taken = new int[classes];
        int[] chosen = new int[classes * perClass];
        int n = 0;
        for (int i = 0; i < all.length && n < chosen.length; i++) {
            int label = all[i];
            if (label < 0) {
                throw new IllegalArgumentException(base.name() + " image " + i + " has no label: a class-balanced"
                        + " subset needs every image labelled");
            }
            if (taken[label] < perClass) {
                taken[label]++;
                chosen[n++] = i;
            }
        }
        for (int c = 0; c < classes; c++) {
            if (taken[c] < perClass) {
                throw new IllegalArgumentException(base.name() + " has " + taken[c] + " images of class " + c
                        + ", fewer than the " + perClass + " per class asked for");
            }
        }
        Arrays.sort(chosen); // data-set order
        this.base = base;
        this.indices = chosen;
        this.labels = new int[chosen.length];
        for (int i = 0; i < chosen.length; i++) {
            labels[i] = all[chosen[i]];
        }
    }

    @Override
    public String name() {
        return base.name();
    }

    @Override
    public long size() {
        return indices.length;
    }

    @Override
    public List<String> classes() {
        return base.classes();
    }

    @Override
    public LabeledImage image(long index) {
        return base.image(indices[Math.toIntExact(index)]);
    }

    @Override
    public int[] labels() {
        return labels.clone();
    }

    @Override
    public Iterator<LabeledImage> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < indices.length;
            }

            @Override
            public LabeledImage next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return image(next++);
            }
        };
    }
}
