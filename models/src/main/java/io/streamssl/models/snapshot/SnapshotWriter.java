package io.streamssl.models.snapshot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes encoder snapshots: a directory {@code step-000000123/} holding {@code encoder.params} (DJL parameter
 * format), the same weights as {@code encoder.safetensors} under the names PyTorch users load (torchvision's
 * ResNet, timm's ViT), the method's heads as {@code heads.safetensors} when it has any, and {@code manifest.json}. A snapshot is built in a hidden temporary directory and renamed into
 * place, so a reader ({@link SnapshotEncoder#load}) never sees a half-written snapshot. Writing a snapshot does
 * not publish it: {@link #markLatest} points the {@code LATEST} file (replaced by rename) at it, which the
 * streaming trainer does only once the checkpoint holding the snapshot's training state has completed, so
 * {@code LATEST} never names weights that a failure rolls back.
 */
public final class SnapshotWriter {

    public static final String WEIGHTS_FILE = "encoder.params";
    /** The encoder with PyTorch names (torchvision's ResNet, timm's ViT), see {@link TorchStateDict}. */
    public static final String SAFETENSORS_FILE = "encoder.safetensors";
    /** The method's heads with PyTorch names, see {@link HeadNames}. */
    public static final String HEADS_FILE = "heads.safetensors";
    public static final String MANIFEST_FILE = "manifest.json";
    public static final String LATEST_FILE = "LATEST";

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SnapshotWriter() {}

    /** Directory name of the snapshot taken at {@code step}. */
    public static String directoryName(long step) {
        return String.format("step-%09d", step);
    }

    /** Opens a file of a snapshot being written; a test passes one that fails as a full disk does. */
    @FunctionalInterface
    public interface FileOpener {
        FileOpener DEFAULT = Files::newOutputStream;

        OutputStream open(Path file) throws IOException;
    }

    /**
     * Writes the trainer's encoder as a snapshot under {@code root} and returns its directory.
     *
     * @param config the job configuration to record (flattened keys)
     * @throws UncheckedIOException if it cannot be written (a full disk): nothing of it is left under {@code root}
     */
    public static Path write(Path root, SslTrainer trainer, Map<String, String> config) {
        return write(root, trainer, config, FileOpener.DEFAULT);
    }

    /** {@link #write(Path, SslTrainer, Map)}, opening the snapshot's files through {@code files}. */
    public static Path write(Path root, SslTrainer trainer, Map<String, String> config, FileOpener files) {
        TrainerSpec spec = trainer.spec();
        long step = trainer.stepCount();
        Path tmp = null;
        try {
            Files.createDirectories(root);
            tmp = Files.createTempDirectory(root, "." + directoryName(step) + "-");
            Path weights = tmp.resolve(WEIGHTS_FILE);
            try (OutputStream os = new BufferedOutputStream(files.open(weights));
                    DataOutputStream out = new DataOutputStream(os)) {
                trainer.method().encoder().saveParameters(out);
            }
            Path safetensors = tmp.resolve(SAFETENSORS_FILE);
            TorchStateDict.ofEncoder(spec.encoder(), trainer.method().encoder()).write(safetensors, files);
            String headsFile = null;
            String headsSha = null;
            if (!trainer.method().heads().isEmpty()) {
                Path heads = tmp.resolve(HEADS_FILE);
                HeadNames.of(trainer.method().heads()).write(heads, files);
                headsFile = HEADS_FILE;
                headsSha = sha256(heads);
            }
            int size = spec.imageSize();
            float[] embedding = trainer.embed(ReferenceImage.pixels(size), size, size);
            SnapshotManifest manifest = new SnapshotManifest(SnapshotManifest.FORMAT, spec.method(), step,
                    Instant.now().toString(),
                    new SnapshotManifest.Encoder(spec.encoder().arch(), spec.encoder().stem().name().toLowerCase(),
                            spec.encoder().width(), spec.encoder().featureDim()),
                    spec.mean(), spec.std(), WEIGHTS_FILE, sha256(weights), Files.size(weights), config,
                    new SnapshotManifest.Check(ReferenceImage.NAME, size, embedding), SAFETENSORS_FILE,
                    sha256(safetensors), headsFile, headsSha);
            try (OutputStream out = files.open(tmp.resolve(MANIFEST_FILE))) {
                JSON.writeValue(out, manifest);
            }
            Path target = root.resolve(directoryName(step));
            if (Files.exists(target)) {
                // the same step written again after a restore: the newer write wins
                deleteRecursively(target);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            if (tmp != null) {
                try {
                    deleteRecursively(tmp); // frees what the failed write took; never visible as a snapshot
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            // a FileSystemException's message may be a bare path: its type says what went wrong
            String why = e.getClass() == IOException.class ? e.getMessage()
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
            throw new UncheckedIOException("cannot write snapshot of step " + step + " under " + root + ": " + why, e);
        }
    }

    /** Points {@code root/LATEST} at the snapshot directory {@code dir} (atomically, by rename). */
    public static void markLatest(Path root, Path dir) {
        Path latestTmp = null;
        try {
            latestTmp = Files.createTempFile(root, "." + LATEST_FILE + "-", ".tmp");
            Files.writeString(latestTmp, dir.getFileName().toString() + "\n");
            Files.move(latestTmp, root.resolve(LATEST_FILE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            if (latestTmp != null) {
                try {
                    Files.deleteIfExists(latestTmp);
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw new UncheckedIOException("cannot update " + root.resolve(LATEST_FILE) + ": " + e.getMessage(), e);
        }
    }

    /** Lowercase hex SHA-256 of a file. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest())) {
            byte[] buf = new byte[1 << 16];
            while (in.read(buf) >= 0) {
                // reading feeds the digest
            }
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        }
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
