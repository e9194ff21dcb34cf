package io.streamssl.cli;

import io.streamssl.pipeline.config.JobConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import picocli.CommandLine.Option;

/**
 * The job config for the commands around a job ({@code produce}, {@code report}): the same file and overrides as
 * {@code run}, so they reach the job's Kafka with its security settings ({@code kafka.properties.*}), topics and
 * image limit without repeating them.
 */
public final class JobConfigOptions {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The job's config (YAML): its kafka.* keys (bootstrap servers, topics, kafka.properties.*"
                    + " security settings) and augment.max-image-bytes are used.")
    Path config;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
            description = "Override a config key, e.g. --set kafka.properties.security.protocol=SSL (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** The config: defaults, then the file, then --set. */
    public JobConfig load() {
        return JobConfig.load(config, overrides);
    }

    /** {@code explicit} if given, else the config's value of {@code option} (null if neither). */
    static String orConfig(String explicit, JobConfig config, ConfigOption<String> option) {
        if (explicit != null) {
            return explicit;
        }
        return config.contains(option) || option.hasDefaultValue() ? config.get(option) : null;
    }
}
