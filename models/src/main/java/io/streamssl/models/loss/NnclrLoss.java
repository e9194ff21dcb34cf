package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.core.Linear;
import io.streamssl.models.tensor.NativeScalar;

/**
 * NNCLR's loss (Dwibedi et al. 2021, "With a Little Help from My Friends: Nearest-Neighbor Contrastive Learning of
 * Visual Representations", eq. 2, in the symmetric form of solo-learn and lightly): the positive of view 1's
 * prediction p1 is not view 0's own projection z0 but its nearest neighbour NN(z0) in a support set Q of past
 * projections, and the negatives are the other images' predictions:
 * {@code ½ InfoNCE(NN(z0), p1) + ½ InfoNCE(NN(z1), p0)}, InfoNCE with in-batch negatives at temperature T
 * (see {@link InfoNceLoss#compute(NDArray, NDArray)}). The neighbour is the support row of highest cosine
 * similarity; it is a copy of a stored row, so no gradient reaches z, only p.
 *
 * <p>Shapes: z0, z1, p0, p1 (N, d), N ≥ 2; support (K, d), rows L2-normalised (as a
 * {@link io.streamssl.models.state.FeatureQueue} stores them). Valid temperature: any T &gt; 0 (the paper 0.1).
 */
public final class NnclrLoss {

    private static final String NAME = "nnclr loss";

    private final InfoNceLoss infoNce;

    public NnclrLoss(double temperature) {
        this.infoNce = new InfoNceLoss(temperature);
    }

    public NDArray compute(NDArray z0, NDArray z1, NDArray p0, NDArray p1, NDArray support) {
        LossInputs.requireSameShape(NAME, z0, z1);
        LossInputs.requireSameShape(NAME, p0, p1);
        NDArray nn0 = nearestNeighbours(z0, support);
        NDArray nn1 = nearestNeighbours(z1, support);
        return NativeScalar.div(infoNce.compute(nn0, p1).add(infoNce.compute(nn1, p0)), 2.0);
    }

    /** For each row of {@code z} (N, d), the row of {@code support} (K, d) of highest cosine similarity. */
    public static NDArray nearestNeighbours(NDArray z, NDArray support) {
        LossInputs.requireMatrix(NAME, "z", z, 1);
        LossInputs.requireMatrix(NAME, "support", support, 1);
        if (support.getShape().get(1) != z.getShape().get(1)) {
            throw new IllegalArgumentException(NAME + ": support rows have " + support.getShape().get(1)
                    + " dimensions but embeddings " + z.getShape().get(1));
        }
        // z first: the similarities belong to z's (step) manager, not to the long-lived support's
        NDArray similarity = Linear.linear(NormalizedMseLoss.l2Normalize(z.stopGradient()), support)
                .singletonOrThrow(); // (N, K)
        NDArray rows = support.get(new NDIndex("{}", similarity.argMax(1)));
        rows.attach(z.getManager()); // a gathered copy, made by the support's manager: the step owns it
        return rows.stopGradient();
    }
}
