package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import io.streamssl.models.head.MlpHead;
import io.streamssl.models.loss.NormalizedMseLoss;

/**
 * BYOL (Grill et al. 2020, "Bootstrap Your Own Latent"): an online network (encoder → projector → predictor)
 * regresses the momentum teacher's projection (encoder → projector) of the other view, with the symmetrised
 * normalised-MSE loss. Teacher τ 0.99 → 1.
 *
 * <p>Options: {@code projector-hidden} (4096), {@code projector-out} (256), {@code predictor-hidden} (4096),
 * {@code tau-base} (0.99), {@code tau-end} (1.0), {@code augmentation}.
 */
public final class Byol extends PredictorMomentumMethod {

    public static final String NAME = "byol";
    // Published: LARS at 0.2 × batch/256 (Grill et al. 2020), solo-learn's CIFAR config LARS at 1.0. SGD at 0.05
    // trains stably (MethodDefaultsTrainingTest), so it stays.
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "BYOL (Grill et al. 2020): predict the momentum teacher's projection",
            MethodDescriptor.SGD_DEFAULTS, Byol::new);

    public Byol(MethodSettings settings) {
        super(NAME, settings, 0.99, 1.0);
        int out = intOption("projector-out", 256, 1);
        heads(MlpHead.predictor(intOption("projector-hidden", 4096, 1), out), // same shape as the predictor
                MlpHead.predictor(intOption("predictor-hidden", 4096, 1), out));
        rejectUnknownOptions();
    }

    @Override
    protected NDArray loss(NDArray p0, NDArray z1, NDArray p1, NDArray z0) {
        return NormalizedMseLoss.compute(p0, z1).add(NormalizedMseLoss.compute(p1, z0));
    }
}
