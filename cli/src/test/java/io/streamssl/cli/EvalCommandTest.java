package io.streamssl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamssl.connectors.dataset.GeneratedShapes;
import io.streamssl.connectors.dataset.LabeledImage;
import io.streamssl.connectors.decode.RgbImage;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.ViewBatch;
import io.streamssl.models.snapshot.SnapshotWriter;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code streamssl eval} on a tiny snapshot and the generated shapes written as an image folder. */
class EvalCommandTest {

    @TempDir
    static Path dir;

    static Path snapshots;
    static Path folder;
    /** A snapshots root with the snapshots of steps 1 and 2 of one trainer (LATEST at 2) and an uncommitted 3. */
    static Path series;

    @BeforeAll
    static void snapshotAndImages() throws Exception {
        snapshots = dir.resolve("snapshots");
        try (SslTrainer trainer = new SslTrainer(TrainerSpec.byolCifar(8, 4, 100))) {
            byte[] px = new byte[4 * 2 * 32 * 32 * 3];
            new Random(3).nextBytes(px);
            trainer.step(new ViewBatch(4, 2, 32, 32, px, new int[] {-1, -1, -1, -1}));
            SnapshotWriter.markLatest(snapshots, SnapshotWriter.write(snapshots, trainer, Map.of()));
            series = dir.resolve("series");
            SnapshotWriter.write(series, trainer, Map.of());
            new Random(4).nextBytes(px);
            trainer.step(new ViewBatch(4, 2, 32, 32, px, new int[] {-1, -1, -1, -1}));
            SnapshotWriter.markLatest(series, SnapshotWriter.write(series, trainer, Map.of()));
            trainer.step(new ViewBatch(4, 2, 32, 32, px, new int[] {-1, -1, -1, -1}));
            SnapshotWriter.write(series, trainer, Map.of()); // step 3: written, never committed (LATEST stays at 2)
        }
        folder = dir.resolve("shapes");
        for (LabeledImage image : new GeneratedShapes(60, 5, 40)) { // 40 px: resized to the encoder's 32
            Path file = folder.resolve(GeneratedShapes.CLASSES.get(image.label()))
                    .resolve(image.id().replace('/', '-') + ".png");
            Files.createDirectories(file.getParent());
            ImageIO.write(toImage(new RgbImage(image.width(), image.height(), image.data())), "png", file.toFile());
        }
    }

