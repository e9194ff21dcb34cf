package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.MlpHead;
import io.streamssl.models.loss.NormalizedMseLoss;
import io.streamssl.models.loss.PseudoLabelLoss;
import io.streamssl.models.state.FeatureQueue;
import java.util.List;
import java.util.Map;

/**
 * The streaming form shared by the clustering methods (DeepCluster-v2, SeLA): encoder → projector →
 * L2-normalised embedding → scores against K prototypes; each of two views is trained by cross-entropy
 * ({@link PseudoLabelLoss}) to predict the pseudo-label of the other. The per-epoch original assigns labels over the
 * whole data set; here they come from a FIFO {@link FeatureQueue} of the last {@code queue-size} embeddings of view
 * 0: either prototypes re-made ({@link #reassign}) as soon as the queue is first full and then every
 * {@code recluster-every} steps, after the optimiser step so that a skipped (non-finite) step changes nothing
 * (DeepCluster-v2's k-means), or labels made per step from the queue ({@link #labels}, SeLA's Sinkhorn-Knopp). A
 * subclass says what the prototypes are and how labels are made.
 *
 * <p>Shared options: {@code prototypes} (64: not the papers' 3000 over a data set — a queue of a few batches
 * needs far fewer), {@code temperature} (0.1), {@code queue-size} (4 batches, a multiple of the batch size),
 * {@code recluster-every} (for a method with a schedule), {@code projector-hidden} (2048), {@code projector-out}
 * (128), {@code augmentation}.
 */
abstract class QueuedPseudoLabelMethod extends BaseMethod {

    private final PseudoLabelLoss loss;
    protected final int prototypeCount;
    protected final int queueSize;
    private final int reassignEvery;
    protected final MlpHead projectorSpec;
    private Block projector;
    private FeatureQueue queue;
    private NDArray pendingEmbedding; // enqueued after the step

    /** @param reassignEvery the default of {@code recluster-every}, given the queue size; null: no such option */
    QueuedPseudoLabelMethod(String name, MethodSettings settings,
            java.util.function.IntUnaryOperator reassignEvery) {
        super(name, settings);
        prototypeCount = intOption("prototypes", 64, 2);
        loss = new PseudoLabelLoss(doubleOption("temperature", 0.1, 1e-3, 10));
        int batch = settings.batchSize();
        // the last 4 batches (at least one row per cluster): a short phase before the first assignment
        queueSize = intOption("queue-size", Math.max(4 * batch, (prototypeCount + batch - 1) / batch * batch), 1);
        requireFitsBatch(queueSize % batch == 0, "queue-size", "%1$s = " + queueSize + " must be a multiple of %2$s"
                + " = " + batch + " (the queue takes whole batches)");
        // null: labels are made per step (SeLA), nothing is re-assigned on a schedule
        this.reassignEvery = reassignEvery == null ? 0
                : intOption("recluster-every", reassignEvery.applyAsInt(queueSize), 1);
        projectorSpec = MlpHead.projection(2, intOption("projector-hidden", 2048, 1),
                intOption("projector-out", 128, 1), true, false);
    }

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return ViewPlan.of(2, imageSize, preset(imageSize, "cifar-symmetric", "simclr"), List.of());
    }

    @Override
    protected final void createHeads(Shape features) {
        projector = addStudent("projector", projectorSpec.block(), features);
        createPrototypes(new Shape(features.get(0), projectorSpec.outDim()));
        queue = addState("queue", new FeatureQueue(name() + " queue", manager, queueSize, projectorSpec.outDim(),
                false));
    }

    /** Adds the prototypes (a student block or a state), given the embeddings' shape (N, d). */
    protected abstract void createPrototypes(Shape embeddings);

    /** Cosine scores (N, K) of L2-normalised embeddings {@code z} against the prototypes. */
    protected abstract NDArray scores(ParameterStore ps, NDArray z);

    /** The pseudo-labels (N) int64 of a view from its scores (N, K): by default its nearest prototypes. */
    protected NDArray labels(NDArray scores) {
        return PseudoLabelLoss.labels(scores);
    }

    /** The queue's rows (Q, d) once it is full, else null: live, read them before the step ends. */
    protected final NDArray fullQueueRows() {
        return queue.isFull() ? queue.rows() : null;
    }

    /**
     * Makes new pseudo-labels from the queue's rows (Q, d); temporaries in {@code scratch}. Called on the
     * {@code recluster-every} schedule; never for a method constructed without one.
     */
    protected void reassign(NDArray queueRows, long step, NDManager scratch) {}

    /** After every optimiser step, before the queue is updated: e.g. re-normalising trainable prototypes. */
    protected void afterStep() {}

    @Override
    public final Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        requireViews(views);
        NDArray y0 = encode(ps, views.get(0));
        NDArray z0 = NormalizedMseLoss.l2Normalize(run(projector, ps, y0));
        NDArray z1 = NormalizedMseLoss.l2Normalize(run(projector, ps, encode(ps, views.get(1))));
        pendingEmbedding = z0.stopGradient();
        NDArray s0 = scores(ps, z0);
        NDArray s1 = scores(ps, z1);
        return new Forward(loss.compute(s0, s1, labels(s0), labels(s1)), y0, z0);
    }

    @Override
    public final void afterOptimizerStep(long step) {
        afterStep();
        boolean wasFull = queue.isFull();
        queue.push(pendingEmbedding);
        pendingEmbedding = null;
        // the labels of step s + 1 are thus assigned before its forward pass
        if (reassignEvery > 0 && queue.isFull() && (!wasFull || (step + 1) % reassignEvery == 0)) {
            try (NDManager scratch = manager.newSubManager()) {
                reassign(queue.rows(), step, scratch);
            }
        }
    }

    @Override
    public Map<String, Double> scalars(long step) {
        return Map.of("queue-in-use", queue.isFull() ? 1.0 : 0.0);
    }
}
