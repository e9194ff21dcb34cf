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

/**
 * MoCo v2 (He et al. 2020; Chen et al. 2020, "Improved Baselines with Momentum Contrastive Learning"): the
 * query (view 0, student encoder → MLP projector without BN) must find its key (view 1, momentum teacher)
 * among the K keys of a FIFO queue; after each step the batch's keys enter the queue. Teacher τ 0.99 → 0.999.
 *
 * <p>Options: {@code temperature} (0.2), {@code queue-size} (4096, at least the batch size; the paper uses 65536
 * on ImageNet), {@code projector-hidden} (2048), {@code projector-out} (256), {@code tau-base}, {@code tau-end},
 * {@code augmentation}.
 */
public final class MocoV2 extends MomentumMethod {

    public static final String NAME = "mocov2";
    // Published: SGD at 0.03 for batch 256 (Chen et al. 2020); solo-learn's CIFAR config SGD at 0.3. SGD at 0.05
    // lies in that range and trains stably (MethodDefaultsTrainingTest).
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "MoCo v2 (Chen et al. 2020): InfoNCE against a queue of teacher keys",
            MethodDescriptor.SGD_DEFAULTS, MocoV2::new);

    private final InfoNceLoss loss;
    private final int queueSize;
    private final MlpHead projectorSpec;
    private Block projector;
    private FeatureQueue queue;
    private NDArray pendingKeys; // this step's keys: enqueued after backward, which still needs the old queue

    public MocoV2(MethodSettings settings) {
        super(NAME, settings, 0.99, 0.999);
        loss = new InfoNceLoss(doubleOption("temperature", 0.2, 1e-3, 10));
        queueSize = intOption("queue-size", 4096, 1);
        int batch = settings.batchSize();
        requireFitsBatch(queueSize >= batch, "queue-size", "%1$s = " + queueSize + " must be at least %2$s = "
                + batch + " (each step enqueues a whole batch of keys); allowed are %1$s >= " + batch
                + ", or %2$s <= " + queueSize);
        projectorSpec = MlpHead.projection(2, intOption("projector-hidden", 2048, 1),
                intOption("projector-out", 256, 1), false, false);
        rejectUnknownOptions();
    }

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return ViewPlan.of(2, imageSize, preset(imageSize, "cifar-symmetric", "mocov2"), List.of(1));
    }

    @Override
    protected void createHeads(Shape features) {
        projector = addPaired("projector", projectorSpec::block, features);
        queue = addState("queue", new FeatureQueue("mocov2 queue", manager, queueSize, projectorSpec.outDim(), true));
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        requireViews(views);
        NDArray y0 = encode(ps, views.get(0));
        NDArray q = run(projector, ps, y0);
        NDArray k = teacher("projector", ps, teacher("encoder", ps, views.get(1)));
        pendingKeys = NormalizedMseLoss.l2Normalize(k);
        return new Forward(loss.compute(q, k, queue.rows()), y0, q);
    }

    @Override
    public void afterOptimizerStep(long step) {
        super.afterOptimizerStep(step);
        queue.push(pendingKeys);
        pendingKeys = null;
    }
}
