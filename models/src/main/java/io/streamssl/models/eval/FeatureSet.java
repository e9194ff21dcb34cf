package io.streamssl.models.eval;

import java.util.Objects;

/**
 * Labelled feature vectors, row-major in one array (a 50,000 × 512 bank is one 100 MB array rather than 50,000
 * objects): row {@code i} is {@code values[i * dim .. (i + 1) * dim)} with label {@code labels[i]}.
 *
 * @param values count × dim floats
 * @param dim features per row
 * @param labels one class index in [0, classes) per row
 * @param classes number of classes (labels need not cover them all)
 */
public record FeatureSet(float[] values, int dim, int[] labels, int classes) {

    public FeatureSet {
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(labels, "labels");
        if (dim <= 0) {
            throw new IllegalArgumentException("feature dimension must be positive, got " + dim);
        }
        if (classes < 2) {
            throw new IllegalArgumentException("an evaluation needs at least 2 classes, got " + classes);
        }
        if ((long) labels.length * dim != values.length) {
            throw new IllegalArgumentException(labels.length + " labels need " + ((long) labels.length * dim)
                    + " values of dimension " + dim + ", got " + values.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("row " + i + " has label " + labels[i] + ", outside [0, "
                        + classes + "): evaluation needs labelled images");
            }
        }
    }

    /** Number of rows. */
    public int count() {
        return labels.length;
    }

    /** A copy of row {@code i}. */
    public float[] row(int i) {
        float[] r = new float[dim];
        System.arraycopy(values, i * dim, r, 0, dim);
        return r;
    }
}
