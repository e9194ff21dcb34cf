package io.streamssl.connectors;

import java.util.ArrayList;
import java.util.List;

/**
 * What is missing or wrong in a builder's options, gathered so that {@code build()} reports all of it at once
 * instead of one problem per attempt.
 */
final class InvalidOptions {

    private final String built;
    private final List<String> problems = new ArrayList<>();

    /** For the builder of {@code built} (the name the message starts with). */
    InvalidOptions(String built) {
        this.built = built;
    }

    /** Notes {@code option} (with the setter to call) as missing when {@code value} is null or blank. */
    InvalidOptions requireText(String value, String option) {
        if (value == null || value.isBlank()) {
            problems.add("missing " + option);
        }
        return this;
    }

    /** Notes {@code option} (with the setter to call) as missing when {@code value} is null. */
    InvalidOptions require(Object value, String option) {
        if (value == null) {
            problems.add("missing " + option);
        }
        return this;
    }

    InvalidOptions add(List<String> more) {
        problems.addAll(more);
        return this;
    }

    InvalidOptions add(String problem) {
        problems.add(problem);
        return this;
    }

    /** Throws every problem noted, if any. */
    void throwIfAny() {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(built + " cannot be built: " + String.join("; ", problems));
        }
    }
}
