package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;

/**
 * One self-supervised method: its networks, its loss and its own state. The {@link io.streamssl.models.SslTrainer}
 * owns everything common (device, normalisation, optimiser, schedules, probe, checkpoints); a method adds
 * only what is its own. Implementations extend {@link BaseMethod} or {@link MomentumMethod}.
 */
public interface SslMethod {

    /** The name users select it by, e.g. {@code byol}. */
    String name();

    /**
     * Fails, naming the option, when an option that training needs has no value (SEED's teacher). The constructor
     * accepts a method without it, so that {@code streamssl methods} can list every method; a job checks this at
     * start, and {@link #initialize} fails the same way.
     */
    default void requireReadyToTrain() {}

    /** How many augmented views of each image one step consumes (the total of {@link #viewPlan}). */
    int viewsPerImage();

    /** The views this method trains on for images of side {@code imageSize} (the global crop size). */
    ViewPlan viewPlan(int imageSize);

    /** Every option with the value in effect (defaults and overrides), in a stable order: what users can set. */
    Map<String, String> options();

    /** Creates and initialises every block on {@code manager}'s device; {@code viewShape} is (N, 3, H, W). */
    void initialize(NDManager manager, Shape viewShape);

    /** The backbone being learned: what snapshots export and the probe reads. */
    Block encoder();

    /**
     * The student's heads by the names the method gave them ({@code projector}, {@code predictor}, {@code head},
     * {@code prototypes}), in the order they were built: what a snapshot exports beside the encoder.
     */
    Map<String, Block> heads();

    /** Parameters the optimiser updates. */
    Map<String, Parameter> trainableParameters();

    /**
     * Moves the student's tensors (and a teacher's, if any) into flat buffers, each parameter becoming a view
     * (see {@link io.streamssl.models.tensor.FlatParameters}); the trainable ones form one contiguous range.
     * Call once, after {@link #initialize}, before any step. Returns the student's buffer.
     */
    io.streamssl.models.tensor.FlatParameters useFlatBuffers();

    /**
     * Every tensor that is training state of this method under a stable name: student and teacher weights,
     * running statistics, queues, centres. A checkpoint stores exactly these (plus the optimiser's slots).
     */
    Map<String, NDArray> stateTensors();

    /**
     * The tensors a training-mode {@link #forward} changes in place, by their {@link #stateTensors} names: batch-norm
     * running means and variances of the student and, in a momentum method, of the teacher. The trainer copies them
     * before the forward pass and puts them back when it skips a step whose loss is not finite, so a skipped step
     * leaves every state tensor as it was. A method whose forward pass mutates anything else must add it here.
     */
    Map<String, NDArray> forwardMutatedTensors();

    /**
     * The elements of {@link #forwardMutatedTensors} in as few tensors as possible, what the trainer copies before
     * a forward pass and puts back after a skipped one: with flat buffers, views of the contiguous runs that hold
     * the running statistics (one per buffer); otherwise the tensors themselves.
     */
    default java.util.List<NDArray> forwardMutatedRegions() {
        return new java.util.ArrayList<>(forwardMutatedTensors().values());
    }

    /**
     * Forward pass and loss for one batch, called while a gradient collector is recording.
     *
     * @param views one (N, 3, H, W) normalised float tensor per view, in {@link #viewPlan} order
     * @param step the optimiser step this batch is for (0-based), for schedules
     */
    Forward forward(ParameterStore parameters, List<NDArray> views, long step);

    /**
     * {@link #forward(ParameterStore, List, long)} for a batch whose images carry ids ({@link #forwardBatch} calls it). A
     * method with a per-instance memory (a bank keyed by image) overrides this one; the others ignore the ids.
     *
     * @param instanceIds N 64-bit image ids, equal for two uses of one image, or {@code null} when unknown
     */
    default Forward forward(ParameterStore parameters, List<NDArray> views, long[] instanceIds, long step) {
        return forward(parameters, views, step);
    }

    /**
     * What the trainer calls: {@link #forward(ParameterStore, List, long[], long)} with everything a batch carries
     * besides its pixels. A method trained on the augmentation's pretext targets (rotation, jigsaw) overrides this
     * one; the others keep theirs. (Its own name, not a fourth {@code forward}: {@code forward(ps, views, null, step)}
     * would then be ambiguous.)
     */
    default Forward forwardBatch(ParameterStore parameters, List<NDArray> views, BatchContext context, long step) {
        return forward(parameters, views, context.instanceIds(), step);
    }

    /**
     * What a batch carries besides its pixels.
     *
     * @param instanceIds N 64-bit image ids, or {@code null} when unknown
     * @param viewTargets per view in {@link #viewPlan} order, N pretext targets ({@code [v][i]}, -1 where a view has
     *     none), or {@code null} when the augmentation gave none
     */
    record BatchContext(long[] instanceIds, int[][] viewTargets) {

        /** Ids only: a batch without pretext targets. */
        public static BatchContext of(long[] instanceIds) {
            return new BatchContext(instanceIds, null);
        }

        /**
         * The N targets of view {@code view}.
         *
         * @throws IllegalArgumentException when the batch has none for it, naming what makes them
         */
        public int[] targets(int view, String method) {
            if (viewTargets == null || view >= viewTargets.length
                    || java.util.Arrays.stream(viewTargets[view]).anyMatch(t -> t < 0)) {
                throw new IllegalArgumentException(method + " trains on the pretext target of each view, which "
                        + "its augmentation preset makes; view " + view + " of this batch has "
                        + (viewTargets == null ? "no targets" : "a view without one"));
            }
            return viewTargets[view];
        }
    }

    /** Called after backward, before the optimiser step: e.g. cancelling gradients of a frozen layer. */
    default void beforeOptimizerStep(long step) {}

    /** Called after the optimiser step, still inside the step: teacher EMA, queue and centre updates. */
    void afterOptimizerStep(long step);

    /** Method-specific values worth reporting at {@code step}, e.g. {@code tau}. */
    Map<String, Double> scalars(long step);

    /**
     * @param loss the scalar loss to back-propagate
     * @param features the encoder's features of the first view, detached, (N, featureDim): the probe's input
     * @param embeddings the method's output embedding of the first view (its projection, or DINO's logits),
     *     detached, (N, e): the trainer watches it for collapse
     */
    record Forward(NDArray loss, NDArray features, NDArray embeddings) {

        public Forward {
            java.util.Objects.requireNonNull(loss, "loss");
            features = features.stopGradient();
            embeddings = embeddings.stopGradient();
        }
    }
}
