package io.streamssl.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamssl.cli.StreamsslCommand;
import io.streamssl.connectors.dataset.Cifar10Binary;
import io.streamssl.models.encoder.EncoderSpec;
import io.streamssl.models.encoder.Stem;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bench quality} without training: its errors, its help and its output formats. */
class QualityBenchmarkTest {

    @TempDir
    Path dir;

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
    void aMissingCifar10DirectoryNamesTheOptionAndTheFilesItNeeds() {
        Path none = dir.resolve("cifar10");
        Run r = run("bench", "quality", "--method", "byol", "--images", "640", "--cifar10", none.toString(),
                "--work-dir", dir.resolve("work").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("CIFAR-10 not found at " + none.toAbsolutePath(), "no such directory",
                "--cifar10", "data_batch_1.bin", "data_batch_5.bin", "test_batch.bin", "not in the repository",
                "cifar-10-binary.tar.gz").doesNotContain("Exception");
        assertThat(dir.resolve("work")).as("nothing started").doesNotExist();
    }

    @Test
    void aDirectoryWithoutTheTestFileSaysWhichFilesAreMissing() throws Exception {
        Path partial = Files.createDirectories(dir.resolve("partial"));
        for (String f : Cifar10Binary.TRAIN_FILES) {
            Files.write(partial.resolve(f), new byte[Cifar10Binary.RECORD_BYTES]);
        }
        Run r = run("bench", "quality", "--method", "byol", "--images", "640", "--cifar10", partial.toString(),
                "--work-dir", dir.resolve("work").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("(missing test_batch.bin)", "--cifar10");
    }

    @Test
    void keysTheBenchmarkSetsCannotBeOverriddenSilently() {
        Run method = run("bench", "quality", "--method", "byol", "--images", "640", "--set", "trainer.method=simclr",
                "--cifar10", dir.toString());
        assertThat(method.exit()).isEqualTo(1);
        assertThat(method.err()).contains("trainer.method", "--method", "'simclr'");

        Run steps = run("bench", "quality", "--method", "byol", "--images", "640", "--max-steps", "3",
                "--cifar10", dir.toString());
        assertThat(steps.exit()).isEqualTo(1);
        assertThat(steps.err()).contains("trainer.max-steps", "--images", "'3'");

        Run bank = run("bench", "quality", "--method", "byol", "--images", "640", "--train-n", "100",
                "--cifar10", dir.toString());
        assertThat(bank.exit()).isEqualTo(1);
        assertThat(bank.err()).contains("--train-n must be at least 200");
    }

    @Test
    void helpSaysWhatItMeasuresWithAnExample() {
        Run r = run("bench", "quality", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("kNN", "linear probe", "randomly initialised", "--cifar10", "--train-n",
                "--test-n", "--table", "./streamssl bench quality --method byol --images 100000");
    }

    @Test
    void stepsCoverTheImages() {
        assertThat(QualityBenchmark.Settings.steps(640, 64)).isEqualTo(10);
        assertThat(QualityBenchmark.Settings.steps(641, 64)).isEqualTo(11);
        assertThat(QualityBenchmark.Settings.steps(100_000, 64)).isEqualTo(1563);
    }

    @Test
    void tableJsonAndMarkdownRowCarryEveryFigure() throws Exception {
        QualityBenchmark.Result r = new QualityBenchmark.Result("byol", new EncoderSpec("resnet18", Stem.CIFAR, 16),
                64, 3200, 3200, 50, 1.54, "/x/snapshots/step-000000050", 2000, 1000,
                new SnapshotEvaluation.Scores("snapshot", 0.3125, 0.2875, 0.3375, 20.0),
                new SnapshotEvaluation.Scores("random-init", 0.25, 0.225, 0.275, 10.0), 109.8, 37.0,
                new ObjectMapper().createObjectNode().put("marker", 1));
        assertThat(QualityBenchmark.table(r)).contains("byol", "3200", "50", "109.8", "37.0", "kNN@20", "kNN@200",
                "linear", "0.3125", "0.2875", "0.3375", "0.2500", "0.2250", "0.2750", "2000 training / 1000 test");

        var json = new ObjectMapper().readTree(QualityBenchmark.json(r));
        assertThat(json.get("method").asText()).isEqualTo("byol");
        assertThat(json.get("images_seen").asLong()).isEqualTo(3200);
        assertThat(json.at("/snapshot/knn_200").asDouble()).isEqualTo(0.2875);
        assertThat(json.at("/random_init/linear").asDouble()).isEqualTo(0.275);
        assertThat(json.at("/eval/marker").asInt()).isEqualTo(1);

        Path table = dir.resolve("results/table.md");
        QualityBenchmark.appendRow(table, r);
        QualityBenchmark.appendRow(table, r);
        List<String> lines = Files.readAllLines(table);
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith("| method | images seen | steps | kNN@20 |");
        assertThat(lines.get(1)).startsWith("|---|");
        assertThat(lines.get(2)).isEqualTo(lines.get(3)).isEqualTo("| byol | 3,200 | 50 | 0.3125 | 0.2875 | 0.3375"
                + " | 0.2500 | 0.2250 | 0.2750 | 2000/1000 | 110 | 37 |");
    }
}
