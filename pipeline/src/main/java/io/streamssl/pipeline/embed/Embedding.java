package io.streamssl.pipeline.embed;

/**
 * One record of the embeddings topic: the image id, its embedding and the snapshot that made it. A Flink POJO;
 * {@link EmbeddingSerializationSchema} writes it (README "Embedding images with the newest encoder").
 */
public class Embedding {

    public String id;
    public float[] vector;
    /** The snapshot's step. */
    public long step;
    /** SHA-256 of the snapshot's weights file, lowercase hex: what names the snapshot. */
    public String sha256;
    /** The encoder's architecture, e.g. {@code resnet18}. */
    public String model;
    /** The method that trained it, e.g. {@code byol}. */
    public String method;

    public Embedding() {}

    public Embedding(String id, float[] vector, long step, String sha256, String model, String method) {
        this.id = id;
        this.vector = vector;
        this.step = step;
        this.sha256 = sha256;
        this.model = model;
        this.method = method;
    }
}
