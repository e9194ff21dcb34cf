package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import io.streamssl.models.head.MlpHead;
import io.streamssl.models.loss.InfoNceLoss;
import io.streamssl.models.tensor.NativeScalar;

/**
 * MoCo v3 (Chen, Xie &amp; He 2021, "An Empirical Study of Training Self-Supervised Vision Transformers"): no
 * queue; each student query (encoder → projector with BN after its last layer → predictor) must find the
 * teacher key of the other view among the batch's keys, symmetrised, each term scaled by 2T as in the paper's
 * code. Teacher τ 0.99 → 1.
 *
 * <p>Options: {@code temperature} (0.2), {@code projector-hidden} (4096), {@code projector-out} (256),
 * {@code predictor-hidden} (4096), {@code tau-base}, {@code tau-end}, {@code augmentation}.
 */
public final class MocoV3 extends PredictorMomentumMethod {

    public static final String NAME = "mocov3";
    // Published: LARS at 0.3 × batch/256 for ResNets (Chen, Xie & He 2021; AdamW for ViTs), solo-learn's CIFAR
    // config the same. SGD at 0.05 trains stably (MethodDefaultsTrainingTest), so it stays.
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "MoCo v3 (Chen, Xie & He 2021): symmetric in-batch InfoNCE with a predictor",
            MethodDescriptor.SGD_DEFAULTS, MocoV3::new);

    private final InfoNceLoss loss;

    public MocoV3(MethodSettings settings) {
        super(NAME, settings, 0.99, 1.0);
        loss = new InfoNceLoss(doubleOption("temperature", 0.2, 1e-3, 10));
        int out = intOption("projector-out", 256, 1);
        heads(MlpHead.projection(2, intOption("projector-hidden", 4096, 1), out, true, true),
                MlpHead.predictor(intOption("predictor-hidden", 4096, 1), out));
        rejectUnknownOptions();
    }

    @Override
    protected NDArray loss(NDArray q0, NDArray k1, NDArray q1, NDArray k0) {
        return NativeScalar.mul(loss.compute(q0, k1).add(loss.compute(q1, k0)), 2 * loss.temperature());
    }
}
