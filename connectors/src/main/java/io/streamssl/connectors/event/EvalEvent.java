package io.streamssl.connectors.event;

import java.util.Arrays;

/**
 * A held-out evaluation of a committed snapshot ({@code event = eval}) on the metrics topic: the figures
 * {@code streamssl eval} prints for the same snapshot and images. The header is the snapshot's (its step, images
 * and epoch), with the evaluator's attempt and clock.
 *
 * @param snapshot the snapshot directory evaluated ({@code snapshot})
 * @param weightsSha256 SHA-256 of its weights file, as announced ({@code weights_sha256})
 * @param checkpointId the checkpoint that committed it ({@code checkpoint_id}); null for the end of the input
 * @param data the held-out set ({@code data}, e.g. {@code cifar10} or {@code kafka:images.heldout})
 * @param bankCount labelled images in the kNN bank, also the probe's training set ({@code bank_n})
 * @param queryCount images scored ({@code query_n})
 * @param knn20 weighted kNN top-1 at k = 20 ({@code knn_20})
 * @param knn200 weighted kNN top-1 at k = 200 ({@code knn_200})
 * @param linear linear probe top-1 ({@code linear})
 * @param knn200PerClass kNN@200 accuracy per class, NaN (null on the wire) for a class without queries
 *     ({@code knn_200_per_class})
 * @param seconds wall time of the evaluation ({@code eval_s})
 */
public record EvalEvent(EventHeader header, String snapshot, String weightsSha256, Long checkpointId, String data,
        int bankCount, int queryCount, double knn20, double knn200, double linear, double[] knn200PerClass,
        double seconds) implements TrainerRecord {

    public EvalEvent {
        knn200PerClass = knn200PerClass.clone();
    }

    @Override
    public double[] knn200PerClass() {
        return knn200PerClass.clone();
    }

    @Override
    public EventKind kind() {
        return EventKind.EVAL;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EvalEvent e && header.equals(e.header) && snapshot.equals(e.snapshot)
                && weightsSha256.equals(e.weightsSha256) && java.util.Objects.equals(checkpointId, e.checkpointId)
                && data.equals(e.data) && bankCount == e.bankCount && queryCount == e.queryCount
                && Double.compare(knn20, e.knn20) == 0 && Double.compare(knn200, e.knn200) == 0
                && Double.compare(linear, e.linear) == 0 && Arrays.equals(knn200PerClass, e.knn200PerClass)
                && Double.compare(seconds, e.seconds) == 0;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(header, snapshot, weightsSha256, checkpointId, data, knn20, knn200, linear)
                * 31 + Arrays.hashCode(knn200PerClass);
    }

    @Override
    public String toString() {
        return "EvalEvent[step=" + header.step() + ", snapshot=" + snapshot + ", knn_20=" + knn20 + ", knn_200="
                + knn200 + ", linear=" + linear + ", eval_s=" + seconds + "]";
    }
}
