package io.streamssl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.connectors.event.CheckpointEvent;
import io.streamssl.connectors.event.EvalEvent;
import io.streamssl.connectors.event.EventHeader;
import io.streamssl.connectors.event.FinalStateEvent;
import io.streamssl.connectors.event.MetricsEvent;
import io.streamssl.connectors.event.RestoredEvent;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.connectors.event.TrainerEventCodec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code report} on a hand-made log of two runs — the newer one with checkpoints, a restart, a snapshot and
 * eval records — writes one page whose charts are inlined PNGs, and picks runs as asked.
 */
class ReportCommandTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    static final String OLD_RUN = "run-older";
    static final String NEW_RUN = "run-newer";
    private static final Pattern PNG = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");

    @TempDir
    Path dir;

    @Test
    void theNewestRunByDefaultWithEveryChartInlined() throws IOException {
        Path log = writeLog();
        Path page = dir.resolve("out/report.html");
        Result r = run("report", "--jsonl", log.toString(), "--out", page.toString());

        assertThat(r.code).as(r.err).isZero();
        int newRunRecords = 16 + 4 + 1 + 1 + 1 + 2 + 1; // metrics, checkpoints, restored, final, snapshot, eval, foo
        assertThat(r.out).contains("2 runs in", OLD_RUN, NEW_RUN, "pick another with --run-id",
                "report: " + newRunRecords + " records of run " + NEW_RUN, "→ " + page);
        String html = Files.readString(page);
        assertThat(html).contains("run <code>" + NEW_RUN + "</code>", "byol", "attempt 1 from step 40",
                "/snapshots/step-000000040", "/snapshots/step-000000080", "checkpoint 2", "foo",
                "other runs in the log");
        List<String> titles = List.of("Loss", "Learning rate and τ", "Online probe accuracy", "Throughput",
                "Checkpoints: copy time and state size", "Held-out evaluation", "Held-out kNN@200 per class",
                "Held-out evaluation: eval_s");
        for (String title : titles) {
            assertThat(html).contains("<img alt=\"" + title + "\"");
        }
        assertThat(inlinedImages(html)).hasSize(titles.size()).allSatisfy(img -> {
            assertThat(img.getWidth()).isEqualTo(960);
            assertThat(img.getHeight()).isEqualTo(380);
        });
        assertThat(html).doesNotContain("<script", "<link", "src=\"http", "url(");
    }

    @Test
    void runIdPicksAnotherRunAndAnUnknownOneListsTheRuns() throws IOException {
        Path log = writeLog();
        Path page = dir.resolve("old.html");
        Result r = run("report", "--jsonl", log.toString(), "--run-id", OLD_RUN, "-o", page.toString());
        assertThat(r.code).as(r.err).isZero();
        assertThat(r.out).contains("report: 4 records of run " + OLD_RUN).doesNotContain("pick another");
        String html = Files.readString(page);
        assertThat(html).contains("run <code>" + OLD_RUN + "</code>", "<img alt=\"Learning rate\"")
                .doesNotContain("alt=\"Checkpoints", "alt=\"Held-out", "alt=\"Online probe");
        assertThat(inlinedImages(html)).hasSize(3); // loss, learning rate, throughput
        assertThat(html).contains("No eval records in this run");

        Result unknown = run("report", "--jsonl", log.toString(), "--run-id", "nope", "-o", page.toString());
        assertThat(unknown.code).isEqualTo(1);
        assertThat(unknown.err).contains("no records of run 'nope'", OLD_RUN, NEW_RUN, "pick one with --run-id");
    }

    @Test
    void aSavedLogReadsBackTheSame() throws IOException {
        Path log = writeLog();
        Path saved = dir.resolve("kept/saved.jsonl");
        Result first = run("report", "--jsonl", log.toString(), "--save-jsonl", saved.toString(), "-o",
                dir.resolve("a.html").toString());
        assertThat(first.code).as(first.err).isZero();
        assertThat(first.out).contains("saved 30 records to " + saved);
        Result again = run("report", "--jsonl", saved.toString(), "-o", dir.resolve("b.html").toString());
        assertThat(again.code).as(again.err).isZero();
        assertThat(Files.readString(dir.resolve("b.html"))).isEqualTo(Files.readString(dir.resolve("a.html"))
                .replace(log.toString(), saved.toString()));
    }

    @Test
    void errorsNameWhatToFix() throws IOException {
        Path html = dir.resolve("x.html");
        assertThat(run("report", "--jsonl", dir.resolve("none.jsonl").toString(), "-o", html.toString()).err)
                .contains("no such file", "none.jsonl");
        Path broken = dir.resolve("broken.jsonl");
        Files.writeString(broken, TrainerEventCodec.encode(metrics(NEW_RUN, 5, 0, 1.0)) + "\nstep 10 loss 0.9\n");
        Result r = run("report", "--jsonl", broken.toString(), "-o", html.toString());
        assertThat(r.code).isEqualTo(1);
        assertThat(r.err).contains("broken.jsonl line 2: not JSON", "one trainer event per line");
        Files.writeString(broken, TrainerEventCodec.encode(metrics(NEW_RUN, 5, 0, 1.0)).replace("2026-", "26-"));
        assertThat(run("report", "--jsonl", broken.toString(), "-o", html.toString()).err)
                .contains("broken.jsonl line 1: Text '26-");
        Path empty = dir.resolve("empty.jsonl");
        Files.writeString(empty, "\n");
        assertThat(run("report", "--jsonl", empty.toString(), "-o", html.toString()).err)
                .contains("no trainer events in " + empty);
        assertThat(run("report", "--jsonl", empty.toString(), "--topic", "m", "-o", html.toString()).err)
                .contains("--topic goes with -b");
        assertThat(run("report", "-b", "localhost:9092", "--jsonl", empty.toString()).err)
                .contains("mutually exclusive");
        assertThat(run("report").err).contains("give -b HOST:PORT, --jsonl FILE, or a config (-c/-s) with"
                + " kafka.bootstrap-servers");
        assertThat(Files.exists(html)).isFalse();
    }

    @Test
    void helpListsTheOptions() {
        Result r = run("report", "--help");
        assertThat(r.out).as(r.err + r.code).contains("--bootstrap-servers=HOST:PORT", "--jsonl=FILE",
                "--run-id=ID", "--out=FILE", "--save-jsonl=FILE", "--topic=TOPIC", "held-out");
    }

    /**
     * Two runs. The older: four metrics records. The newer (its records an hour later): metrics every 5 steps to
     * 80 with τ and the probe, checkpoints at 20, 40, 60, 80, a failure after checkpoint 2 and a restore from it as
     * attempt 1, a snapshot announcement, the final state, two eval records and one of a kind nobody knows.
     */
    static List<String> logLines() {
        List<String> lines = new ArrayList<>();
        for (int step = 10; step <= 40; step += 10) {
            lines.add(TrainerEventCodec.encode(new MetricsEvent(header(OLD_RUN, step, 0, T0.plusSeconds(step)),
                    2.0 - step / 40.0, 0.1f, Map.of(), 50, 60, null, 0, null, false)));
        }
        String teacher40 = "ab".repeat(32);
        for (int step = 5; step <= 80; step += 5) {
            int attempt = step > 40 ? 1 : 0;
            lines.add(TrainerEventCodec.encode(metrics(NEW_RUN, step, attempt, 2.5 * Math.exp(-step / 40.0))));
            if (step % 20 == 0) {
                lines.add(TrainerEventCodec.encode(new CheckpointEvent(header(NEW_RUN, step, attempt, at(step)),
                        step / 20, step == 40 ? teacher40 : "cd".repeat(32), 12_000_000 + step * 1000L, step % 3,
                        150 + step * 37 % 60)));
            }
            if (step == 40) {
                lines.add(TrainerEventCodec.encode(new SnapshotEvent(header(NEW_RUN, 40, 0, at(40)),
                        "/data/snapshots/step-000000040", "byol", "ef".repeat(32), 2L)));
                lines.add(eval(40, 0.31, 0.29, 0.35));
                lines.add(TrainerEventCodec.encode(new RestoredEvent(header(NEW_RUN, 40, 1, at(40).plusSeconds(30)),
                        teacher40, 1, null)));
            }
        }
        lines.add(eval(80, 0.42, 0.40, 0.47));
        lines.add("");
        lines.add("{\"event\":\"foo\",\"run_id\":\"" + NEW_RUN + "\",\"step\":80,\"bar\":1}");
        lines.add(TrainerEventCodec.encode(new FinalStateEvent(header(NEW_RUN, 80, 1, at(80)),
                new TreeMap<>(Map.of("student.w", "00".repeat(32))), 1, 12_080_000)));
        return lines;
    }

    private Path writeLog() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        Files.write(file, logLines(), StandardCharsets.UTF_8);
        return file;
    }

    private static MetricsEvent metrics(String runId, long step, int attempt, double loss) {
        return new MetricsEvent(header(runId, step, attempt, at(step)), loss, 0.05f * Math.min(1, step / 20f),
                Map.of("tau", 0.996 + 0.004 * step / 80.0), 70 + step % 7, 75 + step % 3, 0.1 + step / 200.0,
                (int) step * 8, step >= 40 ? "/data/snapshots/step-0000000" + (step >= 80 ? "80" : "40") : null,
                step == 80);
    }

    /** An eval record as the job's held-out evaluator writes it. */
    private static String eval(long step, double knn20, double knn200, double linear) {
        return TrainerEventCodec.encode(new EvalEvent(header(NEW_RUN, step, 0, at(step).plusSeconds(5)),
                "/snapshots/step-" + step, "ab12", step / 20, "cifar10", 5000, 1000, knn20, knn200, linear,
                new double[] {knn200, Double.NaN}, 12.5));
    }

    private static EventHeader header(String runId, long step, int attempt, Instant ts) {
        return new EventHeader(runId, "encoder", step, step * 64, step / 20, attempt, ts);
    }

    private static Instant at(long step) {
        return T0.plusSeconds(3600 + step);
    }

    static List<BufferedImage> inlinedImages(String html) throws IOException {
        List<BufferedImage> images = new ArrayList<>();
        Matcher m = PNG.matcher(html);
        while (m.find()) {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1))));
            assertThat(img).as("an inlined PNG that decodes").isNotNull();
            images.add(img);
        }
        return images;
    }

    record Result(int code, String out, String err) {}

    /** Runs the command line; the command prints to System.out, so the line is made after redirecting it. */
    static Result run(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int code;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            CommandLine cl = StreamsslCommand.commandLine();
            cl.setErr(new PrintWriter(err, true));
            code = cl.execute(args);
        } finally {
            System.setOut(stdout);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }
}
