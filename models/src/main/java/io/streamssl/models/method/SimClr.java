package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import io.streamssl.models.loss.NtXentLoss;

/**
 * SimCLR (Chen et al. 2020): encoder → projector (Linear-BN-ReLU-Linear) on two views, NT-Xent over the batch
 * with 2(N − 1) negatives per anchor.
 *
 * <p>Options: {@code temperature} (0.2), {@code projector-hidden} (2048), {@code projector-out} (256),
 * {@code augmentation}.
 */
public final class SimClr extends TwoViewProjectionMethod {

    public static final String NAME = "simclr";
    // Published: LARS at 0.3 × batch/256 (Chen et al. 2020, ImageNet), solo-learn's CIFAR config LARS at 0.4.
    // SGD at 0.05 trains stably at every size we test (MethodDefaultsTrainingTest), so it stays.
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "SimCLR (Chen et al. 2020): NT-Xent over the batch",
            MethodDescriptor.SGD_DEFAULTS, SimClr::new);

    private final NtXentLoss loss;

    public SimClr(MethodSettings settings) {
        super(NAME, settings, 2, 2048, 256, "cifar-symmetric", "simclr");
        loss = new NtXentLoss(doubleOption("temperature", 0.2, 1e-3, 10));
        rejectUnknownOptions();
    }

    @Override
    protected NDArray loss(NDArray z0, NDArray z1) {
        return loss.compute(z0, z1);
    }
}
