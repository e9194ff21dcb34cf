package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.streamssl.models.tensor.NativeScalar;

/**
 * SimCLR's normalised-temperature cross-entropy (Chen et al. 2020, "A Simple Framework for Contrastive
 * Learning of Visual Representations", eq. 1). The 2N projections of a batch are L2-normalised; for each one
 * the positive is the other view of the same image and the negatives are the other 2(N − 1) projections:
 * {@code ℓ(i) = −log exp(s(i, j)/T) / Σ_{k≠i} exp(s(i, k)/T)}, averaged over all 2N anchors.
 *
 * <p>Shapes: {@code z0}, {@code z1} (N, d), row n of both from the same image, N ≥ 2; returns a scalar.
 * Valid temperature: any T &gt; 0 (SimCLR uses 0.1–0.5; 0.2 for CIFAR in solo-learn).
 */
public final class NtXentLoss {

    private static final String NAME = "nt-xent loss";
    /** Added to the self-similarity logits so that exp() of them is exactly 0 in float32. */
    private static final float SELF_MASK = -1e9f;

    private final double temperature;

    public NtXentLoss(double temperature) {
        LossInputs.requireTemperature(NAME, "temperature", temperature);
        this.temperature = temperature;
    }

    public double temperature() {
        return temperature;
    }

    public NDArray compute(NDArray z0, NDArray z1) {
        LossInputs.requireMatrix(NAME, "z0", z0, 2); // one image has no negatives
        LossInputs.requireSameShape(NAME, z0, z1);
        int n = (int) z0.getShape().get(0);
        NDManager m = z0.getManager();
        NDArray z = NormalizedMseLoss.l2Normalize(z0.concat(z1, 0));
        NDArray logits = NativeScalar.div(z.matMul(z.transpose()), temperature);
        float[] self = new float[4 * n * n];
        float[] positive = new float[4 * n * n];
        for (int i = 0; i < 2 * n; i++) {
            self[i * 2 * n + i] = SELF_MASK;
            positive[i * 2 * n + (i + n) % (2 * n)] = 1f;
        }
        Shape square = new Shape(2L * n, 2L * n);
        NDArray logProb = logits.add(m.create(self, square)).logSoftmax(1);
        return NativeScalar.div(logProb.mul(m.create(positive, square)).sum(), -2.0 * n);
    }
}
