package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.models.MultiCropBatch;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.TrainingState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The clustering methods label from their queue: a run whose state is exported mid-way and imported into a fresh
 * trainer must continue bit for bit like the uninterrupted run. DeepCluster-v2 re-clusters every 3 steps, with a
 * k-means both before and after the cut; SeLA's Sinkhorn-Knopp labels each step over the full queue on both sides.
 * Batch 8, queue 16 (full after 2 steps).
 */
class PseudoLabelResumeTest {

    static final int BATCH = 8;
    static final int STEPS = 8;
    static final int CUT = 4;
    static TrainingImages images;

    @BeforeAll
    static void load() {
        images = TrainingImages.load(128, 9);
    }

    static Map<String, String> options(String method) {
        // SeLA labels every step from the queue (no schedule): its state across the cut is the queue and the
        // trainable prototypes, with the queue full (and used by the labels) from step 2 on
        return method.equals("sela")
                ? Map.of("prototypes", "6", "queue-size", "16", "projector-hidden", "32", "projector-out", "16")
                : Map.of("prototypes", "6", "queue-size", "16", "recluster-every", "3", "projector-hidden", "32",
                        "projector-out", "16");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"deepclusterv2", "sela"})
    void exportImportMidRunContinuesBitForBit(String method) {
        TrainerSpec spec = TrainerSpec.byolCifar(8, BATCH, 1000).withMethod(method, options(method));
        List<MultiCropBatch> batches = new ArrayList<>();
        List<Float> losses = new ArrayList<>();
        List<TrainingState> states = new ArrayList<>(); // before each step, and after the last
        try (SslTrainer trainer = new SslTrainer(spec)) {
            for (int i = 0; i < STEPS; i++) {
                batches.add(images.batch(BATCH, trainer.viewPlan()));
            }
            for (int i = 0; i < STEPS; i++) {
                states.add(trainer.exportState());
                losses.add(trainer.step(batches.get(i)).loss());
            }
            states.add(trainer.exportState());
        }
        TrainingState atEnd = states.get(STEPS);
        // the re-assignments after steps 2 and 5 (0-based; the queue is full after 2) change the prototypes' state
        // on both sides of the cut
        if (method.equals("deepclusterv2")) {
            String key = states.get(3).tensors().keySet().stream().filter(k -> k.endsWith("prototypes/centroids"))
                    .findFirst().orElseThrow();
            assertThat(states.get(3).tensors().get(key)).as("re-assigned before the cut")
                    .isNotEqualTo(states.get(2).tensors().get(key));
            assertThat(states.get(6).tensors().get(key)).as("re-assigned after the cut")
                    .isNotEqualTo(states.get(5).tensors().get(key));
            assertThat(states.get(5).tensors().get(key)).as("kept between re-assignments")
                    .isEqualTo(states.get(4).tensors().get(key));
        }
        // replay: a first trainer to the cut, a second from its exported state
        List<Float> resumed = new ArrayList<>();
        TrainingState cut;
        try (SslTrainer first = new SslTrainer(spec)) {
            for (int i = 0; i < CUT; i++) {
                resumed.add(first.step(batches.get(i)).loss());
            }
            cut = first.exportState();
        }
        try (SslTrainer second = new SslTrainer(spec)) {
            second.importState(cut);
            for (int i = CUT; i < STEPS; i++) {
                resumed.add(second.step(batches.get(i)).loss());
            }
            assertThat(resumed).as("%s losses, resumed at step %d", method, CUT).isEqualTo(losses);
            assertThat(second.exportState().sameAs(atEnd)).as("%s state after %d steps", method, STEPS).isTrue();
        }
        assertThat(losses).allMatch(Float::isFinite);
    }
}
