package io.streamssl.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamssl.cli.StreamsslCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bench quality} end to end on a tiny budget: CIFAR-10 through the broker and the real job for 10 steps
 * (640 images at the demo's batch of 64) with the job's held-out evaluator on, then {@code eval} of the final
 * snapshot and a random encoder, whose figures must be the evaluator's. An
 * ITCase: it starts a broker and a Flink cluster and loads libtorch. Skipped without CIFAR-10.
 */
class QualityBenchmarkITCase {

    @TempDir
    Path work;

    @Test
    void tinyRunReportsBothEncodersAndTheImagesItTrainedOn() throws Exception {
        Path cifar = SharedCifar10.orSkip("bench quality end to end");
        Path table = work.resolve("table.md");
        CommandLine cl = StreamsslCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute("bench", "quality", "--method", "simclr", "--images", "640", "--train-n", "500",
                "--test-n", "200", "--cifar10", cifar.toString(), "--work-dir", work.resolve("run").toString(),
                "--json", "--table", table.toString(),
                // the job's own held-out evaluator on the images eval will take: first 500 training, 200 test
                "--set", "eval.cifar10=" + cifar.toAbsolutePath(), "--set", "eval.bank-size=500",
                "--set", "eval.query-size=200");
        System.out.println(out);
        assertThat(exit).as(err.toString()).isZero();

        JsonNode r = new ObjectMapper().readTree(out.toString());
        assertThat(r.get("method").asText()).isEqualTo("simclr");
        assertThat(r.get("width").asInt()).as("the demo's network").isEqualTo(16);
        assertThat(r.get("batch_size").asInt()).isEqualTo(64);
        assertThat(r.get("steps").asLong()).isEqualTo(10);
        assertThat(r.get("images_seen").asLong()).isGreaterThanOrEqualTo(640);
        for (String encoder : List.of("snapshot", "random_init")) {
            for (String field : List.of("knn_20", "knn_200", "linear")) {
                assertThat(r.at("/" + encoder + "/" + field).asDouble()).as(encoder + " " + field).isBetween(0.0, 1.0);
            }
        }
        assertThat(r.get("train_seconds").asDouble()).isPositive();
        assertThat(r.get("eval_seconds").asDouble()).isPositive();
        assertThat(r.at("/eval/results")).hasSize(2);
        assertThat(r.at("/eval/results/0/encoder").asText()).isEqualTo("snapshot");
        assertThat(r.at("/eval/results/1/encoder").asText()).isEqualTo("random-init");
        assertThat(r.at("/eval/snapshot/step").asLong()).as("the final snapshot").isEqualTo(10);
        assertThat(r.at("/eval/snapshot/method").asText()).isEqualTo("simclr");
        assertThat(r.at("/eval/data/train_n").asInt()).isEqualTo(500);
        assertThat(r.at("/eval/data/test_n").asInt()).isEqualTo(200);

        assertThat(new ObjectMapper().readTree(work.resolve("run/result.json").toFile())).isEqualTo(r);

        // the job's eval record of its final snapshot (in the saved metrics log) holds exactly the figures that
        // `streamssl eval` printed for that snapshot and these images
        JsonNode jobEval = null;
        for (String line : Files.readAllLines(work.resolve("run").resolve(QualityBenchmark.METRICS_LOG))) {
            JsonNode e = new ObjectMapper().readTree(line);
            if (e.get("event").asText().equals("eval") && e.get("step").asLong() == 10) {
                jobEval = e;
            }
        }
        assertThat(jobEval).as("the job's eval record of step 10").isNotNull();
        assertThat(jobEval.get("bank_n").asInt()).isEqualTo(500);
        assertThat(jobEval.get("query_n").asInt()).isEqualTo(200);
        for (String field : List.of("knn_20", "knn_200", "linear")) {
            assertThat(jobEval.get(field).asDouble()).as(field).isEqualTo(r.at("/eval/results/0/" + field).asDouble());
        }
        assertThat(jobEval.get("knn_200_per_class")).isEqualTo(r.at("/eval/results/0/knn_200_per_class"));
        List<String> rows = Files.readAllLines(table);
        assertThat(rows).hasSize(3);
        assertThat(rows.get(2)).startsWith("| simclr | 640 | 10 | ").endsWith(" | 500/200 | "
                + Math.round(r.get("train_seconds").asDouble()) + " | " + Math.round(r.get("eval_seconds").asDouble())
                + " |");
    }
}
