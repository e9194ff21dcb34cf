package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.profile.NativeOpCount;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With flat buffers the teacher's EMA and the optimiser's update are a handful of libtorch calls, whatever the
 * number of tensors: counted by libtorch's profiler on one BYOL step (ResNet-18 width 8: 62 encoder tensors plus
 * heads), per-tensor vs flat.
 */
class FlatBuffersOpCountTest {

    @Test
    void emaAndSgdUpdateTakeFewCallsOverTheFlatBuffer() {
        Map<String, NativeOpCount> perTensor = countOneStep("false");
        Map<String, NativeOpCount> flat = countOneStep("true");
        long emaBefore = perTensor.get("after-step (teacher EMA, queues)").topLevel();
        long emaAfter = flat.get("after-step (teacher EMA, queues)").topLevel();
        long optBefore = perTensor.get("optimizer").topLevel();
        long optAfter = flat.get("optimizer").topLevel();
        System.out.printf("OPS per step, BYOL width 8: EMA %d -> %d, SGD update %d -> %d%n", emaBefore, emaAfter,
                optBefore, optAfter);
        // per tensor: mul, mul, add per teacher tensor (> 100 tensors); flat: 3 per contiguous run (2 runs)
        assertThat(emaBefore).isGreaterThan(300);
        assertThat(emaAfter).isLessThanOrEqualTo(6);
        // flat SGD: one reshape per gradient + cat, a few over the buffer, one zeroing per gradient
        assertThat(optAfter).isLessThan(optBefore / 2);
        // the non-finite guard copies the running statistics: per tensor before, per contiguous run (2) with flat buffers
        long inputBefore = perTensor.get("input").topLevel();
        long inputAfter = flat.get("input").topLevel();
        System.out.printf("OPS input (views + guard copies) %d -> %d%n", inputBefore, inputAfter);
        assertThat(inputAfter).isLessThan(inputBefore / 2);
        assertThat(flat.get("forward+backward").topLevel()).isEqualTo(perTensor.get("forward+backward").topLevel());
    }

    private static Map<String, NativeOpCount> countOneStep(String flat) {
        TrainerSpec spec = TrainerSpec.byolCifar(8, 8, 100).withTrainerOption("flat-buffers", flat);
        TrainingImages images = TrainingImages.load(16, 3);
        try (SslTrainer trainer = new SslTrainer(spec)) {
            trainer.step(images.batch(8, trainer.viewPlan()));
            trainer.setCountNativeOps(true);
            trainer.step(images.batch(8, trainer.viewPlan()));
            return Map.copyOf(trainer.lastStepOps());
        }
    }
}
