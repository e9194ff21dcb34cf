package io.streamssl.models.method;

import io.streamssl.models.encoder.EncoderSpec;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a method is built from: the encoder, the schedule horizon and its own options by name (e.g.
 * {@code projector-hidden}). Each method reads the options it knows and rejects any other, naming the ones it
 * accepts.
 */
public record MethodSettings(EncoderSpec encoder, long scheduleSteps, Map<String, String> options) {

    public MethodSettings {
        options = Map.copyOf(options);
        if (scheduleSteps <= 0) {
            throw new IllegalArgumentException("schedule steps must be positive, got " + scheduleSteps);
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
