package io.streamssl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.models.MultiCropBatch;
import io.streamssl.models.ViewBatch;
import io.streamssl.models.method.ViewPlan;
import io.streamssl.pipeline.config.JobConfig;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@code bench trainer}'s batches have the views the method trains on, as the pipeline delivers them. */
class BenchCommandTest {

    @Test
    void multiCropMethodsGetGlobalAndLocalViewsOfTheirPlan() {
        for (String method : List.of("dino", "swav")) {
            ViewPlan plan = JobConfig.of(Map.of("trainer.method", method, "trainer.batch-size", "4")).viewPlan();
            MultiCropBatch batch = BenchCommand.randomBatch(plan, 4, 10, new SplittableRandom(7));
            assertThat(batch.sizes()).as(method).isEqualTo(plan.sizes())
                    .containsExactly(32, 32, 16, 16, 16, 16, 16, 16);
            assertThat(batch.groups()).extracting(ViewBatch::views).containsExactly(2, 6);
            assertThat(batch.groups().get(0).probePixels()).hasSize(4 * 32 * 32 * 3);
            assertThat(batch.groups().get(1).probePixels()).isNull();
            assertThat(java.util.Arrays.stream(batch.labels()).boxed().toList()).hasSize(4)
                    .allMatch(label -> label >= 0 && label < 10);
        }
    }

    @Test
    void twoViewMethodsGetOneGroup() {
        ViewPlan plan = JobConfig.of(Map.of("trainer.method", "byol")).viewPlan();
        MultiCropBatch batch = BenchCommand.randomBatch(plan, 8, 10, new SplittableRandom(7));
        assertThat(batch.groups()).hasSize(1);
        assertThat(batch.sizes()).containsExactly(32, 32);
    }
}
