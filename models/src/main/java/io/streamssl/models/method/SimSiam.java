package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.MlpHead;
import io.streamssl.models.loss.NegativeCosineLoss;
import io.streamssl.models.tensor.NativeScalar;
import java.util.List;

/**
 * SimSiam (Chen &amp; He 2021): encoder → projector (BN after every layer, the CIFAR variant's 2 layers) →
 * predictor bottleneck; the symmetrised negative cosine between each view's prediction and the other view's
 * stop-gradient projection. No teacher, no negatives.
 *
 * <p>Options: {@code projector-hidden} (2048), {@code projector-out} (2048), {@code predictor-hidden} (512),
 * {@code augmentation}.
 */
public final class SimSiam extends BaseMethod {

    public static final String NAME = "simsiam";
    // Published: SGD at 0.05 × batch/256 (Chen & He 2021), solo-learn's CIFAR config SGD at 0.5: SGD at 0.05 is
    // the paper's rate at batch 256.
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "SimSiam (Chen & He 2021): negative cosine with stop-gradient",
            MethodDescriptor.SGD_DEFAULTS, SimSiam::new);

    private final MlpHead projectorSpec;
    private final MlpHead predictorSpec;
    private Block projector;
    private Block predictor;

    public SimSiam(MethodSettings settings) {
        super(NAME, settings);
        int out = intOption("projector-out", 2048, 1);
        projectorSpec = MlpHead.projection(2, intOption("projector-hidden", 2048, 1), out, true, true);
        predictorSpec = MlpHead.predictor(intOption("predictor-hidden", 512, 1), out);
        rejectUnknownOptions();
    }

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return ViewPlan.of(2, imageSize, preset(imageSize, "cifar-symmetric", "mocov2"), List.of());
    }

    @Override
    protected void createHeads(Shape features) {
        projector = addStudent("projector", projectorSpec.block(), features);
        predictor = addStudent("predictor", predictorSpec.block(), new Shape(features.get(0), projectorSpec.outDim()));
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        requireViews(views);
        NDArray y0 = encode(ps, views.get(0));
        NDArray z0 = run(projector, ps, y0);
        NDArray z1 = run(projector, ps, encode(ps, views.get(1)));
        NDArray p0 = run(predictor, ps, z0);
        NDArray p1 = run(predictor, ps, z1);
        NDArray sum = NegativeCosineLoss.compute(p0, z1).add(NegativeCosineLoss.compute(p1, z0));
        NDArray loss = NativeScalar.mul(sum, 0.5);
        return new Forward(loss, y0, z0);
    }
}
