package io.streamssl.models.state;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.streamssl.models.loss.SinkhornKnopp;
import java.util.Map;

/**
 * SeLA's label assignment carried from a memory to new samples (Asano et al. 2020, §3: pseudo-labels are the
 * rows of the Sinkhorn-Knopp plan {@code diag(u)·exp(S/ε)·diag(v)} that spreads the samples equally over the K
 * clusters). The plan is computed over a memory of scores; what carries over to a sample outside it is the
 * per-cluster scaling v: the sample's label is {@code argmax_k (s_k + ε·log v_k)}. {@link #reassign} stores
 * {@code ε·log v} (up to a constant, which no argmax sees) as a (1, K) offset, estimated as the mean over the
 * memory's rows of {@code ε·log q_ik − s_ik}. Starts at zero (plain nearest prototype). Checkpointed.
 */
public final class EquipartitionOffset implements TensorState {

    private static final float TINY = 1e-30f; // a plan entry that underflowed: log stays finite

    private final NDArray offset; // (1, K)

    public EquipartitionOffset(NDManager manager, int clusters) {
        if (clusters < 2) {
            throw new IllegalArgumentException("an equipartition needs at least 2 clusters, got " + clusters);
        }
        this.offset = manager.zeros(new Shape(1, clusters));
    }

    /** The (1, K) offset to add to scores before the argmax: live, so read it before the next {@link #reassign}. */
    public NDArray offset() {
        return offset;
    }

    /** Replaces the offset by the one of {@code sinkhorn}'s plan over {@code scores} (Q, K); detached. */
    public void reassign(NDArray scores, SinkhornKnopp sinkhorn, NDManager scratch) {
        if (scores.getShape().dimension() != 2 || scores.getShape().get(1) != offset.getShape().get(1)) {
            throw new IllegalArgumentException("equipartition offset: needs scores (Q, " + offset.getShape().get(1)
                    + "), got " + scores.getShape());
        }
        NDArray s = scores.stopGradient();
        s.attach(scratch);
        NDArray plan = sinkhorn.plan(s);
        plan.attach(scratch);
        NDArray perRow = plan.maximum(TINY).log().muli(sinkhorn.epsilon()).subi(s);
        NDArray mean = perRow.mean(new int[] {0}, true);
        offset.set(new NDIndex(":"), mean);
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        return Map.of("log-scaling", offset);
    }
}
