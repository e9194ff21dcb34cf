package io.streamssl.cli.bench;

import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.program.JobOptions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The job keys a benchmark sets from its own options ({@code trainer.max-steps} from {@code --images}, …): a
 * config file or {@code --set} that gives one of them another value fails, naming the option to use instead,
 * rather than silently measuring something else.
 */
public final class BenchKeys {

    private BenchKeys() {}

    /**
     * {@code base} with {@code fixed} over it, under the user's config ({@code job}); then every fixed key must
     * still have its value.
     *
     * @param setBy for each fixed key, the option that sets it (a parenthesis after it explains how)
     * @param bench the benchmark's name for the message, e.g. {@code bench quality}
     * @throws IllegalArgumentException naming the key, the value the user's config gives and the option to use
     */
    public static JobConfig load(JobOptions job, Map<String, String> base, Map<String, String> fixed,
            Map<String, String> setBy, String bench) {
        Map<String, String> all = new LinkedHashMap<>(base);
        all.putAll(fixed);
        JobConfig config = job.load(all);
        fixed.forEach((key, value) -> {
            String actual = config.asMap().get(key);
            if (!value.equals(actual)) {
                String option = setBy.getOrDefault(key, "its option");
                throw new IllegalArgumentException(bench + " sets " + key + " from " + option + ", but the config or"
                        + " --set/--max-steps gives '" + actual + "': leave " + key + " out and use "
                        + option.replaceAll(" \\(.*", "") + " instead");
            }
        });
        return config;
    }
}
