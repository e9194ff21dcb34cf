package io.streamssl.models.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.streamssl.models.tensor.TensorCodec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An online linear classifier on detached encoder features: the measure of what the encoder has learned while
 * it learns. Each labelled batch is first <em>scored</em> (top-1 against the labels) and only then used for one
 * SGD step of softmax regression, so the accuracy is always on data the probe has not trained on.
 *
 * <p>Features are standardised with running mean and variance (EMA, momentum 0.99) before the linear map, so
 * the probe's learning rate does not depend on the encoder's feature scale. The gradient of the mean
 * cross-entropy is the closed form {@code Xᵀ(softmax(XW + b) − Y)/n}: no autograd, so the probe never competes
 * with the trainer for DJL's gradient collector.
 */
public final class LinearProbe {

    private static final float STAT_MOMENTUM = 0.99f;
    private static final float VAR_EPS = 1e-5f;

    private final int classes;
    private final float lr;
    private final NDArray weight; // (d, C)
    private final NDArray bias; // (C)
    private final NDArray mean; // (d)
    private final NDArray var; // (d)
    private final NDArray statsInitialised; // scalar 0/1, a tensor so it checkpoints with the rest

    public LinearProbe(NDManager manager, int featureDim, int classes, float lr) {
        if (classes < 2) {
            throw new IllegalArgumentException("a probe needs at least 2 classes, got " + classes);
        }
        if (!(lr > 0)) {
            throw new IllegalArgumentException("probe learning rate must be > 0, got " + lr);
        }
        this.classes = classes;
        this.lr = lr;
        this.weight = manager.zeros(new Shape(featureDim, classes));
        this.bias = manager.zeros(new Shape(classes));
        this.mean = manager.zeros(new Shape(featureDim));
        this.var = manager.ones(new Shape(featureDim));
        this.statsInitialised = manager.zeros(new Shape(1));
    }

    public int classes() {
        return classes;
    }

    /**
     * Scores the labelled rows of {@code features}, then trains on them.
     *
     * @param features (N, d), detached
     * @param labels N labels; a label outside [0, classes) marks an unlabelled row, which is skipped
     * @return how many labelled rows there were and how many the probe classified correctly before training
     */
    public Score scoreThenTrain(NDArray features, int[] labels) {
        try (NDManager owner = features.getManager().newSubManager()) {
            PendingScore pending = scoreThenTrainDeferred(features, labels, owner);
            return new Score(pending.labelled(), pending.correct() == null ? 0 : (int) pending.correct().getFloat());
        }
    }

    /**
     * As {@link #scoreThenTrain}, but the number correct stays on the device, a 0-d float32 tensor of {@code owner}
     * (null when nothing was labelled), so that the caller reads it together with its other metrics in one
     * device-to-host transfer. Nothing here waits for the device.
     */
    public PendingScore scoreThenTrainDeferred(NDArray features, int[] labels, NDManager owner) {
        int n = 0;
        for (int l : labels) {
            if (l >= 0 && l < classes) {
                n++;
            }
        }
        if (n == 0) {
            return new PendingScore(0, null);
        }
        try (NDManager scratch = features.getManager().newSubManager()) {
            long[] rows = new long[n];
            float[] onehot = new float[n * classes];
            int[] kept = new int[n];
            for (int i = 0, j = 0; i < labels.length; i++) {
                if (labels[i] >= 0 && labels[i] < classes) {
                    rows[j] = i;
                    kept[j] = labels[i];
                    onehot[j * classes + labels[i]] = 1f;
                    j++;
                }
            }
            NDArray x = features.get(new NDIndex("{}", scratch.create(rows))).toType(DataType.FLOAT32, false);
            x.attach(scratch);
            updateStatistics(x, scratch);
            // var.add(...) would be owned by the long-lived manager: start from a scratch array instead
            NDArray std = scratch.zeros(var.getShape()).add(var).add(VAR_EPS).sqrt();
            NDArray xs = x.sub(mean).div(std);
            NDArray logits = xs.matMul(weight).add(bias);
            long[] keptLong = new long[n];
            for (int j = 0; j < n; j++) {
                keptLong[j] = kept[j];
            }
            // a count below 2^24: exact in float32
            NDArray correct = logits.argMax(1).eq(scratch.create(keptLong)).toType(DataType.FLOAT32, false).sum();
            correct.attach(owner);
            NDArray delta = logits.softmax(1).sub(scratch.create(onehot, new Shape(n, classes)));
            NDArray gradW = xs.transpose().matMul(delta).div(n);
            NDArray gradB = delta.sum(new int[] {0}).div(n);
            weight.subi(gradW.mul(lr));
            bias.subi(gradB.mul(lr));
            return new PendingScore(n, correct);
        }
    }

    private void updateStatistics(NDArray x, NDManager scratch) {
        NDArray batchMean = x.mean(new int[] {0});
        NDArray batchVar = x.sub(batchMean).square().mean(new int[] {0});
        // the first batch sets the statistics, later ones move them: chosen on the device (where), so that the flag
        // is never read back to the host; each branch is the same arithmetic as an if/else would do
        NDArray isFirst = statsInitialised.eq(0f);
        isFirst.attach(scratch);
        NDArray first = isFirst.broadcast(mean.getShape()); // DJL's where does not broadcast
        first.attach(scratch);
        NDArray movedMean = mean.mul(STAT_MOMENTUM).addi(batchMean.mul(1 - STAT_MOMENTUM));
        NDArray movedVar = var.mul(STAT_MOMENTUM).addi(batchVar.mul(1 - STAT_MOMENTUM));
        movedMean.attach(scratch);
        movedVar.attach(scratch);
        NDArray newMean = NDArrays.where(first, batchMean, movedMean);
        NDArray newVar = NDArrays.where(first, batchVar, movedVar);
        newMean.attach(scratch);
        newVar.attach(scratch);
        TensorCodec.copy(newMean, mean);
        TensorCodec.copy(newVar, var);
        try (NDArray one = statsInitialised.onesLike()) {
            TensorCodec.copy(one, statsInitialised); // 0 → 1, 1 stays
        }
    }

    /** The probe's tensors by name, for checkpoints. */
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("probe/weight", weight);
        out.put("probe/bias", bias);
        out.put("probe/mean", mean);
        out.put("probe/var", var);
        out.put("probe/initialised", statsInitialised);
        return out;
    }

    /** @param labelled rows with a label; @param correct of those, classified correctly before training */
    public record Score(int labelled, int correct) {}

    /** A score whose number correct is still on the device: a 0-d float32 tensor, null when nothing was labelled. */
    public record PendingScore(int labelled, NDArray correct) {}
}
