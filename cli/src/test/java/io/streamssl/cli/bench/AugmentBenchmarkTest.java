package io.streamssl.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AugmentBenchmarkTest {

    @Test
    void aShortRunPrintsAndReturnsPositiveRates() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AugmentBenchmark.Result result;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            result = AugmentBenchmark.run("cifar-symmetric", 32, 1, 0.4, out);
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("views/s per core").contains("profile").contains("threads=1");
        assertThat(result.viewsPerSample()).isEqualTo(2);
        assertThat(result.threads()).isEqualTo(1);
        assertThat(result.viewsPerSecondPerCore()).isPositive();
        assertThat(result.samplesPerSecond()).isPositive();
    }
}
