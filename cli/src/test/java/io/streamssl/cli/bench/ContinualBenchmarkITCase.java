package io.streamssl.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench continual} end to end on a tiny budget: one case (minred) on 640 CIFAR-10 images in 2 phases at
 * one update per sample (10 steps of 64), the job's evaluator at both phase ends, then the random encoder. An
 * ITCase: it starts a broker and a Flink cluster and loads libtorch. Skipped without CIFAR-10.
 */
class ContinualBenchmarkITCase {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void tinyRunReportsEachPhaseEndAndTheForgettingBetweenThem() throws Exception {
        Path cifar = SharedCifar10.orSkip("bench continual end to end");
        Path run = work.resolve("run");
        QualityBenchmarkTest.Run r = QualityBenchmarkTest.run("bench", "continual", "--cases", "minred", "--images",
                "640", "--phases", "2", "--updates-per-sample", "1", "--capacity", "128", "--train-n", "200",
                "--test-n", "100", "--cifar10", cifar.toString(), "--work-dir", run.toString(), "--json");
        System.out.println(r.out());
        assertThat(r.exit()).as(r.err()).isZero();

        JsonNode j = JSON.readTree(r.out());
        assertThat(j).isEqualTo(JSON.readTree(run.resolve("result.json").toFile()));
        assertThat(j.get("images").asInt()).isEqualTo(640);
        assertThat(j.get("class_order")).hasSize(2);
        assertThat(j.get("class_order").get(0)).hasSize(5);
        assertThat(j.get("cases")).hasSize(1);
        JsonNode minred = j.get("cases").get(0);
        assertThat(minred.get("steps").asLong()).as("640 × 1 / 64").isEqualTo(10);
        assertThat(minred.get("samples").asLong()).isEqualTo(640);
        assertThat(minred.at("/phases/0/step").asLong()).isEqualTo(5);
        assertThat(minred.at("/phases/1/step").asLong()).isEqualTo(10);

        // the final figure is the job's own eval record of step 10, and the forgetting follows from the per-class
        // figures of the two phase ends: mean over classes of a_c(phase 1) − a_c(phase 2)
        JsonNode jobEval = null;
        double replayed = 0;
        for (String line : Files.readAllLines(run.resolve("minred").resolve(InProcessJob.METRICS_LOG))) {
            JsonNode e = JSON.readTree(line);
            if (e.get("event").asText().equals("eval") && e.get("step").asLong() == 10) {
                jobEval = e;
            }
            replayed = Math.max(replayed, e.path("replayed-fraction").asDouble(0));
        }
        assertThat(jobEval).as("the job's eval record of step 10").isNotNull();
        assertThat(minred.get("final_knn_200").asDouble()).isEqualTo(jobEval.get("knn_200").asDouble());
        assertThat(minred.at("/phases/1/knn_200_per_class")).isEqualTo(jobEval.get("knn_200_per_class"));
        assertThat(replayed).as("replayed samples in the batches").isPositive();
        double sum = 0;
        for (int c = 0; c < 10; c++) {
            sum += minred.at("/phases/0/knn_200_per_class/" + c).asDouble()
                    - minred.at("/phases/1/knn_200_per_class/" + c).asDouble();
        }
        assertThat(minred.get("average_forgetting").asDouble()).isCloseTo(sum / 10, within(1e-12));
        assertThat(j.at("/random_init/knn_200").asDouble()).isBetween(0.0, 1.0);
        assertThat(j.get("gap_closed").isNull()).as("no off and iid cases").isTrue();
    }
}
