package io.streamssl.models.snapshot;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.GradMode;
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

    /** The method name in the manifest of {@link #randomlyInitialized}. */
    public static final String RANDOM_METHOD = "random-init";

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
            SnapshotManifest m = SnapshotManifest.read(dir);
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

    /**
     * Loads the snapshot at {@code dir} only if it is the one announced as {@code step} with weights
     * {@code weightsSha256}: {@link #load} checks the weights file against the manifest, and this the manifest
     * against the announcement, so a directory whose weights (or weights and manifest) were replaced after the
     * announcement is refused.
     *
     * @throws IllegalStateException if the manifest's step or weights sha256 is not the announced one (the
     *     message says which); the other failures of {@link #load} as they are
     */
    public static SnapshotEncoder loadAnnounced(Path dir, long step, String weightsSha256, Device device) {
        SnapshotEncoder encoder = load(dir, device);
        SnapshotManifest m = encoder.manifest();
        String problem = null;
        if (!m.weightsSha256().equals(weightsSha256)) {
            problem = "it was announced with weights sha256 " + weightsSha256 + " but its manifest and weights file"
                    + " have " + m.weightsSha256() + ": the weights were replaced after the announcement";
        } else if (m.step() != step) {
            problem = "it was announced as step " + step + " but its manifest says step " + m.step();
        }
        if (problem != null) {
            encoder.close();
            throw new IllegalStateException("snapshot " + dir + " refused: " + problem);
        }
        return encoder;
    }

    public SnapshotManifest manifest() {
        return manifest;
    }

    /**
     * An encoder of {@code spec} with freshly initialised weights (seeded) and the given normalisation: the floor
     * a trained snapshot's evaluation is compared with. Its manifest names method {@value #RANDOM_METHOD}, step
     * 0, and has no weights file or check embedding. The seed is set on the engine (DJL's random numbers are
     * engine-wide), as {@code SslTrainer} does for its initial weights.
     */
    public static SnapshotEncoder randomlyInitialized(EncoderSpec spec, float[] mean, float[] std, int imageSize,
            long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        NDManager manager = NDManager.newBaseManager(Device.cpu());
        Block block = spec.build();
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, imageSize, imageSize));
        SnapshotManifest m = new SnapshotManifest(SnapshotManifest.FORMAT, RANDOM_METHOD, 0, null,
                new SnapshotManifest.Encoder(spec.arch(), spec.stem().name().toLowerCase(java.util.Locale.ROOT),
                        spec.width(), spec.featureDim()),
                mean.clone(), std.clone(), null, null, 0, java.util.Map.of("seed", Long.toString(seed)), null);
        return new SnapshotEncoder(m, manager, block);
    }

    /** The encoder's spec, as the manifest records it. */
    public EncoderSpec encoderSpec() {
        return new EncoderSpec(manifest.encoder().arch(), Stem.parse(manifest.encoder().stem()),
                manifest.encoder().width());
    }

    /**
     * The encoder's weights under PyTorch names (torchvision's ResNet, timm's ViT), ready to
     * {@linkplain TorchStateDict#write write} as safetensors: how {@code streamssl export} makes
     * {@code encoder.safetensors} for a snapshot written before snapshots had one.
     */
    public TorchStateDict stateDict() {
        return TorchStateDict.ofEncoder(encoderSpec(), encoder);
    }

    /** Embeds one H×W×3 uint8 RGB image (any size the encoder accepts). */
    public float[] embed(byte[] rgb, int height, int width) {
        return embed(rgb, 1, height, width);
    }

    /**
     * Embeds {@code count} images of one size in one forward pass, in inference mode (batch-norm running
     * statistics, so an image's features do not depend on the others in the batch).
     *
     * @param rgb count × H × W × 3 uint8, interleaved
     * @return count × featureDim floats, row-major
     */
    public float[] embed(byte[] rgb, int count, int height, int width) {
        if (count < 1 || rgb.length != (long) count * height * width * 3) {
            throw new IllegalArgumentException(count + " RGB images of " + height + "x" + width + " have "
                    + ((long) count * height * width * 3) + " bytes, got " + rgb.length);
        }
        GradMode.disable(); // inference: no autograd graph for the batch (grad mode is per thread)
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(ByteBuffer.wrap(rgb), new Shape(count, height, width, 3), DataType.UINT8)
                    .toType(DataType.FLOAT32, false).sub(mean).div(std).transpose(0, 3, 1, 2);
            return encoder.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow()
                    .toFloatArray();
        }
    }

    /** Embeds the reference image and compares with the manifest's check embedding; the largest difference. */
    public double maxCheckDifference() {
        if (manifest.check() == null) {
            throw new IllegalStateException("this encoder has no check embedding (a randomly initialised one?)");
        }
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
