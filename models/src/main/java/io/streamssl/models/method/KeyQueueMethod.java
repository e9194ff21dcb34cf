package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.MlpHead;
import io.streamssl.models.loss.InfoNceLoss;
import io.streamssl.models.loss.NormalizedMseLoss;
import io.streamssl.models.state.FeatureQueue;
import java.util.List;
import java.util.function.Function;

/**
 * The MoCo skeleton (He et al. 2020, §3.2): the query (view 0, student encoder → projector) must find its key
 * (view 1, the momentum teacher's encoder → projector) among the K keys of a FIFO {@link FeatureQueue}, by InfoNCE;
 * after each step the batch's keys enter the queue. MoCo v1 and v2 differ in the projector, τ, the teacher's
 * momentum and how the keys are encoded ({@link #keys}).
 *
 * <p>Shared options: {@code temperature}, {@code queue-size} (4096, at least the batch size; the paper uses 65536
 * on ImageNet), {@code tau-base}, {@code tau-end}, {@code augmentation}.
 */
abstract class KeyQueueMethod extends MomentumMethod {

    private final InfoNceLoss loss;
    private final int queueSize;
    private final MlpHead projectorSpec;
    private Block projector;
    private FeatureQueue queue;
    private NDArray pendingKeys; // this step's keys: enqueued after backward, which still needs the old queue

    /** @param projector the projector, made from this method's options (read after temperature and queue-size) */
    KeyQueueMethod(String name, MethodSettings settings, double tauBase, double tauEnd, double temperature,
            Function<KeyQueueMethod, MlpHead> projector) {
        super(name, settings, tauBase, tauEnd);
        loss = new InfoNceLoss(doubleOption("temperature", temperature, 1e-3, 10));
        queueSize = intOption("queue-size", 4096, 1);
        int batch = settings.batchSize();
        requireFitsBatch(queueSize >= batch, "queue-size", "%1$s = " + queueSize + " must be at least %2$s = "
                + batch + " (each step enqueues a whole batch of keys); allowed are %1$s >= " + batch
                + ", or %2$s <= " + queueSize);
        projectorSpec = projector.apply(this);
        rejectUnknownOptions();
    }

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return ViewPlan.of(2, imageSize, preset(imageSize, "cifar-symmetric", "mocov2"), List.of(1));
    }

    @Override
    protected void createHeads(Shape features) {
        projector = addPaired("projector", projectorSpec::block, features);
        queue = addState("queue", new FeatureQueue(name() + " queue", manager, queueSize, projectorSpec.outDim(),
                true));
    }

    /** The teacher's keys (N, d) of {@code view}, not yet normalised. */
    protected NDArray keys(ParameterStore ps, NDArray view, long step) {
        return teacher("projector", ps, teacher("encoder", ps, view));
    }

    @Override
    public final Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        requireViews(views);
        NDArray y0 = encode(ps, views.get(0));
        NDArray q = run(projector, ps, y0);
        NDArray k = keys(ps, views.get(1), step);
        pendingKeys = NormalizedMseLoss.l2Normalize(k);
        return new Forward(loss.compute(q, k, queue.rows()), y0, q);
    }

    @Override
    public final void afterOptimizerStep(long step) {
        super.afterOptimizerStep(step);
        queue.push(pendingKeys);
        pendingKeys = null;
    }
}
