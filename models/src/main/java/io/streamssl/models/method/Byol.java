package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.MlpHead;
import io.streamssl.models.loss.NormalizedMseLoss;
import java.util.List;

/**
 * BYOL (Grill et al. 2020, "Bootstrap Your Own Latent"): an online network (encoder → projector → predictor)
 * regresses the momentum teacher's projection (encoder → projector) of the other view, with the symmetrised
 * normalised-MSE loss. Teacher τ 0.99 → 1.
 *
 * <p>Options: {@code projector-hidden} (4096), {@code projector-out} (256), {@code predictor-hidden} (4096),
 * {@code tau-base} (0.99), {@code tau-end} (1.0), {@code augmentation}.
 */
public final class Byol extends MomentumMethod {

    public static final String NAME = "byol";

    private final MlpHead projectorSpec;
    private final MlpHead predictorSpec;
    private Block projector;
    private Block predictor;

    public Byol(MethodSettings settings) {
        super(NAME, settings, 0.99, 1.0);
        int out = intOption("projector-out", 256, 1);
        projectorSpec = MlpHead.predictor(intOption("projector-hidden", 4096, 1), out); // same shape as predictor
        predictorSpec = MlpHead.predictor(intOption("predictor-hidden", 4096, 1), out);
        rejectUnknownOptions();
    }

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return ViewPlan.of(2, imageSize, preset(imageSize, "cifar-asymmetric", "byol"), List.of(0, 1));
    }

    @Override
    protected void createHeads(Shape features) {
        projector = addPaired("projector", projectorSpec::block, features);
        predictor = addStudent("predictor", predictorSpec.block(), new Shape(features.get(0), projectorSpec.outDim()));
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        requireViews(views);
        NDArray y0 = encode(ps, views.get(0));
        NDArray e0 = run(projector, ps, y0);
        NDArray p0 = run(predictor, ps, e0);
        NDArray p1 = run(predictor, ps, run(projector, ps, encode(ps, views.get(1))));
        NDArray z0 = teacher("projector", ps, teacher("encoder", ps, views.get(0)));
        NDArray z1 = teacher("projector", ps, teacher("encoder", ps, views.get(1)));
        NDArray loss = NormalizedMseLoss.compute(p0, z1).add(NormalizedMseLoss.compute(p1, z0));
        return new Forward(loss, y0, e0);
    }
}
