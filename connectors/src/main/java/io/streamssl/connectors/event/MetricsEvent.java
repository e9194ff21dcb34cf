package io.streamssl.connectors.event;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training progress since the previous metrics record ({@code event = metrics}).
 *
 * @param loss mean loss of the steps since the previous record ({@code loss})
 * @param learningRate the learning rate of the last step ({@code learning_rate})
 * @param scalars the method's own values of the last step, such as {@code tau}, each a field of its own
 * @param imagesPerSecond images per wall-clock second: the pipeline's throughput ({@code images_per_s})
 * @param trainImagesPerSecond images per second inside training steps ({@code train_images_per_s})
 * @param probeAccuracy online probe accuracy, or null without labelled images ({@code probe_acc})
 * @param probeCount labelled images the probe scored ({@code probe_n})
 * @param snapshot the newest snapshot directory, or null ({@code snapshot}, left out when null)
 * @param finished whether {@code max-steps} was reached with this step ({@code finished})
 * @param skippedSteps steps skipped since the previous record because their loss was not finite; their batches
 *     went to the dead-letter topic ({@code skipped_steps}; 0 when absent)
 * @param labelsOutOfRange images since the previous record whose label was at least {@code probe.classes}, so
 *     the probe treated them as unlabelled ({@code labels_out_of_range}; 0 when absent)
 * @param snapshotWriteFailures snapshots that could not be written since the previous record, e.g. on a full
 *     disk ({@code snapshot_write_failures}, left out when 0)
 * @param snapshotError the last such failure's message, or null ({@code snapshot_error}, left out when null)
 */
public record MetricsEvent(EventHeader header, double loss, float learningRate, Map<String, Double> scalars,
        double imagesPerSecond, double trainImagesPerSecond, Double probeAccuracy, int probeCount, String snapshot,
        boolean finished, long skippedSteps, long labelsOutOfRange,
        int snapshotWriteFailures, String snapshotError) implements TrainerRecord {

    public MetricsEvent {
        scalars = Collections.unmodifiableMap(new LinkedHashMap<>(scalars)); // in the method's order
    }

    /** A record of a window with nothing skipped, no label out of range and every snapshot written. */
    public MetricsEvent(EventHeader header, double loss, float learningRate, Map<String, Double> scalars,
            double imagesPerSecond, double trainImagesPerSecond, Double probeAccuracy, int probeCount,
            String snapshot, boolean finished) {
        this(header, loss, learningRate, scalars, imagesPerSecond, trainImagesPerSecond, probeAccuracy, probeCount,
                snapshot, finished, 0, 0, 0, null);
    }

    @Override
    public EventKind kind() {
        return EventKind.METRICS;
    }
}
