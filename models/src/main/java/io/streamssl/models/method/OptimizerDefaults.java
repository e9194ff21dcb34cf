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
 * <p>A method whose paper sets its own weight decay or AdamW betas (MAE: 0.05, (0.9, 0.95)) carries them too
 * ({@link #withWeightDecay}, {@link #withAdamBetas}); the others take {@code trainer.weight-decay}'s default and
 * AdamW's (0.9, 0.999). Here too, a value the user sets wins.
 *
 * @param optimizer {@code sgd}, {@code lars} or {@code adamw}
 * @param baseLearningRate the peak learning rate at {@code referenceBatchSize} images per step
 * @param referenceBatchSize the batch size {@code baseLearningRate} is given for; 0 = the same rate at every size
 * @param weightDecay the method's weight decay, or null for the trainer's default
 * @param adamBetas the method's AdamW (β1, β2), or null for (0.9, 0.999)
 */
public record OptimizerDefaults(String optimizer, double baseLearningRate, int referenceBatchSize, Double weightDecay,
        AdamBetas adamBetas) {

    /** AdamW's moment decay rates, each in [0, 1). */
    public record AdamBetas(double beta1, double beta2) {

        /** Adam's own: (0.9, 0.999). */
        public static final AdamBetas DEFAULT = new AdamBetas(0.9, 0.999);

        public AdamBetas {
            if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("adamw betas must each be in [0, 1), got (" + beta1 + ", " + beta2
                        + ")");
            }
        }

        /** {@code "b1,b2"}, as {@code trainer.adamw-betas} takes it, e.g. {@code 0.9,0.95}. */
        public static AdamBetas parse(String text) {
            String[] parts = text.split(",");
            try {
                if (parts.length == 2) {
                    return new AdamBetas(Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim()));
                }
            } catch (NumberFormatException e) {
                // the message below says what is allowed
            }
            throw new IllegalArgumentException("adamw betas must be two numbers in [0, 1) as 'b1,b2' (e.g. 0.9,0.95),"
                    + " got '" + text + "'");
        }

        /** {@code 0.9,0.95}: the form {@link #parse} reads. */
        public String format() {
            return String.format(Locale.ROOT, "%s,%s", beta1, beta2);
        }
    }

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
        if (weightDecay != null && !(weightDecay >= 0 && Double.isFinite(weightDecay))) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
        if (adamBetas != null && !optimizer.equals("adamw")) {
            throw new IllegalArgumentException("adamw betas are for adamw, not " + optimizer);
        }
    }

    /** {@code optimizer} at {@code learningRate} for every batch size. */
    public static OptimizerDefaults fixed(String optimizer, double learningRate) {
        return new OptimizerDefaults(optimizer, learningRate, 0, null, null);
    }

    /** {@code optimizer} at {@code baseLearningRate · batch / referenceBatchSize}. */
    public static OptimizerDefaults scaled(String optimizer, double baseLearningRate, int referenceBatchSize) {
        if (referenceBatchSize < 1) {
            throw new IllegalArgumentException("reference batch size must be >= 1, got " + referenceBatchSize);
        }
        return new OptimizerDefaults(optimizer, baseLearningRate, referenceBatchSize, null, null);
    }

    /** These defaults with the method's own weight decay. */
    public OptimizerDefaults withWeightDecay(double decay) {
        return new OptimizerDefaults(optimizer, baseLearningRate, referenceBatchSize, decay, adamBetas);
    }

    /** These (AdamW) defaults with the method's own betas. */
    public OptimizerDefaults withAdamBetas(double beta1, double beta2) {
        return new OptimizerDefaults(optimizer, baseLearningRate, referenceBatchSize, weightDecay,
                new AdamBetas(beta1, beta2));
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

    /** E.g. {@code weight decay 0.05; betas 0.9,0.95}; empty when the method has neither of its own. */
    public String describeDecayAndBetas() {
        String decay = weightDecay == null ? "" : String.format(Locale.ROOT, "weight decay %s", weightDecay);
        String betas = adamBetas == null ? "" : "betas " + adamBetas.format();
        return decay.isEmpty() || betas.isEmpty() ? decay + betas : decay + "; " + betas;
    }
}
