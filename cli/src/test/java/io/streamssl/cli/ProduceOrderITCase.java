package io.streamssl.cli;

import static io.streamssl.cli.ReportCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.cli.ReportCommandTest.Result;
import io.streamssl.connectors.kafka.EmbeddedKafka;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code produce --order class-incremental} against a broker: the plan and each phase are printed. */
class ProduceOrderITCase {

    @TempDir
    Path tmp;

    @Test
    void printsThePhasesItSends() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp)) {
            kafka.createTopics(1, "images");
            Result r = run("produce", "-b", kafka.bootstrapServers(), "--generated", "40", "--size", "16",
                    "--order", "class-incremental", "--phase-classes", "5", "--class-order", "9,8,7,6,5,4,3,2,1,0",
                    "--repeat", "2");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("order class-incremental (5 classes a phase, class order"
                    + " [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], seed 1): 40 images per pass, each phase 2 times in a row")
                    .contains("phase 1/2 classes [9, 8, 7, 6, 5] [cross, plus, checkerboard, diagonal-stripes,"
                            + " vertical-stripes]")
                    .contains("| phase 1/2 classes [9, 8, 7, 6, 5] | epoch 0")
                    .contains("| phase 2/2 classes [4, 3, 2, 1, 0] | epoch")
                    .contains("sent 80 records to images");
        }
    }
}
