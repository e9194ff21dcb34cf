package io.streamssl.models.method;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The optimiser and peak learning rate a method trains with when the user sets neither
 * ({@code trainer.optimizer}, {@code trainer.learning-rate}): each {@link MethodDescriptor} carries its own, and a
 * value the user gives always wins. A learning rate published for a reference batch size is scaled linearly to
 * the batch size in use, {@code lr = base · batch / reference}, as the papers and solo-learn
 * ({@code scale_factor = batch_size / 256}) do.
 *
 * <pre>{@code
 * OptimizerDefaults vicreg = OptimizerDefaults.scaled("lars", 0.3, 256);
 * vicreg.learningRate(64); // 0.075
 * }</pre>
 *
 * @param optimizer {@code sgd}, {@code lars} or {@code adamw}
 * @param baseLearningRate the peak learning rate at {@code referenceBatchSize} images per step
 * @param referenceBatchSize the batch size {@code baseLearningRate} is given for; 0 = the same rate at every size
 */
public record OptimizerDefaults(String optimizer, double baseLearningRate, int referenceBatchSize) {

    /** The optimisers the trainer has (see {@link io.streamssl.models.optim.ParameterOptimizer}). */
    public static final List<String> OPTIMIZERS = List.of("sgd", "lars", "adamw");

    public OptimizerDefaults {
        Objects.requireNonNull(optimizer, "optimizer");
        if (!OPTIMIZERS.contains(optimizer)) {
            throw new IllegalArgumentException("optimizer must be one of " + OPTIMIZERS + ", got '" + optimizer + "'");
        }
        if (!(baseLearningRate > 0 && Double.isFinite(baseLearningRate))) {
            throw new IllegalArgumentException("base learning rate must be > 0, got " + baseLearningRate);
        }
        if (referenceBatchSize < 0) {
            throw new IllegalArgumentException("reference batch size must be >= 0 (0 = not scaled), got "
                    + referenceBatchSize);
        }
    }

    /** {@code optimizer} at {@code learningRate} for every batch size. */
    public static OptimizerDefaults fixed(String optimizer, double learningRate) {
        return new OptimizerDefaults(optimizer, learningRate, 0);
    }

    /** {@code optimizer} at {@code baseLearningRate · batch / referenceBatchSize}. */
    public static OptimizerDefaults scaled(String optimizer, double baseLearningRate, int referenceBatchSize) {
        if (referenceBatchSize < 1) {
            throw new IllegalArgumentException("reference batch size must be >= 1, got " + referenceBatchSize);
        }
        return new OptimizerDefaults(optimizer, baseLearningRate, referenceBatchSize);
    }

    /** The peak learning rate at {@code batchSize} images per step. */
    public double learningRate(int batchSize) {
        return referenceBatchSize == 0 ? baseLearningRate : baseLearningRate * batchSize / referenceBatchSize;
    }

    /** E.g. {@code lars, learning rate 0.3 × batch-size/256} or {@code sgd, learning rate 0.05}. */
    public String describe() {
        // 2e-4 rather than Java's 2.0E-4: short enough for streamssl methods' 120-column lines
        String lr = String.format(Locale.ROOT, "%s", baseLearningRate).replace(".0E", "E").replace('E', 'e');
        return optimizer + ", learning rate " + lr
                + (referenceBatchSize == 0 ? "" : " × batch-size/" + referenceBatchSize);
    }
}
