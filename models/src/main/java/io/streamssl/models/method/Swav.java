package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.MlpHead;
import io.streamssl.models.head.Prototypes;
import io.streamssl.models.loss.NormalizedMseLoss;
import io.streamssl.models.loss.SinkhornKnopp;
import io.streamssl.models.loss.SwavLoss;
import io.streamssl.models.state.FeatureQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * SwAV (Caron et al. 2020): encoder → projector → L2-normalised embedding → scores against K normalised
 * {@link Prototypes}; the two global crops get codes by Sinkhorn-Knopp (3 iterations, ε 0.05), and every
 * other crop predicts them (swapped prediction, T 0.1). Small batches borrow rows from a queue of past
 * embeddings per global crop, once it is full (SwAV §4, for batches below 256). No teacher network.
 *
 * <p>Options: {@code prototypes} (3000), {@code temperature} (0.1), {@code epsilon} (0.05),
 * {@code sinkhorn-iterations} (3), {@code queue-size} (3840; 0 for none, else a multiple of the batch size),
 * {@code projector-hidden} (2048), {@code projector-out} (128), {@code freeze-prototypes-steps} (0; SwAV freezes
 * them for its first 313 iterations), {@code local-views} (6), {@code local-size} (96/224 of the image),
 * {@code augmentation}.
 */
public final class Swav extends BaseMethod {

    public static final String NAME = "swav";
    // Published: LARS at 4.8 for batch 4096, i.e. 0.3 × batch/256 (Caron et al. 2020), solo-learn's CIFAR config
    // LARS at 0.6. SGD at 0.05 trains stably (MethodDefaultsTrainingTest), so it stays.
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "SwAV (Caron et al. 2020): swapped prediction of Sinkhorn-Knopp codes, multi-crop",
            MethodDescriptor.SGD_DEFAULTS, Swav::new);
    private static final int ASSIGNED_VIEWS = 2;

    private final SwavLoss loss;
    private final SinkhornKnopp sinkhorn;
    private final int prototypeCount;
    private final int queueSize;
    private final MlpHead projectorSpec;
    private final int freezePrototypesSteps;
    private final MultiCrop multiCrop;
    private Block projector;
    private Prototypes prototypes;
    private final List<FeatureQueue> queues = new ArrayList<>();
    private List<NDArray> pendingEmbeddings; // enqueued after backward, which still reads the old queue

    public Swav(MethodSettings settings) {
        super(NAME, settings);
        prototypeCount = intOption("prototypes", 3000, 2);
        loss = new SwavLoss(doubleOption("temperature", 0.1, 1e-3, 10));
        sinkhorn = new SinkhornKnopp(intOption("sinkhorn-iterations", 3, 1), doubleOption("epsilon", 0.05, 1e-3, 10));
        queueSize = intOption("queue-size", 3840, 0);
        int batch = settings.batchSize();
        requireFitsBatch(queueSize % batch == 0, "queue-size", "%1$s = " + queueSize + " must be 0 (no queue) or a"
                + " multiple of %2$s = " + batch + " (the queue takes whole batches); allowed are 0, " + batch + ", "
                + 2 * batch + ", …, e.g. " + nearestMultiples(queueSize, batch));
        projectorSpec = MlpHead.projection(2, intOption("projector-hidden", 2048, 1),
                intOption("projector-out", 128, 1), true, false);
        freezePrototypesSteps = intOption("freeze-prototypes-steps", 0, 0);
        multiCrop = multiCrop(ASSIGNED_VIEWS, 6);
        rejectUnknownOptions();
    }

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return multiCrop.plan(imageSize, preset(imageSize, "cifar-symmetric", "simclr"));
    }

    /** The multiples of {@code batch} nearest to {@code queueSize}, for the message. */
    private static String nearestMultiples(int queueSize, int batch) {
        int below = queueSize / batch * batch;
        return below == 0 ? String.valueOf(batch) : below + " or " + (below + batch);
    }

    @Override
    protected void createHeads(Shape features) {
        projector = addStudent("projector", projectorSpec.block(), features);
        prototypes = addStudent("prototypes", new Prototypes(prototypeCount, projectorSpec.outDim()),
                new Shape(features.get(0), projectorSpec.outDim()));
        if (queueSize > 0) {
            for (int v = 0; v < ASSIGNED_VIEWS; v++) {
                queues.add(addState("queue" + v,
                        new FeatureQueue("swav queue " + v, manager, queueSize, projectorSpec.outDim(), false)));
            }
        }
    }

    @Override
    protected void afterHeadsCreated() {
        prototypes.normalizeWeights();
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        requireViews(views);
        List<NDArray> scores = new ArrayList<>(views.size());
        List<NDArray> embeddings = new ArrayList<>(views.size());
        NDArray y0 = null;
        for (NDArray view : views) {
            NDArray y = encode(ps, view);
            y0 = y0 == null ? y : y0;
            NDArray z = NormalizedMseLoss.l2Normalize(run(projector, ps, y));
            embeddings.add(z);
            scores.add(run(prototypes, ps, z));
        }
        List<NDArray> codes = new ArrayList<>(ASSIGNED_VIEWS);
        for (int v = 0; v < ASSIGNED_VIEWS; v++) {
            codes.add(assign(scores.get(v), v));
        }
        pendingEmbeddings = embeddings.subList(0, ASSIGNED_VIEWS).stream().map(NDArray::stopGradient).toList();
        return new Forward(loss.compute(scores, codes), y0, embeddings.get(0));
    }

    /** Codes of view {@code v}'s batch, computed together with the queued embeddings once the queue is full. */
    private NDArray assign(NDArray batchScores, int v) {
        if (queues.isEmpty() || !queues.get(v).isFull()) {
            return sinkhorn.assign(batchScores);
        }
        // the queue and the prototypes are long-lived: move the product to this step's manager at once
        // detached: codes are targets, so nothing flows back through the queue's scores and autograd need not
        // record a (3,840 × 3,000) product per view
        // the detached weight would otherwise stay in the prototypes' long-lived manager: two arrays a step
        NDArray weight = prototypes.weight().getArray().stopGradient();
        weight.attach(batchScores.getManager());
        NDArray queued = Linear.linear(queues.get(v).rows(), weight).singletonOrThrow();
        queued.attach(batchScores.getManager());
        long queuedRows = queued.getShape().get(0);
        return sinkhorn.assign(queued.concat(batchScores, 0)).get(queuedRows + ":");
    }

    @Override
    public void beforeOptimizerStep(long step) {
        if (step < freezePrototypesSteps) {
            cancelGradient(prototypes.weight());
        }
    }

    @Override
    public void afterOptimizerStep(long step) {
        prototypes.normalizeWeights();
        for (int v = 0; v < queues.size(); v++) {
            queues.get(v).push(pendingEmbeddings.get(v));
        }
        pendingEmbeddings = null;
    }

    @Override
    public Map<String, Double> scalars(long step) {
        return Map.of("queue-in-use", queues.isEmpty() || !queues.get(0).isFull() ? 0.0 : 1.0);
    }
}
