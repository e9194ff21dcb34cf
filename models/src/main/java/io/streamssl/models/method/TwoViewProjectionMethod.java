package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.MlpHead;
import java.util.List;

/**
 * The shape shared by SimCLR, SimCLR v2, Barlow Twins and VICReg: both views go through the same encoder and projector
 * (Linear-BN-ReLU blocks, then Linear), and a loss compares the two embeddings. No teacher, no extra state. A
 * method adds only its loss and its defaults.
 *
 * <p>Options read here: {@code projector-hidden}, {@code projector-out} (defaults from the method),
 * {@code augmentation}.
 */
abstract class TwoViewProjectionMethod extends BaseMethod {

    private final MlpHead projectorSpec;
    private final String cifarPreset;
    private final String imagenetPreset;
    private Block projector;

    /**
     * @param layers projector layers (2 for SimCLR, 3 for Barlow Twins and VICReg)
     * @param cifarPreset the augmentation preset up to 64 px
     * @param imagenetPreset the preset above 64 px
     */
    protected TwoViewProjectionMethod(String name, MethodSettings settings, int layers, int hiddenDefault,
            int outDefault, String cifarPreset, String imagenetPreset) {
        this(name, settings, layers, hiddenDefault, outDefault, false, cifarPreset, imagenetPreset);
    }

    /** As above; {@code batchNormLast} puts batch norm after the last linear layer too (SimCLR v2). */
    protected TwoViewProjectionMethod(String name, MethodSettings settings, int layers, int hiddenDefault,
            int outDefault, boolean batchNormLast, String cifarPreset, String imagenetPreset) {
        super(name, settings);
        this.projectorSpec = MlpHead.projection(layers, intOption("projector-hidden", hiddenDefault, 1),
                intOption("projector-out", outDefault, 1), true, batchNormLast);
        this.cifarPreset = cifarPreset;
        this.imagenetPreset = imagenetPreset;
    }

    /** The method's loss on the two views' embeddings, each (N, projector-out). */
    protected abstract NDArray loss(NDArray z0, NDArray z1);

    @Override
    protected final ViewPlan defaultViewPlan(int imageSize) {
        return ViewPlan.of(2, imageSize, preset(imageSize, cifarPreset, imagenetPreset), List.of());
    }

    @Override
    protected final void createHeads(Shape features) {
        projector = addStudent("projector", projectorSpec.block(), features);
    }

    @Override
    public final Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        requireViews(views);
        NDArray y0 = encode(ps, views.get(0));
        NDArray z0 = run(projector, ps, y0);
        NDArray z1 = run(projector, ps, encode(ps, views.get(1)));
        return new Forward(loss(z0, z1), y0, z0);
    }
}
