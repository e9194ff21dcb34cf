package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.MlpHead;
import java.util.List;

/**
 * The shape shared by BYOL and MoCo v3: the student (encoder → projector → predictor) predicts, for each of two
 * views, the momentum teacher's projection (teacher encoder → teacher projector) of the other view. A method
 * sets its two heads and says how the predictions p and teacher projections z make a loss.
 */
abstract class PredictorMomentumMethod extends MomentumMethod {

    private MlpHead projectorSpec;
    private MlpHead predictorSpec;
    private Block projector;
    private Block predictor;

    protected PredictorMomentumMethod(String name, MethodSettings settings, double tauBase, double tauEnd) {
        super(name, settings, tauBase, tauEnd);
    }

    /** Called from the subclass constructor, once its options are read. */
    protected final void heads(MlpHead projector, MlpHead predictor) {
        this.projectorSpec = projector;
        this.predictorSpec = predictor;
    }

    /**
     * The loss of predictions {@code p0}, {@code p1} (student, views 0 and 1) against the teacher's projections
     * of the other view, {@code z1} and {@code z0}; all (N, projector-out).
     */
    protected abstract NDArray loss(NDArray p0, NDArray z1, NDArray p1, NDArray z0);

    @Override
    protected final ViewPlan defaultViewPlan(int imageSize) {
        return ViewPlan.of(2, imageSize, preset(imageSize, "cifar-asymmetric", "byol"), List.of(0, 1));
    }

    @Override
    protected final void createHeads(Shape features) {
        projector = addPaired("projector", projectorSpec::block, features);
        predictor = addStudent("predictor", predictorSpec.block(), new Shape(features.get(0), projectorSpec.outDim()));
    }

    @Override
    public final Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        requireViews(views);
        NDArray y0 = encode(ps, views.get(0));
        NDArray e0 = run(projector, ps, y0);
        NDArray p0 = run(predictor, ps, e0);
        NDArray p1 = run(predictor, ps, run(projector, ps, encode(ps, views.get(1))));
        NDArray z0 = teacher("projector", ps, teacher("encoder", ps, views.get(0)));
        NDArray z1 = teacher("projector", ps, teacher("encoder", ps, views.get(1)));
        return new Forward(loss(p0, z1, p1, z0), y0, e0);
    }
}
