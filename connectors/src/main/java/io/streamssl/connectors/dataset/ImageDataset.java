package io.streamssl.connectors.dataset;

import java.util.List;

/** A finite, ordered collection of images the producer can publish (one pass = one epoch). */
public interface ImageDataset extends Iterable<LabeledImage> {

    /** Short name, recorded in the {@code source} header. */
    String name();

    /** Number of images in one pass. */
    long size();

    /** Class names by label index (empty when unlabelled). */
    List<String> classes();
}
