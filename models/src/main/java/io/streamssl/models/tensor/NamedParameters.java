package io.streamssl.models.tensor;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parameters of one or more blocks under stable, prefixed names ("encoder/…", "projector/…"), in a fixed
 * order. Two blocks built from the same spec give the same names, which is what lets a teacher pair its
 * tensors with the student's and a checkpoint find its tensors again.
 */
public final class NamedParameters {

    private final Map<String, Parameter> byName = new LinkedHashMap<>();

    /** Adds every parameter of {@code block} (weights and running statistics) under {@code prefix/}. */
    public NamedParameters add(String prefix, Block block) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            String name = prefix + "/" + p.getKey();
            if (byName.putIfAbsent(name, p.getValue()) != null) {
                throw new IllegalStateException("duplicate parameter name " + name);
            }
        }
        return this;
    }

    public Map<String, Parameter> all() {
        return java.util.Collections.unmodifiableMap(byName);
    }

    /** Only the parameters that receive gradients (running statistics excluded). */
    public Map<String, Parameter> trainable() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        byName.forEach((k, v) -> {
            if (v.requiresGradient()) {
                out.put(k, v);
            }
        });
        return out;
    }
}
