package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.MlpHead;
import io.streamssl.models.loss.BarlowTwinsLoss;
import java.util.List;

/**
 * Barlow Twins (Zbontar et al. 2021): encoder → 3-layer projector (Linear-BN-ReLU twice, then Linear) on two
 * views; the cross-correlation of the two embeddings is driven to the identity.
 *
 * <p>Options: {@code projector-hidden} (2048), {@code projector-out} (2048), {@code lambda} (0.0051),
 * {@code augmentation}.
 */
public final class BarlowTwins extends BaseMethod {

    public static final String NAME = "barlowtwins";

    private final BarlowTwinsLoss loss;
    private final MlpHead projectorSpec;
    private Block projector;

    public BarlowTwins(MethodSettings settings) {
        super(NAME, settings);
        loss = new BarlowTwinsLoss(doubleOption("lambda", 0.0051, 0, 1));
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
