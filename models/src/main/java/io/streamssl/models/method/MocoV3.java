package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.MlpHead;
import io.streamssl.models.loss.InfoNceLoss;
import java.util.List;

/**
 * MoCo v3 (Chen, Xie &amp; He 2021, "An Empirical Study of Training Self-Supervised Vision Transformers"): no
 * queue; each student query (encoder → projector with BN after its last layer → predictor) must find the
 * teacher key of the other view among the batch's keys, symmetrised, each term scaled by 2T as in the paper's
 * code. Teacher τ 0.99 → 1.
 *
 * <p>Options: {@code temperature} (0.2), {@code projector-hidden} (4096), {@code projector-out} (256),
 * {@code predictor-hidden} (4096), {@code tau-base}, {@code tau-end}, {@code augmentation}.
 */
public final class MocoV3 extends MomentumMethod {

    public static final String NAME = "mocov3";

    private final InfoNceLoss loss;
    private final MlpHead projectorSpec;
    private final MlpHead predictorSpec;
    private Block projector;
    private Block predictor;

    public MocoV3(MethodSettings settings) {
        super(NAME, settings, 0.99, 1.0);
        loss = new InfoNceLoss(doubleOption("temperature", 0.2, 1e-3, 10));
        int out = intOption("projector-out", 256, 1);
        projectorSpec = MlpHead.projection(2, intOption("projector-hidden", 4096, 1), out, true, true);
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
        NDArray q0 = run(predictor, ps, e0);
        NDArray q1 = run(predictor, ps, run(projector, ps, encode(ps, views.get(1))));
        NDArray k0 = teacher("projector", ps, teacher("encoder", ps, views.get(0)));
        NDArray k1 = teacher("projector", ps, teacher("encoder", ps, views.get(1)));
        NDArray total = loss.compute(q0, k1).add(loss.compute(q1, k0)).mul((float) (2 * loss.temperature()));
        return new Forward(total, y0, e0);
    }
}
