package io.streamssl.models;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * All of a trainer's state, detached from any device: counters plus one encoded tensor per name (student,
 * teacher, optimiser slots, probe …). Immutable; what a checkpoint stores and a restore gives back.
 *
 * @param step optimiser steps done
 * @param images images trained on
 * @param tensors encoded tensors by name (see {@link io.streamssl.models.tensor.TensorCodec})
 */
public record TrainingState(long step, long images, SortedMap<String, byte[]> tensors) {

    public TrainingState {
        tensors = Collections.unmodifiableSortedMap(new TreeMap<>(tensors));
    }

    /** True when both states hold the same counters and byte-identical tensors under the same names. */
    public boolean sameAs(TrainingState other) {
        if (step != other.step || images != other.images || !tensors.keySet().equals(other.tensors.keySet())) {
            return false;
        }
        for (Map.Entry<String, byte[]> e : tensors.entrySet()) {
            if (!Arrays.equals(e.getValue(), other.tensors.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Bytes held in tensors. */
    public long tensorBytes() {
        return tensors.values().stream().mapToLong(b -> b.length).sum();
    }
}
