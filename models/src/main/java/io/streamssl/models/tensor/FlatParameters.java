package io.streamssl.models.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters whose tensors are views into one flat 1-D buffer, so that an update of all of them (an EMA, an
 * optimiser step) is a few operators over the buffer instead of several per tensor. DJL and libtorch have no
 * multi-tensor ("foreach") kernels; on a GPU each operator is a kernel launch, and a ResNet-18 has 62 tensors.
 *
 * <p>{@link #rebind} copies the tensors into the buffer in the given order and gives each {@link Parameter} a
 * view of its range with the same shape, so blocks, batch norm's in-place running statistics and checkpoints
 * (which read the views by name) work as before. Every tensor must have the same data type and device: one
 * buffer per device and type.
 */
public final class FlatParameters {

    private final NDArray buffer;
    private final Map<String, long[]> ranges; // name → {offset, length}, in buffer order
    private final Map<String, Shape> shapes;

    private FlatParameters(NDArray buffer, Map<String, long[]> ranges, Map<String, Shape> shapes) {
        this.buffer = buffer;
        this.ranges = ranges;
        this.shapes = shapes;
    }

    /**
     * Moves {@code ordered}'s tensors, in its order, into one new buffer of {@code manager} and rebinds every
     * parameter to its view (values and gradient requirement kept; the old arrays are closed).
     */
    public static FlatParameters rebind(NDManager manager, Map<String, Parameter> ordered) {
        if (ordered.isEmpty()) {
            throw new IllegalArgumentException("no parameters to flatten");
        }
        NDArray first = ordered.values().iterator().next().getArray();
        Map<String, long[]> ranges = new LinkedHashMap<>();
        Map<String, Shape> shapes = new LinkedHashMap<>();
        NDList parts = new NDList();
        long offset = 0;
        for (Map.Entry<String, Parameter> e : ordered.entrySet()) {
            NDArray a = e.getValue().getArray();
            if (a.getDataType() != first.getDataType() || !a.getDevice().equals(first.getDevice())) {
                throw new IllegalArgumentException("one flat buffer holds one data type on one device: "
                        + e.getKey() + " is " + a.getDataType() + " on " + a.getDevice() + ", the first "
                        + first.getDataType() + " on " + first.getDevice());
            }
            long n = a.size();
            ranges.put(e.getKey(), new long[] {offset, n});
            shapes.put(e.getKey(), a.getShape());
            parts.add(a.reshape(-1));
            offset += n;
        }
        NDArray buffer = NDArrays.concat(parts);
        buffer.attach(manager);
        parts.close();
        FlatParameters flat = new FlatParameters(buffer, Collections.unmodifiableMap(ranges),
                Collections.unmodifiableMap(shapes));
        ordered.forEach((name, p) -> {
            boolean grad = p.getArray().hasGradient();
            NDArray view = flat.view(name);
            view.attach(manager);
            if (grad) {
                view.setRequiresGradient(true);
            }
            p.close(); // DJL lets a parameter take a new array only without array and shape
            p.setShape(null);
            p.setArray(view);
        });
        return flat;
    }

    /** The whole buffer. */
    public NDArray buffer() {
        return buffer;
    }

    /** Names in buffer order. */
    public Collection<String> names() {
        return ranges.keySet();
    }

    public boolean contains(String name) {
        return ranges.containsKey(name);
    }

    public long offset(String name) {
        return range(name)[0];
    }

    public long length(String name) {
        return range(name)[1];
    }

    public Shape shape(String name) {
        range(name);
        return shapes.get(name);
    }

    /** Elements in the buffer. */
    public long size() {
        return buffer.size();
    }

    private long[] range(String name) {
        long[] r = ranges.get(name);
        if (r == null) {
            throw new IllegalArgumentException("no tensor " + name + " in this flat buffer");
        }
        return r;
    }

    /** A new view of {@code name}'s range of the buffer, with its shape. */
    public NDArray view(String name) {
        try (NDArray slice = slice(buffer, offset(name), offset(name) + length(name))) {
            return slice.reshape(shapes.get(name));
        }
    }

    /** A 1-D view of elements [from, to) of a 1-D array (a buffer or a slot buffer laid out like it). */
    public static NDArray slice(NDArray flat, long from, long to) {
        return flat.get(new NDIndex().addSliceDim(from, to));
    }

    /**
     * The ranges {@code {offset, length}} covering exactly {@code names}, in buffer order, adjacent ones merged:
     * what a region operation runs over.
     */
    public List<long[]> runs(Collection<String> names) {
        List<long[]> sorted = new ArrayList<>();
        for (String n : names) {
            sorted.add(range(n).clone());
        }
        sorted.sort((a, b) -> Long.compare(a[0], b[0]));
        List<long[]> out = new ArrayList<>();
        for (long[] r : sorted) {
            long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last[0] + last[1] == r[0]) {
                last[1] += r[1];
            } else {
                out.add(r);
            }
        }
        return out;
    }
}
