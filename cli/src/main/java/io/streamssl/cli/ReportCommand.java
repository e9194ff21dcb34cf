package io.streamssl.cli;

import io.streamssl.cli.report.MetricsLog;
import io.streamssl.cli.report.MetricsLog.RunSummary;
import io.streamssl.cli.report.PerClassEvaluation;
import io.streamssl.cli.report.ReportPage;
import io.streamssl.cli.report.RunCharts;
import io.streamssl.connectors.Topics;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code streamssl report}: one run's metrics records as a self-contained HTML page of charts. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write one run's training curves as a single HTML page that opens offline: loss, learning"
                + " rate and τ, online probe accuracy, throughput, checkpoint copy time and state size, held-out"
                + " evaluation (eval records) and its kNN@200 per class, with restarts marked; a header names the"
                + " run, model, method, steps, images, restarts and snapshots; a table gives each class's forgetting"
                + " (best held-out accuracy before the last evaluation minus the last), also printed here.",
                "",
                "Reads the metrics topic read_committed to its end (-b), or a saved log (--jsonl: one record per"
                        + " line, as on the topic). Without --run-id it reports the run with the newest record and"
                        + " lists the others."})
public final class ReportCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Source source = new Source();

    @Mixin
    JobConfigOptions job = new JobConfigOptions();

    static final class Source {
        @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT",
                description = "Read the metrics topic of this Kafka (default: the config's kafka.bootstrap-servers,"
                        + " with its kafka.properties.* security settings).")
        String bootstrap;

        @Option(names = "--jsonl", paramLabel = "FILE",
                description = "Read a saved log instead: one trainer event per line (see --save-jsonl).")
        Path jsonl;
    }

    @Option(names = {"-t", "--topic"}, paramLabel = "TOPIC",
            description = "With -b: the metrics topic (default: the config's kafka.metrics-topic, " + Topics.METRICS
                    + ").")
    String topic;

    @Option(names = "--run-id", paramLabel = "ID",
            description = "The run to report (default: the run with the newest record).")
    String runId;

    @Option(names = {"-o", "--out"}, defaultValue = "report.html", paramLabel = "FILE",
            description = "The HTML page to write (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--save-jsonl", paramLabel = "FILE",
            description = "Also write every record read (all runs) to FILE, one per line: keeps a run after the"
                    + " topic's retention, and --jsonl reads it back.")
    Path saveJsonl;

    @Option(names = "--read-timeout", defaultValue = "PT60S", paramLabel = "DURATION",
            description = "With -b: how long reading the topic to its end may take (ISO-8601; default: 60 s).")
    Duration readTimeout;

    @Override
    public Integer call() throws IOException {
        if (source.jsonl != null && topic != null) {
            throw new IllegalArgumentException("--topic goes with -b HOST:PORT, not with --jsonl");
        }
        System.setProperty("java.awt.headless", "true"); // charts are drawn off screen, also where a display is
        JobConfig config = job.load();
        MetricsLog log;
        if (source.jsonl != null) {
            log = MetricsLog.readJsonl(source.jsonl);
        } else {
            String bootstrap = JobConfigOptions.orConfig(source.bootstrap, config, StreamsslOptions.BOOTSTRAP_SERVERS);
            if (bootstrap == null || bootstrap.isBlank()) {
                throw new IllegalArgumentException("nothing to report on: give -b HOST:PORT, --jsonl FILE, or a config"
                        + " (-c/-s) with kafka.bootstrap-servers");
            }
            log = MetricsLog.readTopic(bootstrap, config.kafkaClientProperties(),
                    JobConfigOptions.orConfig(topic, config, StreamsslOptions.METRICS_TOPIC), readTimeout);
        }
        if (saveJsonl != null) {
            log.writeJsonl(saveJsonl);
            System.out.println("report: saved " + log.events().size() + " records to " + saveJsonl);
        }
        log.skipped().forEach(s -> System.out.println("report: skipped " + s));
        RunSummary run = runId != null ? log.run(runId) : log.newestRun();
        List<RunSummary> runs = log.runs();
        if (runs.size() > 1) {
            System.out.print("report: " + runs.size() + " runs in " + log.source() + " (newest first):\n"
                    + MetricsLog.describe(runs) + (runId == null ? "report: the newest; pick another with --run-id\n"
                            : ""));
        }
        List<RunCharts.Chart> charts = RunCharts.of(log.eventsOf(run.runId()));
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(out, ReportPage.html(log, run, charts), StandardCharsets.UTF_8);
        PerClassEvaluation.of(log.eventsOf(run.runId())).ifPresentOrElse(
                p -> p.summaryLines().forEach(line -> System.out.println("report: " + line)),
                () -> System.out.println("report: no per-class held-out figures in this run (no eval records with"
                        + " knn_200_per_class), so no forgetting"));
        System.out.println("report: " + run.records() + " records of run " + run.runId() + " (" + charts.size()
                + " charts) → " + out);
        return 0;
    }
}
