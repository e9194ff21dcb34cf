package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.MlpHead;
import io.streamssl.models.head.Prototypes;
import io.streamssl.models.loss.NormalizedMseLoss;
import io.streamssl.models.loss.PseudoLabelLoss;
import io.streamssl.models.loss.SinkhornKnopp;
import io.streamssl.models.state.EquipartitionOffset;
import io.streamssl.models.state.FeatureQueue;
import java.util.List;
import java.util.Map;

/**
 * SeLA, self-labelling (Asano et al. 2020): encoder → projector → L2-normalised embedding → scores against K
 * trainable, normalised {@link Prototypes} (the classifier head); pseudo-labels are assigned by Sinkhorn-Knopp
 * equipartition (every cluster gets the same share of samples) and each view is trained by cross-entropy (T 0.1)
 * to predict its image's label. It shares SwAV's {@link SinkhornKnopp}, but with hard labels that stay fixed
 * between re-assignments instead of soft codes recomputed per batch.
 *
 * <p>Streaming form, what differs from the per-epoch original: the optimal transport runs every
 * {@code recluster-every} steps (and as soon as the queue is first full) over a FIFO {@link FeatureQueue} of the
 * last {@code queue-size} embeddings of view 0, instead of a few times per training over the whole data set; and
 * since a new image has no row in that plan, its label is the nearest prototype of its <em>other</em> view's
 * embedding after the plan's per-cluster scaling ({@link EquipartitionOffset}), so it inherits the last
 * equipartition. One head (the paper also trains several). The scaling is checkpointed and nothing is random,
 * so a resumed run is bit-exact. Until the first re-assignment the labels are the plain nearest prototypes.
 *
 * <p>Options: {@code prototypes} (64), {@code temperature} (0.1), {@code epsilon} (0.05),
 * {@code sinkhorn-iterations} (10), {@code queue-size} (4 batches, a multiple of the batch size),
 * {@code recluster-every} (queue-size / batch size: each time the queue has turned over), {@code projector-hidden} (2048), {@code projector-out} (128),
 * {@code augmentation}.
 */
public final class Sela extends BaseMethod {

    public static final String NAME = "sela";
    // SeLA trains with SGD at 0.05 (batch 256, Asano et al. 2020 §4); the trainer's default is the same
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "SeLA (Asano et al. 2020): cross-entropy to Sinkhorn-Knopp equipartitioned pseudo-labels over a queue",
            MethodDescriptor.SGD_DEFAULTS, Sela::new);

    private final PseudoLabelLoss loss;
    private final SinkhornKnopp sinkhorn;
    private final int prototypeCount;
    private final int queueSize;
    private final int reassignEvery;
    private final MlpHead projectorSpec;
    private Block projector;
    private Prototypes prototypes;
    private FeatureQueue queue;
    private EquipartitionOffset assignment;
    private NDArray pendingEmbedding; // enqueued after the step

    public Sela(MethodSettings settings) {
        super(NAME, settings);
        // not the paper's 3000 over a data set: an equipartition over a queue of a few batches needs far fewer
        prototypeCount = intOption("prototypes", 64, 2);
        loss = new PseudoLabelLoss(doubleOption("temperature", 0.1, 1e-3, 10));
        sinkhorn = new SinkhornKnopp(intOption("sinkhorn-iterations", 10, 1), doubleOption("epsilon", 0.05, 1e-3, 10));
        int batch = settings.batchSize();
        // the last 4 batches (at least one row per cluster): a short phase of plain nearest-prototype labels
        queueSize = intOption("queue-size", Math.max(4 * batch, (prototypeCount + batch - 1) / batch * batch), 1);
        requireFitsBatch(queueSize % batch == 0, "queue-size", "%1$s = " + queueSize + " must be a multiple of %2$s"
                + " = " + batch + " (the queue takes whole batches)");
        // every turnover of the queue by default: trainable prototypes pull the labels of new images into a few
        // clusters between re-assignments (measured: 100 steps of batch 16 at recluster-every 10 collapsed the
        // encoder, at 4 and 8 it spread), and a Sinkhorn-Knopp pass over a few batches costs little next to a step
        reassignEvery = intOption("recluster-every", queueSize / batch, 1);
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
        prototypes = addStudent("prototypes", new Prototypes(prototypeCount, projectorSpec.outDim()),
                new Shape(features.get(0), projectorSpec.outDim()));
        queue = addState("queue", new FeatureQueue("sela queue", manager, queueSize, projectorSpec.outDim(), false));
        assignment = addState("prototypes-assignment", new EquipartitionOffset(manager, prototypeCount));
    }

    @Override
    protected void afterHeadsCreated() {
        prototypes.normalizeWeights();
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        requireViews(views);
        NDArray y0 = encode(ps, views.get(0));
        NDArray z0 = NormalizedMseLoss.l2Normalize(run(projector, ps, y0));
        NDArray z1 = NormalizedMseLoss.l2Normalize(run(projector, ps, encode(ps, views.get(1))));
        pendingEmbedding = z0.stopGradient();
        return new Forward(loss.compute(run(prototypes, ps, z0), run(prototypes, ps, z1), assignment.offset()),
                y0, z0);
    }

    @Override
    public void afterOptimizerStep(long step) {
        prototypes.normalizeWeights();
        boolean wasFull = queue.isFull();
        queue.push(pendingEmbedding);
        pendingEmbedding = null;
        // here, not in forward: a skipped (non-finite) step must change no state; the first assignment is as soon
        // as the queue is full
        if (queue.isFull() && (!wasFull || (step + 1) % reassignEvery == 0)) {
            try (NDManager scratch = manager.newSubManager()) {
                NDArray rows = queue.rows().duplicate();
                rows.attach(scratch);
                NDArray scores = Linear.linear(rows, prototypes.weight().getArray()).singletonOrThrow();
                scores.attach(scratch);
                assignment.reassign(scores, sinkhorn, scratch);
            }
        }
    }

    @Override
    public Map<String, Double> scalars(long step) {
        return Map.of("queue-in-use", queue.isFull() ? 1.0 : 0.0);
    }
}
