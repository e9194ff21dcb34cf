package io.streamssl.pipeline.program;

import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;
import picocli.CommandLine.Option;

/** The options every job command shares: a config file and overrides. */
public final class JobOptions {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Job config (YAML, nested or dotted keys; see the key list below).")
    Path config;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
            description = "Override a config key, e.g. --set trainer.batch-size=64 (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--max-steps", paramLabel = "N",
            description = "Stop cleanly (with a savepoint) after N training steps; same as trainer.max-steps.")
    Long maxSteps;

    @Option(names = "--fresh",
            description = "Start from a new model and the first image, even when checkpoints.dir holds checkpoints"
                    + " of this model (by default the newest of them is resumed; the old ones stay).")
    boolean fresh;

    /** Whether {@code --fresh} was given: do not resume from {@code checkpoints.dir}. */
    public boolean fresh() {
        return fresh;
    }

    /** The config: defaults, then {@code base}, then the file, then --set, then --max-steps. */
    public JobConfig load(Map<String, String> base) {
        Map<String, String> all = new LinkedHashMap<>(base);
        all.putAll(overrides);
        if (maxSteps != null) {
            all.put(StreamsslOptions.MAX_STEPS.key(), Long.toString(maxSteps));
        }
        if (config == null) {
            return JobConfig.of(all);
        }
        JobConfig fromFile = JobConfig.load(config, Map.of());
        Map<String, String> merged = new LinkedHashMap<>(base);
        merged.putAll(fromFile.asMap());
        merged.putAll(overrides);
        if (maxSteps != null) {
            merged.put(StreamsslOptions.MAX_STEPS.key(), Long.toString(maxSteps));
        }
        return JobConfig.of(merged);
    }

    /** All keys with defaults and descriptions, for --help. */
    public static String describeKeys() {
        return StreamsslOptions.all().stream().map(JobOptions::describe).collect(Collectors.joining("%n"))
                + "%n  " + StreamsslOptions.KAFKA_PROPERTIES_PREFIX + "<property>: any Kafka client setting, given to"
                + " every client of the job (security.protocol, sasl.mechanism, sasl.jaas.config, ssl.*); Flink's "
                + StreamsslOptions.FLINK_KAFKA_PROPERTIES_PREFIX + "<property> is the same. Secret values are never"
                + " shown (logs, metrics, snapshot manifests).";
    }

    private static String describe(ConfigOption<?> o) {
        // a key without a default is either required or filled in otherwise: its description says which
        return "  " + o.key() + (o.hasDefaultValue() ? " = " + o.defaultValue() : "") + ": "
                + new HtmlFormatter().format(o.description()).replace("%", "%%");
    }
}
