package io.streamssl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.ViewBatch;
import io.streamssl.models.snapshot.SnapshotWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code streamssl export} on the snapshots of a tiny trainer: steps 1 (LATEST) and 2, and an older-format copy. */
class ExportCommandTest {

    @TempDir
    static Path dir;

    static Path root;
    static Path step1;
    static Path older;

    @BeforeAll
    static void snapshots() throws Exception {
        root = dir.resolve("snapshots");
        try (SslTrainer trainer = new SslTrainer(TrainerSpec.byolCifar(8, 4, 100))) {
            byte[] px = new byte[4 * 2 * 32 * 32 * 3];
            new Random(3).nextBytes(px);
            trainer.step(new ViewBatch(4, 2, 32, 32, px, new int[] {-1, -1, -1, -1}));
            step1 = SnapshotWriter.write(root, trainer, Map.of());
            SnapshotWriter.markLatest(root, step1);
            trainer.step(new ViewBatch(4, 2, 32, 32, px, new int[] {-1, -1, -1, -1}));
            SnapshotWriter.write(root, trainer, Map.of());
        }
        // step 1 as a snapshot written before safetensors: no files, no manifest fields
        older = dir.resolve("older").resolve(step1.getFileName());
        Files.createDirectories(older);
        Files.copy(step1.resolve(SnapshotWriter.WEIGHTS_FILE), older.resolve(SnapshotWriter.WEIGHTS_FILE));
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.readTree(step1.resolve(SnapshotWriter.MANIFEST_FILE).toFile());
        manifest.remove(List.of("safetensors_file", "safetensors_sha256", "heads_file", "heads_sha256"));
        json.writeValue(older.resolve(SnapshotWriter.MANIFEST_FILE).toFile(), manifest);
    }

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = StreamsslCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void exportsTheLatestSnapshotsSafetensorsAndHeadsWithTheirSha256() throws Exception {
        Path out = dir.resolve("out/latest.safetensors");
        Run r = run("export", "--snapshot", root.toString(), "--out", out.toString(), "--heads");
        assertThat(r.exit()).as(r.err()).isZero();
        String sha = SnapshotWriter.sha256(step1.resolve(SnapshotWriter.SAFETENSORS_FILE));
        assertThat(SnapshotWriter.sha256(out)).isEqualTo(sha);
        Path heads = dir.resolve("out/latest.heads.safetensors");
        assertThat(SnapshotWriter.sha256(heads)).isEqualTo(SnapshotWriter.sha256(step1.resolve("heads.safetensors")));
        assertThat(r.out()).contains("wrote " + out).contains("sha256 " + sha).contains("wrote " + heads);
    }

    @Test
    void stepPicksASnapshotUnderTheRootAndDjlCopiesItsParams() throws Exception {
        Path out = dir.resolve("step2.params");
        Run r = run("export", "--snapshot", root.toString(), "--step", "2", "--format", "djl", "--out", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.readAllBytes(out))
                .isEqualTo(Files.readAllBytes(root.resolve("step-000000002").resolve(SnapshotWriter.WEIGHTS_FILE)));
    }

    @Test
    void anOlderSnapshotGetsTheSameSafetensorsBuiltFromItsParams() throws Exception {
        Path out = dir.resolve("older.safetensors");
        Run r = run("export", "--snapshot", older.toString(), "--out", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("built").contains("predates encoder.safetensors");
        assertThat(SnapshotWriter.sha256(out)).as("byte for byte what the writer makes today")
                .isEqualTo(SnapshotWriter.sha256(step1.resolve(SnapshotWriter.SAFETENSORS_FILE)));
    }

    @Test
    void headsOfAnOlderSnapshotAreAClearErrorAndNothingIsWritten() throws Exception {
        Path out = dir.resolve("none/older.safetensors");
        Run r = run("export", "--snapshot", older.toString(), "--out", out.toString(), "--heads");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("--heads").contains("predates heads export");
        assertThat(out).doesNotExist();
    }

    @Test
    void badOptionsNameTheOption() {
        Run missingStep = run("export", "--snapshot", root.toString(), "--step", "7");
        assertThat(missingStep.exit()).isNotZero();
        assertThat(missingStep.err()).contains("--step 7").contains("steps there: [1, 2]");
        Run format = run("export", "--snapshot", root.toString(), "--format", "onnx");
        assertThat(format.exit()).isNotZero();
        assertThat(format.err()).contains("--format").contains("safetensors").contains("djl");
        Run noRoot = run("export", "--snapshot", dir.resolve("nowhere").toString());
        assertThat(noRoot.exit()).isNotZero();
        assertThat(noRoot.err()).contains("--snapshot").contains("not a directory");
    }

    @Test
    void helpListsTheOptions() throws Exception {
        Run r = run("export", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("--snapshot").contains("--step").contains("--format").contains("--out")
                .contains("--heads");
        try (Stream<Path> s = Files.list(Path.of("."))) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".safetensors"));
        }
    }
}
