package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.MlpHead;
import io.streamssl.models.loss.NtXentLoss;
import java.util.List;

/**
 * SimCLR (Chen et al. 2020): encoder → projector (Linear-BN-ReLU-Linear) on two views, NT-Xent over the batch
 * with 2(N − 1) negatives per anchor.
 *
 * <p>Options: {@code temperature} (0.2), {@code projector-hidden} (2048), {@code projector-out} (256),
 * {@code augmentation}.
 */
public final class SimClr extends BaseMethod {

    public static final String NAME = "simclr";

    private final NtXentLoss loss;
    private final MlpHead projectorSpec;
    private Block projector;

    public SimClr(MethodSettings settings) {
        super(NAME, settings);
        loss = new NtXentLoss(doubleOption("temperature", 0.2, 1e-3, 10));
        projectorSpec = MlpHead.projection(2, intOption("projector-hidden", 2048, 1),
                intOption("projector-out", 256, 1), true, false);
        rejectUnknownOptions();
    }

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return ViewPlan.of(2, imageSize, preset(imageSize, "cifar-symmetric", "simclr"), List.of());
    }

    @Override
    protected void createHeads(Shape features) {
        projector = addStudent("projector", projectorSpec.block(), features);
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        requireViews(views);
        NDArray y0 = encode(ps, views.get(0));
        NDArray z0 = run(projector, ps, y0);
        NDArray z1 = run(projector, ps, encode(ps, views.get(1)));
        return new Forward(loss.compute(z0, z1), y0, z0);
    }
}
