package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import io.streamssl.models.loss.VicregLoss;

/**
 * VICReg (Bardes, Ponce &amp; LeCun 2022): encoder → 3-layer expander (Linear-BN-ReLU twice, then Linear) on two
 * views; invariance, variance and covariance terms on the two embeddings.
 *
 * <p>Options: {@code projector-hidden} (2048), {@code projector-out} (2048), {@code invariance-weight} (25),
 * {@code variance-weight} (25), {@code covariance-weight} (1),
 * {@code augmentation}.
 */
public final class Vicreg extends TwoViewProjectionMethod {

    public static final String NAME = "vicreg";
    // LARS at 0.3 × batch/256, η 0.02: solo-learn's CIFAR config (scripts/pretrain/cifar/vicreg.yaml; the paper,
    // Bardes et al. 2022, uses LARS at 0.2 × batch/256 on ImageNet). Plain SGD at 0.05 gives NaN at step 3 with
    // the demo's heads: the covariance term grows with the fourth power of the embedding's scale, so an SGD step
    // on the expander's last layer enlarges the embedding and the next gradient (loss 2e2 → 2e4 → 6e13 → NaN;
    // without the covariance term it falls); LARS bounds every tensor's step by the tensor's norm.
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "VICReg (Bardes et al. 2022): variance-invariance-covariance",
            OptimizerDefaults.scaled("lars", 0.3, 256), Vicreg::new);

    private final VicregLoss loss;

    public Vicreg(MethodSettings settings) {
        super(NAME, settings, 3, 2048, 2048, "cifar-asymmetric", "byol");
        loss = new VicregLoss(doubleOption("invariance-weight", 25, 0, 1e4),
                doubleOption("variance-weight", 25, 0, 1e4), doubleOption("covariance-weight", 1, 0, 1e4));
        rejectUnknownOptions();
    }

    @Override
    protected NDArray loss(NDArray z0, NDArray z1) {
        return loss.compute(z0, z1);
    }
}
