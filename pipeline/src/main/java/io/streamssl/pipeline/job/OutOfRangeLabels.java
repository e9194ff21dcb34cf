package io.streamssl.pipeline.job;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Labels the online probe cannot use: at least {@code probe.classes} (e.g. {@code label: 99999} with 10 classes).
 * The probe treats such an image as unlabelled, as before; this counts them and warns once, naming the label and
 * {@code probe.classes}, so a producer's wrong labels do not go unnoticed. Negative labels other than -1 (none)
 * never get here: the source dead-letters them.
 */
final class OutOfRangeLabels {

    private static final Logger LOG = LoggerFactory.getLogger(OutOfRangeLabels.class);

    private final String model;
    private final int classes;
    private boolean warned;

    OutOfRangeLabels(String model, int classes) {
        this.model = model;
        this.classes = classes;
    }

    /** How many of {@code samples} carry a label ≥ {@code probe.classes}; the first one ever is logged. */
    int count(List<TrainingSample> samples) {
        int n = 0;
        for (TrainingSample s : samples) {
            if (s.label >= classes) {
                n++;
                if (!warned) {
                    warned = true;
                    LOG.warn("{}: image {} has label {}, outside [0, probe.classes={}): the probe treats it and any"
                            + " other out-of-range label as unlabelled (counted in labels_out_of_range; warned once)",
                            model, s.id, s.label, classes);
                }
            }
        }
        return n;
    }
}
