package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;
import io.streamssl.models.tensor.NativeScalar;
import java.util.List;

/**
 * SwAV's swapped prediction (Caron et al. 2020, eq. 1–2): the code q of one view (from {@link SinkhornKnopp})
 * is predicted from the prototype scores of every other view, {@code ℓ = −Σ_k q_k log softmax(z·c/T)_k},
 * averaged over the batch and over all (assigned view, other view) pairs.
 *
 * <p>Shapes: each view's scores (N, K); {@code codes} holds the codes of the first {@code codes.size()} views
 * (the assigned, usually global, crops), each (N, K) with rows summing to 1; returns a scalar. Valid values:
 * temperature T &gt; 0 (SwAV: 0.1).
 */
public final class SwavLoss {

    private static final String NAME = "swav loss";

    private final double temperature;

    public SwavLoss(double temperature) {
        LossInputs.requireTemperature(NAME, "temperature", temperature);
        this.temperature = temperature;
    }

    public double temperature() {
        return temperature;
    }

    public NDArray compute(List<NDArray> scores, List<NDArray> codes) {
        if (codes.isEmpty() || scores.size() < 2 || codes.size() > scores.size()) {
            throw new IllegalArgumentException(NAME + " needs codes for at least 1 view, scores of at least 2 views"
                    + " and no more codes than views, got " + codes.size() + " and " + scores.size());
        }
        for (NDArray s : scores) {
            LossInputs.requireMatrix(NAME, "scores", s, 1);
            LossInputs.requireSameShape(NAME, s, codes.get(0));
        }
        NDArray total = null;
        int pairs = 0;
        for (int a = 0; a < codes.size(); a++) {
            NDArray q = codes.get(a).stopGradient();
            for (int v = 0; v < scores.size(); v++) {
                if (v == a) {
                    continue;
                }
                NDArray logProb = NativeScalar.div(scores.get(v), temperature).logSoftmax(1);
                NDArray ce = q.mul(logProb).sum(new int[] {1}).mean().neg();
                total = total == null ? ce : total.add(ce);
                pairs++;
            }
        }
        return NativeScalar.div(total, pairs);
    }
}
