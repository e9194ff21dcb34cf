package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.MlpHead;
import io.streamssl.models.loss.VicregLoss;
import java.util.List;

/**
 * VICReg (Bardes, Ponce &amp; LeCun 2022): encoder → 3-layer expander (Linear-BN-ReLU twice, then Linear) on two
 * views; invariance, variance and covariance terms on the two embeddings.
 *
 * <p>Options: {@code projector-hidden} (2048), {@code projector-out} (2048), {@code invariance-weight} (25),
 * {@code variance-weight} (25), {@code covariance-weight} (1),
 * {@code augmentation}.
 */
public final class Vicreg extends BaseMethod {

    public static final String NAME = "vicreg";

    private final VicregLoss loss;
    private final MlpHead projectorSpec;
    private Block projector;

    public Vicreg(MethodSettings settings) {
        super(NAME, settings);
        loss = new VicregLoss(doubleOption("invariance-weight", 25, 0, 1e4),
                doubleOption("variance-weight", 25, 0, 1e4), doubleOption("covariance-weight", 1, 0, 1e4));
        projectorSpec = MlpHead.projection(3, intOption("projector-hidden", 2048, 1),
                intOption("projector-out", 2048, 1), true, false);
        rejectUnknownOptions();
    }

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return ViewPlan.of(2, imageSize, preset(imageSize, "cifar-asymmetric", "byol"), List.of());
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
