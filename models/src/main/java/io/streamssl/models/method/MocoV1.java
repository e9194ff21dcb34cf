package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.MlpHead;
import java.util.Random;

/**
 * MoCo v1 (He et al. 2019, "Momentum Contrast for Unsupervised Visual Representation Learning"): the query
 * (view 0, student encoder → linear projection, no MLP) must find its key (view 1, momentum teacher) among the
 * K keys of a FIFO queue, InfoNCE at τ 0.07; after each step the batch's keys enter the queue. The teacher
 * follows with a constant momentum 0.999 (the paper's m).
 *
 * <p>Shuffled BN. The paper shuffles the keys across GPUs, so a query and its key are normalised with batch-norm
 * statistics of different sub-batches and the model cannot find the positive through them (its §3.3). On one
 * device we do what two GPUs would: the key batch is permuted and the teacher encodes each half separately, so
 * every key is normalised with the statistics of a random half, not those of the batch the queries saw; the keys
 * are then put back in order. Per-half statistics keep batch norm in training mode, as in the paper; the other
 * simple option, the key encoder in inference mode, would normalise keys with running statistics that follow
 * the student's only through the 0.999 EMA, so for the first thousands of steps they would be those of the
 * initial network. The permutation is drawn from the step number, so a resumed run draws the same ones (bit-exact
 * resume). Below 4 images per step the halves would be too small for batch norm, and the batch is encoded whole.
 *
 * <p>Options: {@code temperature} (0.07), {@code queue-size} (4096, at least the batch size; the paper uses 65536
 * on ImageNet), {@code projector-out} (128), {@code tau-base} and {@code tau-end} (both 0.999),
 * {@code augmentation}.
 */
public final class MocoV1 extends KeyQueueMethod {

    public static final String NAME = "mocov1";
    // The paper: SGD at 0.03 for batch 256, scaled linearly with the batch.
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "MoCo v1 (He et al. 2019): InfoNCE against a queue of momentum keys, linear head",
            OptimizerDefaults.scaled("sgd", 0.03, 256), MocoV1::new);

    private static final long SHUFFLE_SEED = 0x5EEDB0C5L;

    public MocoV1(MethodSettings settings) {
        super(NAME, settings, 0.999, 0.999, 0.07,
                m -> MlpHead.projection(1, 1, m.intOption("projector-out", 128, 1), false, false));
    }

    /** The teacher's keys of {@code view}, each half of a step-seeded permutation with its own BN statistics. */
    @Override
    protected NDArray keys(ParameterStore ps, NDArray view, long step) {
        int n = Math.toIntExact(view.getShape().get(0));
        if (n < 4) {
            return super.keys(ps, view, step);
        }
        int[] order = permutation(n, step);
        int[] inverse = new int[n];
        for (int i = 0; i < n; i++) {
            inverse[order[i]] = i;
        }
        NDManager scratch = view.getManager();
        NDArray shuffled = view.get(new NDIndex("{}", scratch.create(order)));
        int half = n / 2;
        NDArray first = teacher("projector", ps, teacher("encoder", ps, shuffled.get("0:" + half)));
        NDArray second = teacher("projector", ps, teacher("encoder", ps, shuffled.get(half + ":")));
        return first.concat(second).get(new NDIndex("{}", scratch.create(inverse)));
    }

    /** A permutation of 0..n−1 that depends on the step only (Fisher–Yates). */
    static int[] permutation(int n, long step) {
        Random random = new Random(SHUFFLE_SEED ^ step);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
