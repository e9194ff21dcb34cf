package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;
import io.streamssl.models.tensor.NativeScalar;
import java.util.List;

/**
 * OBoW's student loss (Gidaris et al. 2021, eq. 4–5; the released code's {@code BoWPredictor} and
 * {@code _bow_loss}): the student predicts the teacher's bag of words with logits {@code κ · f · w̄_kᵀ}, f the
 * student's pooled feature of a view and w̄_k the L2-normalised weight vector generated from word k, and is trained
 * with the cross-entropy {@code −Σ_k y_k log softmax(logits)_k} against the target y of another view, averaged over
 * the batch and over every (target view, other student view) pair; κ is fixed (paper: 8). The paper and the
 * released code scale the raw feature f (they normalise only the generated weights), so the logits' range is
 * learned; with {@code normalizeFeatures} f is L2-normalised too and the logits are κ × cosines in [−κ, κ].
 *
 * <p>Shapes: features (N, C), generated weights (K, C), logits and targets (N, K), targets' rows summing to 1.
 * The code uses PyTorch's KL divergence, which differs from this cross-entropy by the targets' entropy, a constant
 * with the same gradient.
 */
public final class BowPredictionLoss {

    private static final String NAME = "bow prediction loss";

    private final double kappa;
    private final boolean normalizeFeatures;
    private final SwavLoss crossEntropy = new SwavLoss(1.0); // swapped prediction with soft targets, no temperature

    /** {@code normalizeFeatures}: L2-normalise f too, so the logits are κ × cosines (see the class comment). */
    public BowPredictionLoss(double kappa, boolean normalizeFeatures) {
        LossInputs.requireTemperature(NAME, "kappa", kappa);
        this.kappa = kappa;
        this.normalizeFeatures = normalizeFeatures;
    }

    /** The logits (N, K) of {@code features} (N, C) against the generated weights (K, C), normalised here. */
    public NDArray logits(NDArray features, NDArray generatedWeights) {
        LossInputs.requireMatrix(NAME, "features", features, 1);
        LossInputs.requireMatrix(NAME, "generated weights", generatedWeights, 2);
        NDArray w = NormalizedMseLoss.l2Normalize(generatedWeights);
        NDArray f = normalizeFeatures ? NormalizedMseLoss.l2Normalize(features) : features;
        return NativeScalar.mul(f, kappa).matMul(w.transpose());
    }

    /**
     * The loss of every view's logits against the targets of the first {@code targets.size()} views, each target
     * paired with every other view's logits.
     */
    public NDArray compute(List<NDArray> logits, List<NDArray> targets) {
        return crossEntropy.compute(logits, targets);
    }
}
