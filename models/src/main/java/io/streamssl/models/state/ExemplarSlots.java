package io.streamssl.models.state;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.streamssl.models.tensor.TensorCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The surrogate classes of a streaming Exemplar-CNN (Dosovitskiy et al. 2014): K slots, each holding one image
 * (its exemplar) by its 64-bit id, first in first out. Which slot an image has is its class label; the method's
 * classifier has one weight row per slot.
 *
 * <p>{@link #plan} assigns a batch its slots without changing anything: an id the table holds keeps its slot (a
 * hit); a new id takes the slot at the pointer, evicting that slot's image (the oldest), and that slot is
 * {@linkplain Plan#fresh() fresh}: its weight row must be re-initialised. A slot a hit of the same batch uses is
 * never taken (the pointer steps past it), so two images of one batch never share a class; an id twice in a batch
 * has one slot. {@link #apply} then writes the plan, after the optimiser step, so a skipped step leaves the table
 * as it was. Needs K at least the batch size.
 *
 * <p>Ids, pointer and fill count are tensors, so the table checkpoints with the rest of the training state.
 */
public final class ExemplarSlots implements TensorState {

    private final String name;
    private final NDArray ids; // (K) int64: the image of each filled slot
    private final NDArray pointer; // (1) int64: the next slot a new image takes (the oldest once full)
    private final NDArray filled; // (1) int64: slots that hold an image, at most K; they are [0, filled)

    /**
     * A batch's slots.
     *
     * @param slots per image of the batch, its slot (its class label)
     * @param fresh the slots new images took: their weight rows start again
     * @param hits how many of the batch's images the table held
     */
    public record Plan(int[] slots, int[] fresh, int hits, long[] table, long pointer, long filled) {}

    public ExemplarSlots(String name, NDManager manager, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException(name + ": need at least 1 slot, got " + capacity);
        }
        this.name = name;
        this.ids = manager.zeros(new Shape(capacity), DataType.INT64);
        this.pointer = manager.zeros(new Shape(1), DataType.INT64);
        this.filled = manager.zeros(new Shape(1), DataType.INT64);
    }

    public int capacity() {
        return (int) ids.getShape().get(0);
    }

    /** Slots that hold an image. */
    public long filled() {
        return filled.getLong(0);
    }

    /** The slots of {@code imageIds} (see the class comment); changes nothing. */
    public Plan plan(long[] imageIds) {
        int k = capacity();
        if (imageIds.length > k) {
            throw new IllegalArgumentException(name + ": a batch of " + imageIds.length + " images needs at least as "
                    + "many slots, there are " + k);
        }
        long[] table = ids.toLongArray();
        int full = (int) filled();
        int next = (int) pointer.getLong(0);
        Map<Long, Integer> slotOf = new HashMap<>(full * 2);
        for (int r = 0; r < full; r++) {
            slotOf.put(table[r], r);
        }
        int[] slots = new int[imageIds.length];
        boolean[] claimed = new boolean[k];
        int hits = 0;
        for (int i = 0; i < imageIds.length; i++) {
            Integer r = slotOf.get(imageIds[i]);
            slots[i] = r == null ? -1 : r;
            if (r != null) {
                claimed[r] = true;
                hits++;
            }
        }
        List<Integer> fresh = new ArrayList<>();
        for (int i = 0; i < imageIds.length; i++) {
            if (slots[i] >= 0) {
                continue;
            }
            Integer known = slotOf.get(imageIds[i]);
            if (known != null) { // taken earlier in this batch
                slots[i] = known;
                continue;
            }
            int r = next;
            while (claimed[r]) { // fewer than K claimed slots: this ends
                r = (r + 1) % k;
            }
            if (r < full) {
                slotOf.remove(table[r]); // the oldest image leaves
            } else {
                full++;
            }
            table[r] = imageIds[i];
            slotOf.put(imageIds[i], r);
            claimed[r] = true;
            fresh.add(r);
            slots[i] = r;
            next = (r + 1) % k;
        }
        return new Plan(slots, fresh.stream().mapToInt(Integer::intValue).toArray(), hits, table, next, full);
    }

    /** Writes {@code plan} (made by {@link #plan} on this table as it is now). Gradients off. */
    public void apply(Plan plan) {
        try (NDManager scratch = ids.getManager().newSubManager()) {
            TensorCodec.copy(scratch.create(plan.table()), ids);
            TensorCodec.copy(scratch.create(new long[] {plan.pointer()}), pointer);
            TensorCodec.copy(scratch.create(new long[] {plan.filled()}), filled);
        }
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("ids", ids);
        out.put("pointer", pointer);
        out.put("filled", filled);
        return out;
    }
}
