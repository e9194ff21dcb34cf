package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;
import io.streamssl.models.tensor.NativeScalar;

/**
 * PIRL's loss (Misra &amp; van der Maaten 2019, eq. 5): the image's memory-bank row m_I must be found both from the
 * jigsaw view's representation g(v_It) and from the plain view's f(v_I),
 * {@code L = λ·h(m_I, g(v_It)) + (1 − λ)·h(m_I, f(v_I))}, where h is the memory-bank contrast of
 * {@link MemoryBankLoss} (the exact softmax over the positive and the bank rows each query may see, in place of
 * the paper's NCE estimate; see there). The second term is the paper's addition over a jigsaw-only loss: it keeps
 * the bank rows, which are made from f, close to what the plain view produces.
 *
 * <p>Shapes: jigsaw and view (N, d), normalised here; positive (N, d), the bank rows of the images (or their
 * stand-ins for images the bank does not hold), no gradient expected; bank (K, d) with L2-normalised rows;
 * excluded (N, K) boolean, from {@link MemoryBankLoss#excluded}; returns a scalar. Valid values: temperature
 * T &gt; 0 (the paper: 0.07), λ in [0, 1] (the paper: 0.5; 1 is a jigsaw-only loss, 0 InstDisc's).
 */
public final class PirlLoss {

    private static final String NAME = "pirl loss";

    private final MemoryBankLoss bankLoss;
    private final double lambda;

    public PirlLoss(double temperature, double lambda) {
        this.bankLoss = new MemoryBankLoss(temperature);
        if (!(lambda >= 0 && lambda <= 1)) {
            throw new IllegalArgumentException(NAME + ": lambda (the jigsaw term's weight) must be in [0, 1], got "
                    + lambda);
        }
        this.lambda = lambda;
    }

    public double temperature() {
        return bankLoss.temperature();
    }

    public double lambda() {
        return lambda;
    }

    public NDArray compute(NDArray jigsaw, NDArray view, NDArray positive, NDArray bank, NDArray excluded) {
        NDArray jigsawTerm = bankLoss.compute(jigsaw, positive, bank, excluded);
        NDArray viewTerm = bankLoss.compute(view, positive, bank, excluded);
        return NativeScalar.mul(jigsawTerm, lambda).add(NativeScalar.mul(viewTerm, 1 - lambda));
    }
}
