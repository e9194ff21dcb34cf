package io.streamssl.cli;

import io.streamssl.models.snapshot.SnapshotEncoder;
import io.streamssl.models.snapshot.SnapshotManifest;
import io.streamssl.models.snapshot.SnapshotWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code streamssl export}: one snapshot's encoder as a file to hand to others, as safetensors with PyTorch names
 * (torchvision's ResNet, timm's ViT) or in DJL's format, and on request the method's heads. A snapshot written
 * before snapshots carried {@code encoder.safetensors} gets one built from its {@code encoder.params}.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a snapshot's encoder: safetensors with torchvision's ResNet / timm's ViT names (load"
                + " with load_state_dict(strict=True), see the README), or DJL's parameter file. Every file's sha256"
                + " is checked against the manifest before it is copied; for a snapshot older than"
                + " encoder.safetensors the file is built from encoder.params.",
                "Example: ./streamssl export --snapshot streamssl-out/demo/snapshots --out resnet18.safetensors"
                        + " --heads"})
public final class ExportCommand implements Callable<Integer> {

    static final List<String> FORMATS = List.of("safetensors", "djl");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--snapshot", required = true, paramLabel = "DIR",
            description = "A snapshot directory (step-NNNNNNNNN) or a snapshots root (then --step, else the snapshot"
                    + " LATEST names).")
    Path snapshot;

    @Option(names = "--step", paramLabel = "N",
            description = "With a snapshots root: export the snapshot of step N (directory step-NNNNNNNNN).")
    Long step;

    @Option(names = "--format", defaultValue = "safetensors", paramLabel = "FORMAT",
            description = "safetensors (PyTorch names) or djl (encoder.params as is) (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the encoder (default:"
            + " step-NNNNNNNNN.encoder.safetensors or .params in the current directory).")
    Path out;

    @Option(names = "--heads", description = "Also write the method's heads (projector, predictor, ...) as"
            + " safetensors beside --out, named <out>.heads.safetensors (nn.Sequential names, see the README).")
    boolean heads;

    @Override
    public Integer call() throws IOException {
        if (!FORMATS.contains(format)) {
            throw new IllegalArgumentException("--format must be one of " + FORMATS + ", got '" + format + "'");
        }
        if (heads && format.equals("djl")) {
            throw new IllegalArgumentException("--heads writes safetensors: use it with --format safetensors");
        }
        Path dir = snapshotDirectory();
        SnapshotManifest m = SnapshotManifest.read(dir);
        String name = dir.getFileName().toString();
        Path target = out != null ? out : Path.of(name + (format.equals("djl") ? ".encoder.params"
                : ".encoder.safetensors"));
        if (heads && m.headsFile() == null) {
            throw new IllegalArgumentException("--heads: snapshot " + dir + " has no heads file: it predates heads"
                    + " export (snapshots written before heads.safetensors existed keep only the encoder)");
        }
        if (target.toAbsolutePath().getParent() != null) {
            Files.createDirectories(target.toAbsolutePath().getParent());
        }
        if (format.equals("djl")) {
            copyVerified(dir.resolve(m.weightsFile()), m.weightsSha256(), target);
        } else if (m.safetensorsFile() != null) {
            copyVerified(dir.resolve(m.safetensorsFile()), m.safetensorsSha256(), target);
        } else {
            try (SnapshotEncoder encoder = SnapshotEncoder.load(dir)) { // verifies encoder.params' sha256
                writeThroughTemporary(target, tmp -> encoder.stateDict().write(tmp));
            }
            spec.commandLine().getErr().println("built " + target + " from " + m.weightsFile() + " (snapshot " + name
                    + " predates " + SnapshotWriter.SAFETENSORS_FILE + ")");
        }
        report(target);
        if (heads) {
            String file = target.getFileName().toString();
            String stem = file.endsWith(".safetensors") ? file.substring(0, file.length() - ".safetensors".length())
                    : file;
            Path headsTarget = target.resolveSibling(stem + ".heads.safetensors");
            copyVerified(dir.resolve(m.headsFile()), m.headsSha256(), headsTarget);
            report(headsTarget);
        }
        return 0;
    }

    private void report(Path file) throws IOException {
        spec.commandLine().getOut().println("wrote " + file + " (" + Files.size(file) + " bytes, sha256 "
                + SnapshotWriter.sha256(file) + ")");
        spec.commandLine().getOut().flush();
    }

    /** The step directory: --snapshot itself, or under a root the one --step or LATEST names. */
    private Path snapshotDirectory() throws IOException {
        if (!Files.isDirectory(snapshot)) {
            throw new IllegalArgumentException("--snapshot " + snapshot + " is not a directory");
        }
        if (Files.isRegularFile(snapshot.resolve(SnapshotWriter.MANIFEST_FILE))) {
            if (step != null && !snapshot.getFileName().toString().equals(SnapshotWriter.directoryName(step))) {
                throw new IllegalArgumentException("--step " + step + " picks a snapshot under a snapshots root, but "
                        + "--snapshot " + snapshot + " is one snapshot: give the root, or drop --step");
            }
            return snapshot;
        }
        if (step != null) {
            Path dir = snapshot.resolve(SnapshotWriter.directoryName(step));
            if (!Files.isRegularFile(dir.resolve(SnapshotWriter.MANIFEST_FILE))) {
                throw new IllegalArgumentException("--step " + step + ": no snapshot " + dir.getFileName() + " under "
                        + snapshot + "; steps there: " + steps());
            }
            return dir;
        }
        Path latest = snapshot.resolve(SnapshotWriter.LATEST_FILE);
        if (!Files.isRegularFile(latest)) {
            throw new IllegalArgumentException("--snapshot " + snapshot + " is neither a snapshot (no "
                    + SnapshotWriter.MANIFEST_FILE + ") nor a root with a " + SnapshotWriter.LATEST_FILE
                    + " file: pick one with --step N; steps there: " + steps());
        }
        return snapshot.resolve(Files.readString(latest).trim());
    }

    private List<String> steps() throws IOException {
        try (Stream<Path> s = Files.list(snapshot)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("step-\\d+"))
                    .map(n -> String.valueOf(Long.parseLong(n.substring(5)))).sorted().toList();
        }
    }

    /** Copies {@code file} to {@code target} once its sha256 matches the manifest's (through a temporary file). */
    private static void copyVerified(Path file, String expectedSha, Path target) throws IOException {
        String sha = SnapshotWriter.sha256(file);
        if (!sha.equals(expectedSha)) {
            throw new IllegalStateException(file + " has sha256 " + sha + " but the manifest says " + expectedSha
                    + ": the file is corrupt or was replaced; nothing written");
        }
        writeThroughTemporary(target, tmp -> Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING));
    }

    private interface FileWrite {
        void to(Path file) throws IOException;
    }

    /** Writes a temporary file beside {@code target} and renames it: a failed export leaves no partial file. */
    private static void writeThroughTemporary(Path target, FileWrite write) throws IOException {
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName(), ".tmp");
        try {
            write.to(tmp);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }
}
