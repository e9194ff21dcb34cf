package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.Prototypes;
import io.streamssl.models.loss.SinkhornKnopp;
import io.streamssl.models.state.EquipartitionOffset;

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
public final class Sela extends QueuedPseudoLabelMethod {

    public static final String NAME = "sela";
    // SeLA trains with SGD at 0.05 (batch 256, Asano et al. 2020 §4); the trainer's default is the same
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "SeLA (Asano et al. 2020): cross-entropy to Sinkhorn-Knopp equipartitioned pseudo-labels over a queue",
            MethodDescriptor.SGD_DEFAULTS, Sela::new);

    private final SinkhornKnopp sinkhorn;
    private Prototypes prototypes;
    private EquipartitionOffset assignment;

    public Sela(MethodSettings settings) {
        // re-assigned at every turnover of the queue by default: trainable prototypes pull the labels of new images
        // into a few clusters between re-assignments (measured: 100 steps of batch 16 at recluster-every 10
        // collapsed the encoder, at 4 and 8 it spread), and a Sinkhorn-Knopp pass over a few batches is cheap
        super(NAME, settings, queueSize -> queueSize / settings.batchSize());
        sinkhorn = new SinkhornKnopp(intOption("sinkhorn-iterations", 10, 1), doubleOption("epsilon", 0.05, 1e-3, 10));
        rejectUnknownOptions();
    }

    @Override
    protected void createPrototypes(Shape embeddings) {
        prototypes = addStudent("prototypes", new Prototypes(prototypeCount, projectorSpec.outDim()), embeddings);
    }

    @Override
    protected void afterHeadsCreated() {
        assignment = addState("prototypes-assignment", new EquipartitionOffset(manager, prototypeCount));
        prototypes.normalizeWeights();
    }

    @Override
    protected NDArray scores(ParameterStore ps, NDArray z) {
        return run(prototypes, ps, z);
    }

    @Override
    protected NDArray labelOffset() {
        return assignment.offset();
    }

    @Override
    protected void afterStep() {
        prototypes.normalizeWeights();
    }

    @Override
    protected void reassign(NDArray queueRows, long step, NDManager scratch) {
        NDArray rows = queueRows.duplicate();
        rows.attach(scratch);
        NDArray scores = Linear.linear(rows, prototypes.weight().getArray()).singletonOrThrow();
        scores.attach(scratch);
        assignment.reassign(scores, sinkhorn, scratch);
    }
}
