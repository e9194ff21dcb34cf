package io.streamssl.connectors;

/** Default topic names (each is configurable; see the README's "Topics"). */
public final class Topics {

    /** Input images. */
    public static final String IMAGES = "images";
    /** Records that could not become training samples: original bytes plus reason and stage. */
    public static final String DEAD_LETTERS = "images.dlq";
    /** Training metrics, one JSON object per record. */
    public static final String METRICS = "metrics";
    /** Snapshot announcements, one JSON object per snapshot. */
    public static final String SNAPSHOTS = "snapshots";
    /** Image embeddings of the {@code embed} job: key = image id, value = float32 little-endian, snapshot headers. */
    public static final String EMBEDDINGS = "embeddings";

    private Topics() {}
}
