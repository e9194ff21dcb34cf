package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.StepResult;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.TrainingState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A batch whose loss is not finite is skipped without changing anything: after two normal steps (so optimiser
 * slots, teacher, queue and centre hold values of their own) a batch with one view of NaN gives a
 * non-finite loss, and every state tensor — student and teacher weights, batch-norm running statistics, optimiser
 * slots, queue, centre, probe — is bit-identical afterwards, as are the step and image counters. A normal step
 * then trains again: finite loss, counters advance, state changes.
 */
class NonFiniteLossTest {

    static final int BATCH = 8;
    static TrainingImages images;

    @BeforeAll
    static void load() {
        images = TrainingImages.load(64, 3);
    }

    static Stream<Arguments> methods() {
        Map<String, String> proj = Map.of("projector-hidden", "32", "projector-out", "16");
        return Stream.of(
                Arguments.of("byol", MethodSmokeTest.with(proj, "predictor-hidden", "32")),
                Arguments.of("mocov2", MethodSmokeTest.with(proj, "queue-size", "32")),
                Arguments.of("mocov1", Map.of("projector-out", "16", "queue-size", "32")),
                Arguments.of("nnclr", MethodSmokeTest.with(MethodSmokeTest.with(proj, "predictor-hidden", "32"),
                        "queue-size", "32")),
                Arguments.of("dino", Map.of("out-dim", "64", "head-hidden", "32", "head-bottleneck", "16",
                        "local-views", "2")),
                Arguments.of("swav", Map.of("prototypes", "10", "projector-hidden", "32", "projector-out", "16",
                        "queue-size", "16", "local-views", "2")),
                Arguments.of("deepclusterv2", Map.of("prototypes", "10", "projector-hidden", "32", "projector-out",
                        "16", "queue-size", "16", "recluster-every", "1")),
                Arguments.of("sela", Map.of("prototypes", "10", "projector-hidden", "32", "projector-out", "16",
                        "queue-size", "16")),
                Arguments.of("instdisc", Map.of("projector-out", "16", "bank-size", "32")),
                Arguments.of("pirl", Map.of("projector-out", "16", "bank-size", "32")),
                Arguments.of("seed", SeedTeacher.options(Map.of("projector-hidden", "32", "queue-size", "16"))),
                Arguments.of("obow", Map.of("vocabulary-size", "16", "generator-hidden", "32")),
                Arguments.of("rotation", Map.of()),
                Arguments.of("exemplar-cnn", ExemplarCnnTest.SMALL),
                Arguments.of("jigsaw", JigsawTest.SMALL),
                Arguments.of("relative-patch-location", RelativePatchLocationTest.SMALL),
                Arguments.of("colorization", Map.of("decoder-hidden", "16")),
                Arguments.of("context-encoder", Map.of("decoder-hidden", "16")))
                // and with flat buffers: the skip puts back and zeroes through the parameters' views
                .flatMap(a -> Stream.of(Arguments.of(a.get()[0], a.get()[1], "false"),
                        Arguments.of(a.get()[0], a.get()[1], "true")));
    }

    @ParameterizedTest(name = "{0} flat-buffers={2}")
    @MethodSource("methods")
    void aNonFiniteLossChangesNoStateTensorAndTrainingGoesOn(String method, Map<String, String> options,
            String flatBuffers) {
        TrainerSpec spec = TrainerSpec.byolCifar(8, BATCH, 1000).withMethod(method, options)
                .withTrainerOption("flat-buffers", flatBuffers);
        try (SslTrainer trainer = new SslTrainer(spec)) {
            trainer.step(images.batch(BATCH, trainer.viewPlan()));
            TrainingState afterOne = trainer.exportState();
            trainer.step(images.batch(BATCH, trainer.viewPlan()));
            TrainingState before = trainer.exportState();
            assertThat(before.sameAs(afterOne)).as("a normal step changes the state").isFalse();
            assertThat(changed(trainer.method().forwardMutatedTensors().keySet(), afterOne, before))
                    .as("%s: the running statistics a forward pass updates", method).isNotEmpty();
            if (trainer.method() instanceof MomentumMethod) { // SwAV, NNCLR, DeepCluster-v2 and SeLA have no teacher
                assertThat(trainer.method().forwardMutatedTensors().keySet())
                        .as("%s: the teacher's running statistics are restored too", method)
                        .anyMatch(k -> k.startsWith("teacher/"));
            }
            int live = trainer.liveArrays();

            trainer.setViewHook(views -> {
                List<NDArray> poisoned = new ArrayList<>(views);
                poisoned.set(0, views.get(0).mul(Float.NaN)); // BN is scale-invariant: a huge view alone trains
                return poisoned;
            });
            StepResult skipped = trainer.step(images.batch(BATCH, trainer.viewPlan()));
            trainer.setViewHook(null);
            int liveAfter = trainer.liveArrays();

            assertThat(skipped.skipped()).as("%s: loss %s", method, skipped.loss()).isTrue();
            assertThat(Float.isFinite(skipped.loss())).isFalse();
            assertThat(skipped.step()).isEqualTo(2);
            assertThat(skipped.images()).isEqualTo(BATCH);
            assertThat(trainer.stepCount()).isEqualTo(2);
            assertThat(trainer.imageCount()).isEqualTo(2 * BATCH);
            TrainingState after = trainer.exportState();
            assertThat(changed(before.tensors().keySet(), before, after)).as("%s: tensors changed by a skipped step",
                    method).isEmpty();
            assertThat(after.sameAs(before)).isTrue();
            assertThat(liveAfter).as("arrays held after a skipped step").isEqualTo(live);

            StepResult next = trainer.step(images.batch(BATCH, trainer.viewPlan()));
            assertThat(next.skipped()).isFalse();
            assertThat(next.loss()).isFinite();
            assertThat(next.step()).isEqualTo(3);
            assertThat(trainer.liveArrays()).as("arrays held after the next step").isEqualTo(live);
            assertThat(trainer.exportState().sameAs(before)).as("the next step trains").isFalse();
            assertThat(trainer.stateTensors().values()).as("%s: no NaN left behind", method)
                    .allMatch(a -> a.isNaN().any().getBoolean() == false);
        }
    }

    private static List<String> changed(Iterable<String> names, TrainingState a, TrainingState b) {
        List<String> out = new ArrayList<>();
        for (String name : names) {
            if (!java.util.Arrays.equals(a.tensors().get(name), b.tensors().get(name))) {
                out.add(name);
            }
        }
        return out;
    }

}