    private static BufferedImage toImage(RgbImage rgb) {
        BufferedImage b = new BufferedImage(rgb.width(), rgb.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < rgb.height(); y++) {
            for (int x = 0; x < rgb.width(); x++) {
                b.setRGB(x, y, rgb.get(x, y, 0) << 16 | rgb.get(x, y, 1) << 8 | rgb.get(x, y, 2));
            }
        }
        return b;
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
    void jsonHasBothProtocolsForTheSnapshotAndTheRandomBaseline() throws Exception {
        Run r = run("eval", "--snapshot", snapshots.toString(), "--folder", folder.toString(), "--train-n", "40",
                "--test-n", "20", "--baseline", "random", "--batch-size", "16", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertThat(root.at("/snapshot/method").asText()).isEqualTo("byol");
        assertThat(root.at("/data/train_n").asInt()).isEqualTo(40);
        assertThat(root.at("/data/test_n").asInt()).isEqualTo(20);
        assertThat(root.at("/data/classes")).hasSize(10);
        assertThat(root.get("results")).hasSize(2);
        assertThat(root.at("/results/0/encoder").asText()).isEqualTo("snapshot");
        assertThat(root.at("/results/1/encoder").asText()).isEqualTo("random-init");
        for (JsonNode row : root.get("results")) {
            for (String field : new String[] {"knn_20", "knn_40", "linear"}) { // k = 200 clamped to the 40-image bank
                assertThat(row.has(field)).as(field + " in " + row).isTrue();
                assertThat(row.get(field).asDouble()).as(field).isBetween(0.0, 1.0);
            }
            assertThat(row.get("knn_20_per_class")).hasSize(10);
            assertThat(row.at("/probe/converged").isBoolean()).isTrue();
            assertThat(row.at("/probe/iterations").asInt()).isPositive();
            assertThat(row.get("seconds").asDouble()).isPositive();
        }
        assertThat(r.err()).contains("features train 40/40").contains("features test 20/20");
    }

    @Test
    void tableHasARowPerEncoder() {
        Run r = run("eval", "--snapshot", snapshots.toString(), "--folder", folder.toString(), "--train-n", "30",
                "--test-n", "10");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("kNN@20").contains("kNN@200").contains("linear").contains("n train/test")
                .contains("seconds").contains("30/10").contains("L-BFGS");
        String row = r.out().lines().filter(l -> l.startsWith("snapshot ")).findFirst().orElseThrow();
        for (String figure : row.trim().split("\\s+")) {
            if (figure.matches("\\d\\.\\d{4}")) {
                assertThat(Double.parseDouble(figure)).isBetween(0.0, 1.0);
            }
        }
    }

    /**
     * Every committed snapshot of a root in step order, each scored as {@code eval} scores it alone, and the
     * forgetting of kNN@200 per class recomputed here from the printed per-class figures: with two snapshots,
     * best = the first, f = first − last, the average over the classes where both have queries.
     */
    @Test
    void allSnapshotsGivesPerClassCurvesAndTheirForgetting() throws Exception {
        Run r = run("eval", "--snapshot", series.toString(), "--all-snapshots", "--folder", folder.toString(),
                "--train-n", "30", "--test-n", "20", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(r.out());
        JsonNode list = root.get("snapshots");
        assertThat(list).hasSize(2);
        assertThat(list.get(0).get("step").asLong()).isEqualTo(1);
        assertThat(list.get(1).get("step").asLong()).isEqualTo(2);
        assertThat(root.get("knn_200_k").asInt()).isEqualTo(30); // clamped to the 30-image bank
        assertThat(r.err()).contains("left out 1 snapshot(s) newer than LATEST (not committed): [step-000000003]");

        Run alone = run("eval", "--snapshot", list.get(0).get("dir").asText(), "--folder", folder.toString(),
                "--train-n", "30", "--test-n", "20", "--json");
        assertThat(alone.exit()).as(alone.err()).isZero();
        JsonNode aloneRow = new ObjectMapper().readTree(alone.out()).at("/results/0");
        assertThat(list.get(0).get("knn_200_per_class").toString()).isEqualTo(aloneRow.get("knn_30_per_class")
                .toString());
        assertThat(list.get(0).get("linear").asDouble()).isEqualTo(aloneRow.get("linear").asDouble());

        JsonNode first = list.get(0).get("knn_200_per_class");
        JsonNode last = list.get(1).get("knn_200_per_class");
        assertThat(first).hasSize(10);
        JsonNode perClass = root.at("/forgetting/per_class");
        double sum = 0;
        int n = 0;
        for (int c = 0; c < 10; c++) {
            JsonNode f = perClass.get(c);
            assertThat(f.get("name").asText()).isEqualTo(root.at("/data/classes/" + c).asText());
            if (first.get(c).isNull() || last.get(c).isNull()) {
                assertThat(f.get("forgetting").isNull()).as("class %d without queries", c).isTrue();
                continue;
            }
            double expected = first.get(c).asDouble() - last.get(c).asDouble();
            assertThat(f.get("best").asDouble()).isEqualTo(first.get(c).asDouble());
            assertThat(f.get("best_step").asLong()).isEqualTo(1);
            assertThat(f.get("final").asDouble()).isEqualTo(last.get(c).asDouble());
            assertThat(f.get("forgetting").asDouble()).as("class %d", c).isCloseTo(expected, within(1e-12));
            sum += expected;
            n++;
        }
        assertThat(n).isPositive();
        assertThat(root.at("/forgetting/classes_averaged").asInt()).isEqualTo(n);
        assertThat(root.at("/forgetting/average").asDouble()).isCloseTo(sum / n, within(1e-12));

        Run table = run("eval", "--snapshot", series.toString(), "--all-snapshots", "--folder", folder.toString(),
                "--train-n", "30", "--test-n", "20");
        assertThat(table.exit()).as(table.err()).isZero();
        assertThat(table.out()).contains("2 snapshot(s) under " + series, "kNN@200 per class (columns: class index,"
                + " named below; k clamped to the 30-image bank)",
                "forgetting of kNN@200 per class: Average forgetting", "best step");
    }

    @Test
    void allSnapshotsWantsASnapshotsRootAndNoBaseline() {
        Run stepDir = run("eval", "--snapshot", snapshots.resolve("step-000000001").toString(), "--all-snapshots",
                "--folder", folder.toString());
        assertThat(stepDir.exit()).isEqualTo(1);
        assertThat(stepDir.err()).contains("no committed step-NNNNNNNNN snapshot", "the snapshots root");
        Run baseline = run("eval", "--snapshot", series.toString(), "--all-snapshots", "--baseline", "random",
                "--folder", folder.toString());
        assertThat(baseline.exit()).isEqualTo(1);
        assertThat(baseline.err()).contains("--baseline goes with one snapshot");
    }

    @Test
    void errorsNameWhatToFix() {
        Run missing = run("eval", "--snapshot", dir.resolve("nope").toString(), "--folder", folder.toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("snapshot directory").contains("does not exist").contains("LATEST");

        Run noData = run("eval", "--snapshot", snapshots.toString(), "--cifar10", dir.resolve("none").toString());
        assertThat(noData.exit()).isEqualTo(1);
        assertThat(noData.err()).contains("CIFAR-10 directory").contains("does not exist");

        Run neither = run("eval", "--snapshot", snapshots.toString());
        assertThat(neither.exit()).isNotZero();
        assertThat(neither.err()).contains("--cifar10").contains("--folder");

        Run help = run("eval", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("--snapshot").contains("--baseline").contains("--train-n")
                .contains("--all-snapshots");
    }

    @Test
    void cifar10WhenPresent() throws Exception {
        Path cifar = Path.of(System.getProperty("streamssl.shared.dir", "../shared"), "datasets", "cifar10");
        assumeTrue(Files.isRegularFile(cifar.resolve("test_batch.bin")), "CIFAR-10 not found at "
                + cifar.toAbsolutePath() + " (set -Dstreamssl.shared.dir): skipping the CIFAR-10 evaluation");
        Run r = run("eval", "--snapshot", snapshots.toString(), "--cifar10", cifar.toString(), "--train-n", "200",
                "--test-n", "100", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode row = new ObjectMapper().readTree(r.out()).at("/results/0");
        assertThat(row.get("knn_200").asDouble()).isBetween(0.0, 1.0);
        assertThat(row.get("linear").asDouble()).isBetween(0.0, 1.0);
    }
}
