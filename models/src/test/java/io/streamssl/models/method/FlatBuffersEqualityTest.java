package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.models.MultiCropBatch;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.StepResult;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.TrainingState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The flat-buffer path ({@code flat-buffers=true}: parameters, teacher and optimiser slots as views of one buffer
 * each, updated a few operators at a time) gives bit for bit the same training as the per-tensor path: for every
 * method and every optimiser, the same seeds and batches for 3 steps give the same losses and the same
 * checkpointed state, every tensor byte-equal (student, teacher, slots, queues, probe).
 */
class FlatBuffersEqualityTest {

    static final int STEPS = 3;
    static TrainingImages images;

    @BeforeAll
    static void load() {
        images = TrainingImages.load(64, 5);
    }

    static Stream<Arguments> methodsAndOptimizers() {
        List<Arguments> out = new ArrayList<>();
        MethodSmokeTest.methods().forEach(a -> {
            for (String optimizer : List.of("sgd", "lars", "adamw")) {
                out.add(Arguments.of(a.get()[0], a.get()[1], optimizer));
            }
        });
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("methodsAndOptimizers")
    void flatBuffersTrainExactlyLikeTensorByTensor(String method, Map<String, String> options, String optimizer) {
        TrainerSpec spec = TrainerSpec.byolCifar(8, 8, 100).withMethod(method, options)
                .withEncoder(MethodSmokeTest.encoderFor(method, 8)).withLearningRate(0.05).withTrainerOption("optimizer", optimizer);
        List<MultiCropBatch> batches = new ArrayList<>();
        Run perTensor = train(spec.withTrainerOption("flat-buffers", "false"), batches);
        Run flat = train(spec.withTrainerOption("flat-buffers", "true"), batches);
        assertThat(flat.losses).as("%s/%s losses", method, optimizer).containsExactly(perTensor.losses);
        assertThat(perTensor.state.tensors().keySet()).isEqualTo(flat.state.tensors().keySet());
        perTensor.state.tensors().forEach((name, bytes) -> assertThat(Arrays.equals(bytes,
                flat.state.tensors().get(name))).as("%s/%s tensor %s", method, optimizer, name).isTrue());
        assertThat(flat.state.sameAs(perTensor.state)).isTrue();
        long moved = flat.state.tensors().keySet().stream().filter(n -> n.startsWith("student/")
                && !Arrays.equals(flat.state.tensors().get(n), flat.initial.tensors().get(n))).count();
        assertThat(moved).as("student tensors training changed").isGreaterThan(10);
    }

    @org.junit.jupiter.api.Test
    void flatBuffersOptionTakesOnlyTrueOrFalse() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TrainerSpec.byolCifar(8, 8, 100)
                .withTrainerOption("flat-buffers", "yes")).hasMessageContaining("flat-buffers")
                .hasMessageContaining("true or false");
    }

    record Run(float[] losses, TrainingState initial, TrainingState state) {}

    /** Trains on {@code batches}, making them first if it is empty (the same batches for both paths). */
    private static Run train(TrainerSpec spec, List<MultiCropBatch> batches) {
        try (SslTrainer trainer = new SslTrainer(spec)) {
            TrainingState initial = trainer.exportState();
            float[] losses = new float[STEPS];
            for (int i = 0; i < STEPS; i++) {
                if (batches.size() <= i) {
                    batches.add(images.batch(8, trainer.viewPlan()));
                }
                StepResult r = trainer.step(batches.get(i));
                losses[i] = r.loss();
            }
            TrainingState state = trainer.exportState();
            if (spec.flatBuffers()) { // the parameters really are views of the buffer the updates ran over
                ai.djl.nn.Parameter first = trainer.method().trainableParameters().values().iterator().next();
                float before = first.getArray().toFloatArray()[0];
                trainer.method().useFlatBuffers().buffer().addi(1f);
                assertThat(first.getArray().toFloatArray()[0]).isEqualTo(before + 1f);
            }
            return new Run(losses, initial, state);
        }
    }
}
