package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.MlpHead;
import io.streamssl.models.loss.NnclrLoss;
import io.streamssl.models.loss.NormalizedMseLoss;
import io.streamssl.models.state.FeatureQueue;
import java.util.List;

/**
 * NNCLR (Dwibedi et al. 2021, "With a Little Help from My Friends"): both views go through encoder → projector
 * (3 layers, BN after each, 2048-2048-256) → predictor (4096 → 256); the positive for one view's prediction is the
 * nearest neighbour of the other view's projection in a support queue of past projections, with the other
 * images' predictions as negatives, symmetrised ({@link NnclrLoss}). After each step view 0's projections,
 * L2-normalised, enter the queue (as solo-learn does). No teacher.
 *
 * <p>On a stream the queue starts empty and the support set is its filled rows only; at the very first step,
 * with nothing stored yet, a view's own projection stands in for its neighbour (plain contrastive learning for
 * one step). The paper's queue starts full of random vectors; here neighbours are real embeddings from the second
 * step on, which matters on a short CPU budget where a 16,384-row queue takes hundreds of steps to fill.
 *
 * <p>Options: {@code temperature} (0.1), {@code queue-size} (16384, at least the batch size; the paper 98,304 on
 * ImageNet), {@code projector-hidden} (2048), {@code projector-out} (256), {@code predictor-hidden} (4096),
 * {@code augmentation}.
 */
public final class Nnclr extends BaseMethod {

    public static final String NAME = "nnclr";
    // Published: LARS at 4.8 for batch 4096, i.e. 0.3 × batch/256 (Dwibedi et al. 2021, §4).
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "NNCLR (Dwibedi et al. 2021): nearest neighbours from a support queue as positives",
            OptimizerDefaults.scaled("lars", 0.3, 256), Nnclr::new);

    private final NnclrLoss loss;
    private final int queueSize;
    private final MlpHead projectorSpec;
    private final MlpHead predictorSpec;
    private Block projector;
    private Block predictor;
    private FeatureQueue queue;
    private NDArray pendingSupport; // this step's projections: enqueued after the step

    public Nnclr(MethodSettings settings) {
        super(NAME, settings);
        loss = new NnclrLoss(doubleOption("temperature", 0.1, 1e-3, 10));
        queueSize = intOption("queue-size", 16384, 1);
        int batch = settings.batchSize();
        requireFitsBatch(queueSize >= batch, "queue-size", "%1$s = " + queueSize + " must be at least %2$s = "
                + batch + " (each step enqueues a whole batch of projections); allowed are %1$s >= " + batch
                + ", or %2$s <= " + queueSize);
        int out = intOption("projector-out", 256, 1);
        projectorSpec = MlpHead.projection(3, intOption("projector-hidden", 2048, 1), out, true, true);
        predictorSpec = MlpHead.predictor(intOption("predictor-hidden", 4096, 1), out);
        rejectUnknownOptions();
    }

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return ViewPlan.of(2, imageSize, preset(imageSize, "cifar-asymmetric", "byol"), List.of());
    }

    @Override
    protected void createHeads(Shape features) {
        projector = addStudent("projector", projectorSpec.block(), features);
        predictor = addStudent("predictor", predictorSpec.block(), new Shape(features.get(0), projectorSpec.outDim()));
        queue = addState("queue", new FeatureQueue("nnclr queue", manager, queueSize, projectorSpec.outDim(), false));
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        requireViews(views);
        NDArray y0 = encode(ps, views.get(0));
        NDArray z0 = run(projector, ps, y0);
        NDArray z1 = run(projector, ps, encode(ps, views.get(1)));
        NDArray p0 = run(predictor, ps, z0);
        NDArray p1 = run(predictor, ps, z1);
        pendingSupport = NormalizedMseLoss.l2Normalize(z0.stopGradient());
        NDArray support = support(z1);
        return new Forward(loss.compute(z0, z1, p0, p1, support), y0, z0);
    }

    /** The filled rows of the queue; before anything is stored, this step's own projections of both views. */
    private NDArray support(NDArray z1) {
        long filled = queue.filled();
        if (filled == 0) {
            return pendingSupport.concat(NormalizedMseLoss.l2Normalize(z1.stopGradient()), 0);
        }
        if (filled == queueSize) {
            return queue.rows();
        }
        NDArray rows = queue.rows().get("0:" + filled); // before the first wrap the rows fill from the start
        rows.attach(z1.getManager()); // a copy made by the queue's manager: the step owns it
        return rows;
    }

    @Override
    public void afterOptimizerStep(long step) {
        queue.push(pendingSupport);
        pendingSupport = null;
    }
}
