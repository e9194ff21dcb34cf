package io.streamssl.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.pipeline.config.JobConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The soak's settings and job values, without running it. */
class SoakBenchmarkTest {

    private static SoakBenchmark.Settings settings(Duration duration, Duration interval, double factor,
            Duration calibration) {
        return new SoakBenchmark.Settings(duration, Duration.ofMinutes(1), interval, factor, calibration, 500, 2, 4,
                Map.of("trainer.method", "byol", "checkpoints.interval", "1 min", "metrics.trained-ids", "false"),
                null);
    }

    @Test
    void badSettingsAreRejectedTogetherWithWhatIsAllowed() {
        assertThatThrownBy(() -> settings(Duration.ofSeconds(90), Duration.ofMillis(50), 0, Duration.ofMinutes(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least two samples")
                .hasMessageContaining("at least 100 ms")
                .hasMessageContaining("rate factor must be positive")
                .hasMessageContaining("shorter than the soak");
    }

    @Test
    void theSoakOwnsTheKeysItsAccountingNeeds() {
        SoakBenchmark.Settings s = settings(Duration.ofMinutes(30), Duration.ofSeconds(10), 2, Duration.ofMinutes(1));
        JobConfig config = JobConfig.of(SoakBenchmark.jobValues(s, "localhost:1", Path.of("/tmp/x")));
        Map<String, String> v = config.asMap();
        assertThat(v).containsEntry("metrics.trained-ids", "true").containsEntry("checkpoints.unaligned", "false")
                .containsEntry("trainer.max-steps", "0").containsEntry("trainer.method", "byol");
        assertThat(config.get(io.streamssl.pipeline.config.StreamsslOptions.CHECKPOINT_INTERVAL))
                .isEqualTo(Duration.ofSeconds(10));
        // BYOL at 32 px: two 32 x 32 RGB views and the 32 x 32 probe image
        assertThat(SoakBenchmark.sampleBytes(config.viewPlan())).isEqualTo(3L * 32 * 32 * 3);
    }
}
