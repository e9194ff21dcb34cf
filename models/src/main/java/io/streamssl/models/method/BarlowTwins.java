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
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "Barlow Twins (Zbontar et al. 2021): cross-correlation to identity", BarlowTwins::new);

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
