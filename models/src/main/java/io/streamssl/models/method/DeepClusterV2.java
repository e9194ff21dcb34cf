package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.MlpHead;
import io.streamssl.models.loss.NormalizedMseLoss;
import io.streamssl.models.loss.PseudoLabelLoss;
import io.streamssl.models.state.FeatureQueue;
import io.streamssl.models.state.KMeansCentroids;
import java.util.List;
import java.util.Map;

/**
 * DeepCluster-v2 (Caron et al. 2020, the SwAV paper §B): encoder → projector → L2-normalised embedding → cosine
 * scores against prototypes that are k-means centroids of a feature memory (not trained by the optimiser); each
 * view is trained with cross-entropy (T 0.1) to predict its image's pseudo-label.
 *
 * <p>Streaming form, what differs from the per-epoch original: the memory is a FIFO {@link FeatureQueue} of the
 * last {@code queue-size} embeddings of view 0 instead of the whole data set's; k-means ({@code kmeans-iterations}
 * Lloyd steps, started from rows picked by a {@link java.util.Random} seeded with the step) runs over the
 * queue as soon as it is full and then every {@code recluster-every} steps, instead of once per epoch over the data set; and since a new image has no entry
 * in the memory, its pseudo-label is the nearest centroid of its <em>other</em> view's embedding (detached),
 * instead of the k-means assignment of its memory slot from the previous epoch. The centroids and the queue's
 * cluster ids are checkpointed state, and nothing else is random, so a resumed run is bit-exact. Until the queue
 * is first full the prototypes are random unit vectors. One set of prototypes (the paper uses 3 k-means runs).
 *
 * <p>Options: {@code prototypes} (64), {@code temperature} (0.1), {@code queue-size} (4 batches, a multiple of
 * the batch size and at least {@code prototypes}), {@code recluster-every} (100 steps), {@code kmeans-iterations}
 * (10), {@code projector-hidden} (2048), {@code projector-out} (128), {@code augmentation}.
 */
public final class DeepClusterV2 extends BaseMethod {

    public static final String NAME = "deepclusterv2";
    // SwAV's code trains DeepCluster-v2 with LARS at 4.8 for batch 4096 like SwAV; SGD at 0.05 as for Swav here
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "DeepCluster-v2 (Caron et al. 2020): cross-entropy to k-means pseudo-labels over a feature queue",
            MethodDescriptor.SGD_DEFAULTS, DeepClusterV2::new);
    private static final long SEED = 0x5eed_dc2L;

    private final PseudoLabelLoss loss;
    private final int prototypeCount;
    private final int queueSize;
    private final int reclusterEvery;
    private final int kmeansIterations;
    private final MlpHead projectorSpec;
    private Block projector;
    private FeatureQueue queue;
    private KMeansCentroids prototypes;
    private NDArray pendingEmbedding; // enqueued after the step

    public DeepClusterV2(MethodSettings settings) {
        super(NAME, settings);
        // not the paper's 3000 over a data set: k-means over a queue of a few thousand rows needs far fewer clusters
        prototypeCount = intOption("prototypes", 64, 2);
        loss = new PseudoLabelLoss(doubleOption("temperature", 0.1, 1e-3, 10));
        int batch = settings.batchSize();
        // the last 4 batches: a short random-prototype phase before the first clustering (random prototypes let
        // the embeddings drift together)
        queueSize = intOption("queue-size", Math.max(4 * batch, (prototypeCount + batch - 1) / batch * batch), 1);
        requireFitsBatch(queueSize % batch == 0, "queue-size", "%1$s = " + queueSize + " must be a multiple of %2$s"
                + " = " + batch + " (the queue takes whole batches)");
        if (queueSize < prototypeCount) {
            throw new IllegalArgumentException(NAME + ": option 'queue-size' (" + queueSize + ") must be at least "
                    + "'prototypes' (" + prototypeCount + "): k-means starts from distinct queue rows");
        }
        reclusterEvery = intOption("recluster-every", 100, 1);
        kmeansIterations = intOption("kmeans-iterations", 10, 1);
        projectorSpec = MlpHead.projection(2, intOption("projector-hidden", 2048, 1),
                intOption("projector-out", 128, 1), true, false);
        rejectUnknownOptions();
    }

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return ViewPlan.of(2, imageSize, preset(imageSize, "cifar-symmetric", "simclr"), List.of());
    }

    @Override
    protected void createHeads(Shape features) {
        projector = addStudent("projector", projectorSpec.block(), features);
        queue = addState("queue", new FeatureQueue("deepclusterv2 queue", manager, queueSize,
                projectorSpec.outDim(), false));
        prototypes = addState("prototypes", new KMeansCentroids("deepclusterv2 prototypes", manager, prototypeCount,
                projectorSpec.outDim(), queueSize));
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        requireViews(views);
        NDArray y0 = encode(ps, views.get(0));
        NDArray z0 = NormalizedMseLoss.l2Normalize(run(projector, ps, y0));
        NDArray z1 = NormalizedMseLoss.l2Normalize(run(projector, ps, encode(ps, views.get(1))));
        NDArray centroids = prototypes.centroids();
        NDArray s0 = Linear.linear(z0, centroids).singletonOrThrow();
        NDArray s1 = Linear.linear(z1, centroids).singletonOrThrow();
        pendingEmbedding = z0.stopGradient();
        return new Forward(loss.compute(s0, s1, null), y0, z0);
    }

    @Override
    public void afterOptimizerStep(long step) {
        boolean wasFull = queue.isFull();
        queue.push(pendingEmbedding);
        pendingEmbedding = null;
        // here, not in forward: a skipped (non-finite) step must change no state, and this is only reached after
        // a completed one; the prototypes of step s + 1 are thus clustered before its forward pass. The first
        // clustering is as soon as the queue is full: random prototypes let the embeddings drift together
        if (queue.isFull() && (!wasFull || (step + 1) % reclusterEvery == 0)) {
            try (NDManager scratch = manager.newSubManager()) {
                prototypes.recluster(queue.rows(), kmeansIterations, SEED + step, scratch);
            }
        }
    }

    @Override
    public Map<String, Double> scalars(long step) {
        return Map.of("queue-in-use", queue.isFull() ? 1.0 : 0.0);
    }
}
