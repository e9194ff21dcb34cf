package io.streamssl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The demo's defaults: SimCLR at the CPU-sized network unless the user picks otherwise, heads sized to fit. */
class DemoCommandTest {

    private static Map<String, String> defaults(String... args) {
        DemoCommand demo = new DemoCommand();
        new CommandLine(demo).parseArgs(args);
        return DemoCommand.demoDefaults(demo.job);
    }

    @Test
    void simclrAtWidth16WithNarrowHeadsUnlessTheUserChooses() {
        Map<String, String> d = defaults();
        assertThat(d).containsEntry("trainer.method", "simclr").containsEntry("trainer.width", "16")
                .containsEntry("trainer.batch-size", "64").containsEntry("method.projector-hidden", "1024")
                .doesNotContainKey("method.predictor-hidden"); // SimCLR has no predictor

        Map<String, String> byol = defaults("--set", "trainer.method=byol");
        assertThat(byol).containsEntry("method.projector-hidden", "1024").containsEntry("method.predictor-hidden",
                "1024");
    }
}
