package io.streamssl.models.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.streamssl.models.tensor.FlatParameters;
import java.util.ArrayList;
import java.util.List;

/**
 * LARS (You, Gitman &amp; Ginsburg 2017, "Large Batch Training of Convolutional Networks"), as BYOL, Barlow
 * Twins, VICReg and solo-learn use it: per weight tensor, {@code g ← ∇ + λ·w}, then g is scaled by the trust
 * ratio {@code η·‖w‖/‖g‖} (1 when either norm is 0), then SGD with momentum {@code v ← μ·v + g;
 * w ← w − lr·v}. Biases and normalisation parameters (1-D tensors) get neither weight decay nor adaptation:
 * their norms are meaningless for the ratio (solo-learn's {@code exclude_bias_n_norm}).
 *
 * <p>Valid values: momentum in [0, 1) (0.9), η in (0, 1] (solo-learn 0.02, BYOL 0.001).
 */
public final class Lars extends SgdMomentum {

    private final float eta;

    public Lars(float momentum, float eta) {
        super(checkMomentum(momentum));
        if (!(eta > 0 && eta <= 1)) {
            throw new IllegalArgumentException("lars trust coefficient eta must be in (0, 1] (0.02 or 0.001), got "
                    + eta);
        }
        this.eta = eta;
    }

    private static float checkMomentum(float momentum) {
        if (momentum < 0 || momentum >= 1) {
            throw new IllegalArgumentException("lars momentum must be in [0, 1), got " + momentum);
        }
        return momentum;
    }

    /**
     * Scales the gradient by the trust ratio {@code η·‖w‖/‖g‖} (1 when either norm is 0), computed on the device:
     * reading the norms back would stop a GPU twice per tensor.
     */
    @Override
    protected void adaptGradient(NDArray w, NDArray g) {
        try (NDManager scratch = g.getManager().newSubManager()) {
            NDArray wn = w.norm();
            NDArray gn = g.norm();
            wn.attach(scratch);
            gn.attach(scratch);
            g.muli(trustRatios(wn, gn));
        }
    }

    /**
     * {@code η·‖w‖/‖g‖} element-wise, 1 where either norm is 0; float32 arithmetic in the order the host would do
     * it ({@code (η·‖w‖)/‖g‖}). The result belongs to {@code wNorms}' manager.
     */
    private NDArray trustRatios(NDArray wNorms, NDArray gNorms) {
        return NDArrays.where(wNorms.gt(0).logicalAnd(gNorms.gt(0)), wNorms.mul(eta).div(gNorms),
                wNorms.onesLike());
    }

    /**
     * The trust ratios of all weight tensors at once: per tensor {@code ‖w‖} and {@code ‖g‖} (the same
     * reductions over the same elements as {@link #adaptGradient}, so the same values), stacked, the ratios
     * element-wise, then each tensor's gradient range times its ratio. Still 3 operators per weight tensor: DJL has no segmented norm.
     */
    @Override
    protected void adaptFlatGradient(FlatTrainable trainable, NDArray gradients) {
        List<String> adapted = new ArrayList<>();
        for (int i = 0; i < trainable.names().size(); i++) {
            if (!ParameterOptimizer.isBiasOrNorm(trainable.parameters().get(i).getArray())) {
                adapted.add(trainable.names().get(i));
            }
        }
        if (adapted.isEmpty()) {
            return;
        }
        try (NDManager scratch = gradients.getManager().newSubManager()) {
            NDList wNorms = new NDList();
            NDList gNorms = new NDList();
            List<NDArray> gViews = new ArrayList<>();
            for (String name : adapted) {
                long[] r = trainable.range(name);
                NDArray w = trainable.parameters().get(trainable.names().indexOf(name)).getArray();
                NDArray g = FlatParameters.slice(gradients, r[0], r[0] + r[1]);
                g.attach(scratch);
                gViews.add(g);
                NDArray wn = w.norm();
                wn.attach(scratch);
                NDArray gn = g.norm();
                gn.attach(scratch);
                wNorms.add(wn);
                gNorms.add(gn);
            }
            NDArray wn = NDArrays.stack(wNorms);
            NDArray gn = NDArrays.stack(gNorms);
            wn.attach(scratch);
            gn.attach(scratch);
            NDArray ratio = trustRatios(wn, gn);
            for (int i = 0; i < gViews.size(); i++) {
                NDArray r = ratio.get(i);
                r.attach(scratch);
                gViews.get(i).muli(r);
            }
        }
    }
}
