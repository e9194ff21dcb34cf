package io.streamssl.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamssl.cli.EvalCommand;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;

/**
 * {@code streamssl eval --baseline random --json} of a snapshot on CIFAR-10, run in this process: the snapshot's
 * and a randomly initialised encoder's kNN and linear figures, as the benchmarks report them.
 */
public final class SnapshotEvaluation {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One encoder's figures from {@code eval}. */
    public record Scores(String encoder, double knn20, double knn200, double linear, double seconds) {}

    private SnapshotEvaluation() {}

    /**
     * {@code eval --baseline random --json} of {@code snapshot} on the first {@code trainN} training and
     * {@code testN} test images of CIFAR-10 in {@code cifar10}; its progress to {@code out}. Returns eval's whole
     * JSON object.
     */
    static JsonNode evaluate(Path snapshot, Path cifar10, int trainN, int testN, PrintStream out) throws IOException {
        return evaluate(snapshot, cifar10, trainN, testN, true, out);
    }

    /** As {@link #evaluate(Path, Path, int, int, PrintStream)}, the random encoder only when {@code withRandom}. */
    static JsonNode evaluate(Path snapshot, Path cifar10, int trainN, int testN, boolean withRandom, PrintStream out)
            throws IOException {
        out.printf(Locale.ROOT, "evaluating %s%s: %d training / %d test images …%n", snapshot,
                withRandom ? " and a randomly initialised encoder" : "", trainN, testN);
        StringWriter json = new StringWriter();
        CommandLine eval = new CommandLine(new EvalCommand());
        eval.setOut(new PrintWriter(json));
        eval.setErr(new PrintWriter(out, true));
        eval.setExecutionExceptionHandler((e, cl, parsed) -> {
            throw e; // the caller's handling: a bad argument is a message, anything else a trace
        });
        List<String> args = new ArrayList<>(List.of("--snapshot", snapshot.toString(), "--cifar10",
                cifar10.toString(), "--train-n", Integer.toString(trainN), "--test-n", Integer.toString(testN),
                "--json"));
        if (withRandom) {
            args.addAll(List.of("--baseline", "random"));
        }
        int exit = eval.execute(args.toArray(String[]::new));
        if (exit != 0) {
            throw new IllegalStateException("eval of " + snapshot + " failed (exit code " + exit + ")");
        }
        return JSON.readTree(json.toString());
    }

    /**
     * The row of {@code encoder} ({@code snapshot} or {@code random-init}) in eval's JSON: its two kNN figures
     * (k = 20, 200) in their order, and the linear probe's.
     */
    static Scores scores(JsonNode eval, String encoder) {
        for (JsonNode row : eval.path("results")) {
            if (encoder.equals(row.path("encoder").asText())) {
                List<Double> knn = new ArrayList<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    if (f.getKey().matches("knn_\\d+") && f.getValue().isNumber()) {
                        knn.add(f.getValue().asDouble());
                    }
                }
                if (knn.size() != 2) {
                    throw new IllegalStateException("eval's row '" + encoder + "' has " + knn.size()
                            + " kNN figures, expected 2 (k = 20, 200): " + row);
                }
                return new Scores(encoder, knn.get(0), knn.get(1), row.path("linear").asDouble(),
                        row.path("seconds").asDouble());
            }
        }
        throw new IllegalStateException("eval's output has no row '" + encoder + "': " + eval);
    }
}
