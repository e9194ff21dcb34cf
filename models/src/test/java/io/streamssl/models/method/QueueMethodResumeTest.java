package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.models.TrainerSpec;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Methods whose state holds a queue of features: exporting the state mid-run and importing it into a fresh trainer,
 * then training N more steps on the same batches, gives bit for bit the run that was never interrupted (losses and
 * every checkpointed tensor, the queue included). The queue is smaller than the steps run, so it wraps.
 */
class QueueMethodResumeTest {

    static final int BATCH = 8;
    static final int BEFORE = 3;
    static final int AFTER = 4;
    static TrainingImages images;

    @BeforeAll
    static void load() {
        images = TrainingImages.load(64, 7);
    }

    static Stream<Arguments> methods() {
        return Stream.of(
                Arguments.of("mocov1", Map.of("projector-out", "16", "queue-size", "24")),
                // 48 rows at 8 a step: saved partly filled (24), then full and wrapping within the resumed steps
                Arguments.of("nnclr", Map.of("projector-hidden", "32", "projector-out", "16", "predictor-hidden",
                        "32", "queue-size", "48")),
                Arguments.of("seed", SeedTeacher.options(Map.of("projector-hidden", "32", "queue-size", "24"))),
                // 24 words at 8 a step: the vocabulary wraps before and after the cut
                Arguments.of("obow", Map.of("vocabulary-size", "24", "generator-hidden", "32")),
                Arguments.of("rotation", Map.of()), // no queue: its classifier and batch-norm statistics resume
                Arguments.of("jigsaw", JigsawTest.SMALL),
                Arguments.of("relative-patch-location", RelativePatchLocationTest.SMALL),
                Arguments.of("colorization", Map.of("decoder-hidden", "16")), // no queue: its decoder resumes
                // no queue: its decoder resumes, and the step-seeded mask is drawn alike after the cut
                Arguments.of("context-encoder", Map.of("decoder-hidden", "16")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("methods")
    void resumedRunEqualsTheUninterruptedOneBitForBit(String method, Map<String, String> options) {
        TrainerSpec spec = TrainerSpec.byolCifar(8, BATCH, 100).withMethod(method, options).withLearningRate(0.05);
        ResumedRun run = ResumedRun.of(spec, images, BATCH, BEFORE, AFTER);
        if (!List.of("rotation", "jigsaw", "relative-patch-location", "colorization",
                "context-encoder").contains(method)) {
            assertThat(run.saved.tensors().keySet()).as("%s checkpoints its queue", method)
                    .anyMatch(k -> k.contains("queue"));
        }
        run.assertBitForBit(method);
    }
}
