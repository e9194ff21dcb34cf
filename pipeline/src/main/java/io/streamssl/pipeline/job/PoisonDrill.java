package io.streamssl.pipeline.job;

import ai.djl.ndarray.NDArray;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.StepResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * {@code testing.poison-ids}: a batch holding one of these image ids gets its first view set to NaN on the device,
 * so its loss is NaN, to rehearse the skipped step, its dead letters and the job training on afterwards.
 */
final class PoisonDrill {

    private static final UnaryOperator<List<NDArray>> NAN_FIRST_VIEW = views -> {
        List<NDArray> out = new ArrayList<>(views);
        out.set(0, views.get(0).mul(Float.NaN));
        return out;
    };

    private final Set<String> ids;

    PoisonDrill(Set<String> ids) {
        this.ids = Set.copyOf(ids);
    }

    /** {@code step.get()}, with the trainer's views poisoned if {@code samples} hold a listed id. */
    StepResult step(SslTrainer trainer, List<TrainingSample> samples, Supplier<StepResult> step) {
        if (ids.isEmpty() || samples.stream().noneMatch(s -> ids.contains(s.id))) {
            return step.get();
        }
        trainer.setViewHook(NAN_FIRST_VIEW);
        try {
            return step.get();
        } finally {
            trainer.setViewHook(null);
        }
    }
}
