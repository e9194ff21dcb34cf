package io.streamssl.models.method;

import io.streamssl.models.encoder.EncoderSpec;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a method is built from: the encoder, the schedule horizon, the batch size and its own options by name
 * (e.g. {@code projector-hidden}). Each method reads the options it knows and rejects any other, naming the
 * ones it accepts; options that depend on the batch size (a queue's length) are checked against it then, with a
 * {@link BatchSizeConflict}.
 *
 * @param batchSize images per step: every batch the method trains on has this many
 * @param normalization how the trainer normalised the views it hands over (a method that needs the colours back,
 *     such as colorization's Lab target, undoes it)
 */
public record MethodSettings(EncoderSpec encoder, long scheduleSteps, int batchSize, Map<String, String> options,
        InputNormalization normalization) {

    /** Settings for views normalised with the CIFAR-10 statistics (the trainer's default). */
    public MethodSettings(EncoderSpec encoder, long scheduleSteps, int batchSize, Map<String, String> options) {
        this(encoder, scheduleSteps, batchSize, options, InputNormalization.CIFAR);
    }

    public MethodSettings {
        options = Map.copyOf(options);
        java.util.Objects.requireNonNull(normalization, "normalization");
        if (scheduleSteps <= 0) {
            throw new IllegalArgumentException("schedule steps must be positive, got " + scheduleSteps);
        }
        if (batchSize < 2) {
            throw new IllegalArgumentException("batch size must be >= 2 (batch norm needs two samples), got "
                    + batchSize);
        }
    }

    public int intOption(String key, int defaultValue) {
        String v = options.get(key);
        try {
            return v == null ? defaultValue : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("method option '" + key + "' must be an integer, got '" + v + "'");
        }
    }

    public double doubleOption(String key, double defaultValue) {
        String v = options.get(key);
        try {
            return v == null ? defaultValue : Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("method option '" + key + "' must be a number, got '" + v + "'");
        }
    }

    /** Fails when an option is not one of {@code known}, listing the allowed ones. */
    public void requireOnly(String method, Set<String> known) {
        for (String k : options.keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException("method '" + method + "' has no option '" + k
                        + "': allowed are " + new TreeSet<>(known));
            }
        }
    }
}
