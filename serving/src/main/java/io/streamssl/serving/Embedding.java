package io.streamssl.serving;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Embeddings of {@link #count()} images, row-major, and the snapshot that made them, so that a caller can tag
 * its output with the snapshot's step and weights sha256 (the embedding record's {@code snapshot-step} and
 * {@code snapshot-sha256} headers).
 */
public final class Embedding {

    private final float[] values;
    private final int count;
    private final ServedSnapshot snapshot;

    Embedding(float[] values, int count, ServedSnapshot snapshot) {
        if (count < 1 || values.length % count != 0) {
            throw new IllegalArgumentException(values.length + " values are not " + count + " equal rows");
        }
        this.values = values;
        this.count = count;
        this.snapshot = snapshot;
    }

    /** All rows, {@code count × dimension} floats, row-major: the array itself, the caller's to keep. */
    public float[] values() {
        return values;
    }

    /** How many images were embedded. */
    public int count() {
        return count;
    }

    /** The feature dimension of one row. */
    public int dimension() {
        return values.length / count;
    }

    /** Row {@code i}: the embedding of the {@code i}-th image (a copy). */
    public float[] row(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("row " + i + " of " + count);
        }
        int d = dimension();
        return Arrays.copyOfRange(values, i * d, (i + 1) * d);
    }

    /**
     * Row {@code i} as float32 little-endian bytes: the value of an embedding record (numpy
     * {@code np.frombuffer(v, '<f4')}).
     */
    public byte[] littleEndian(int i) {
        float[] r = row(i);
        ByteBuffer b = ByteBuffer.allocate(r.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(r);
        return b.array();
    }

    /** The snapshot that made these embeddings. */
    public ServedSnapshot snapshot() {
        return snapshot;
    }

    /** The step of the snapshot that made them. */
    public long step() {
        return snapshot.step();
    }

    /** The weights sha256 of the snapshot that made them. */
    public String weightsSha256() {
        return snapshot.weightsSha256();
    }

    @Override
    public String toString() {
        return count + "x" + dimension() + " embedding by snapshot " + snapshot;
    }
}
