package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import io.streamssl.models.loss.BarlowTwinsLoss;

/**
 * Barlow Twins (Zbontar et al. 2021): encoder → 3-layer projector (Linear-BN-ReLU twice, then Linear) on two
 * views; the cross-correlation of the two embeddings is driven to the identity.
 *
 * <p>Options: {@code projector-hidden} (2048), {@code projector-out} (2048), {@code lambda} (0.0051),
 * {@code augmentation}.
 */
public final class BarlowTwins extends TwoViewProjectionMethod {

    public static final String NAME = "barlowtwins";
    // LARS at 0.3 × batch/256, η 0.02: solo-learn's CIFAR config (scripts/pretrain/cifar/barlow.yaml; the paper,
    // Zbontar et al. 2021, uses LARS at 0.2 × batch/256 on ImageNet). Under plain SGD at 0.05 the loss climbs
    // instead of falling (3.5e3 → 1.7e4 in 6 steps at the demo's heads, the embedding's dimensions becoming
    // correlated): the loss sums d² squared correlations, so its gradient, and an SGD step, is large; LARS scales
    // every tensor's step to the tensor's norm.
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "Barlow Twins (Zbontar et al. 2021): cross-correlation to identity",
            OptimizerDefaults.scaled("lars", 0.3, 256), BarlowTwins::new);

    private final BarlowTwinsLoss loss;

    public BarlowTwins(MethodSettings settings) {
        super(NAME, settings, 3, 2048, 2048, "cifar-asymmetric", "byol");
        loss = new BarlowTwinsLoss(doubleOption("lambda", 0.0051, 0, 1));
        rejectUnknownOptions();
    }

    @Override
    protected NDArray loss(NDArray z0, NDArray z1) {
        return loss.compute(z0, z1);
    }
}
