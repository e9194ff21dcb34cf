package io.streamssl.models.snapshot;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.encoder.EncoderSpec;
import io.streamssl.models.encoder.Stem;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An encoder loaded back from a snapshot, ready to embed images: what a downstream service uses.
 *
 * <pre>{@code
 * try (SnapshotEncoder encoder = SnapshotEncoder.load(Path.of("snapshots/step-000001000"))) {
 *     float[] v = encoder.embed(rgb, 32, 32);
 * }
 * }</pre>
 *
 * <p>{@link #load} verifies the weights against the manifest's SHA-256 and refuses a mismatch.
 */
public final class SnapshotEncoder implements AutoCloseable {

    private final SnapshotManifest manifest;
    private final NDManager manager;
    private final Block encoder;
    private final NDArray mean;
    private final NDArray std;

    private SnapshotEncoder(SnapshotManifest manifest, NDManager manager, Block encoder) {
        this.manifest = manifest;
        this.manager = manager;
        this.encoder = encoder;
        this.mean = manager.create(scale(manifest.mean()));
        this.std = manager.create(scale(manifest.std()));
    }

    private static float[] scale(float[] v) {
        return new float[] {v[0] * 255f, v[1] * 255f, v[2] * 255f};
    }

    /** Loads a snapshot directory (or the one a {@code LATEST} file under it names) onto the CPU. */
    public static SnapshotEncoder load(Path dir) {
        return load(dir, Device.cpu());
    }

    public static SnapshotEncoder load(Path dir, Device device) {
        try {
            if (Files.isRegularFile(dir.resolve(SnapshotWriter.LATEST_FILE))) {
                dir = dir.resolve(Files.readString(dir.resolve(SnapshotWriter.LATEST_FILE)).trim());
            }
            Path manifestFile = dir.resolve(SnapshotWriter.MANIFEST_FILE);
            if (!Files.isRegularFile(manifestFile)) {
                throw new IllegalArgumentException("no snapshot at " + dir + ": " + SnapshotWriter.MANIFEST_FILE
                        + " is missing");
            }
            SnapshotManifest m = SnapshotWriter.JSON.readValue(manifestFile.toFile(), SnapshotManifest.class);
            if (m.format() != SnapshotManifest.FORMAT) {
                throw new IllegalArgumentException("snapshot format " + m.format() + " at " + dir
                        + " is not supported: this version reads format " + SnapshotManifest.FORMAT);
            }
            Path weights = dir.resolve(m.weightsFile());
            String sha = SnapshotWriter.sha256(weights);
            if (!sha.equals(m.weightsSha256())) {
                throw new IllegalStateException("snapshot weights " + weights + " have sha256 " + sha
                        + " but the manifest says " + m.weightsSha256() + ": the file is corrupt or was replaced");
            }
            EncoderSpec spec = new EncoderSpec(m.encoder().arch(), Stem.parse(m.encoder().stem()),
                    m.encoder().width());
            NDManager manager = NDManager.newBaseManager(device);
            Block block = spec.build();
            int size = m.check() == null ? 32 : m.check().size();
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, size, size));
            try (InputStream is = new BufferedInputStream(Files.newInputStream(weights));
                    DataInputStream in = new DataInputStream(is)) {
                block.loadParameters(manager, in);
            } catch (MalformedModelException e) {
                manager.close();
                throw new IllegalStateException("snapshot weights " + weights + " do not fit "
                        + m.encoder() + ": " + e.getMessage(), e);
            }
            return new SnapshotEncoder(m, manager, block);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read snapshot " + dir + ": " + e.getMessage(), e);
        }
    }

    public SnapshotManifest manifest() {
        return manifest;
    }

    /** Embeds one H×W×3 uint8 RGB image (any size the encoder accepts). */
    public float[] embed(byte[] rgb, int height, int width) {
        if (rgb.length != height * width * 3) {
            throw new IllegalArgumentException("an RGB image of " + height + "x" + width + " has "
                    + (height * width * 3) + " bytes, got " + rgb.length);
        }
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(ByteBuffer.wrap(rgb), new Shape(1, height, width, 3), DataType.UINT8)
                    .toType(DataType.FLOAT32, false).sub(mean).div(std).transpose(0, 3, 1, 2);
            return encoder.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow()
                    .toFloatArray();
        }
    }

    /** Embeds the reference image and compares with the manifest's check embedding; the largest difference. */
    public double maxCheckDifference() {
        int size = manifest.check().size();
        float[] v = embed(ReferenceImage.pixels(size), size, size);
        float[] expected = manifest.check().embedding();
        double max = 0;
        for (int i = 0; i < v.length; i++) {
            max = Math.max(max, Math.abs(v[i] - expected[i]));
        }
        return v.length == expected.length ? max : Double.POSITIVE_INFINITY;
    }

    @Override
    public void close() {
        manager.close();
    }
}
