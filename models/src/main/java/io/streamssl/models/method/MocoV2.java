package io.streamssl.models.method;

import io.streamssl.models.head.MlpHead;

/**
 * MoCo v2 (He et al. 2020; Chen et al. 2020, "Improved Baselines with Momentum Contrastive Learning"): the
 * query (view 0, student encoder → MLP projector without BN) must find its key (view 1, momentum teacher)
 * among the K keys of a FIFO queue; after each step the batch's keys enter the queue. Teacher τ 0.99 → 0.999.
 *
 * <p>Options: {@code temperature} (0.2), {@code queue-size} (4096, at least the batch size; the paper uses 65536
 * on ImageNet), {@code projector-hidden} (2048), {@code projector-out} (256), {@code tau-base}, {@code tau-end},
 * {@code augmentation}.
 */
public final class MocoV2 extends KeyQueueMethod {

    public static final String NAME = "mocov2";
    // Published: SGD at 0.03 for batch 256 (Chen et al. 2020); solo-learn's CIFAR config SGD at 0.3. SGD at 0.05
    // lies in that range and trains stably (MethodDefaultsTrainingTest).
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "MoCo v2 (Chen et al. 2020): InfoNCE against a queue of teacher keys",
            MethodDescriptor.SGD_DEFAULTS, MocoV2::new);

    public MocoV2(MethodSettings settings) {
        super(NAME, settings, 0.99, 0.999, 0.2, m -> MlpHead.projection(2, m.intOption("projector-hidden", 2048, 1),
                m.intOption("projector-out", 256, 1), false, false));
    }
}
