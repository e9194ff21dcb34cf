package io.streamssl.models.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import io.streamssl.models.tensor.FlatParameters;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainable parameters of a {@link FlatParameters} buffer as one optimiser sees them: one contiguous range
 * of the buffer (the weights), the sub-ranges that take weight decay (tensors of 2 or more dimensions; biases and
 * normalisation parameters take none, see {@link ParameterOptimizer#isBiasOrNorm}), and the gradients gathered
 * into one tensor laid out like the weights.
 *
 * <p>Gradients cannot be views of a flat buffer: DJL has no call to set a tensor's {@code grad}, and libtorch's
 * autograd accumulates into each parameter's own gradient tensor. So {@link #gradients()} gathers them with
 * one {@code cat} per step (over 1-D views of the gradients made once), and {@link #zeroGradients()} still
 * zeroes each in place: one operator per tensor that remains.
 */
public final class FlatTrainable {

    private final List<String> names = new ArrayList<>(); // buffer order
    private final List<Parameter> parameters = new ArrayList<>();
    private final Map<String, long[]> relative = new LinkedHashMap<>(); // name → {offset in weights, length}
    private final List<long[]> decayRuns = new ArrayList<>(); // {offset in weights, length}
    private final NDArray weights;
    private final List<NDArray> decayWeights = new ArrayList<>();
    private NDList gradientViews;

    /**
     * @param flat the buffer holding {@code trainable}
     * @param trainable the parameters the optimiser updates: one contiguous range of {@code flat}
     */
    public FlatTrainable(FlatParameters flat, Map<String, Parameter> trainable) {
        List<long[]> runs = flat.runs(trainable.keySet());
        if (runs.size() != 1) {
            throw new IllegalArgumentException("the trainable parameters must be one contiguous range of the flat"
                    + " buffer, they are " + runs.size());
        }
        long from = runs.get(0)[0];
        List<String> ordered = new ArrayList<>(trainable.keySet());
        ordered.sort((a, b) -> Long.compare(flat.offset(a), flat.offset(b)));
        List<String> decayed = new ArrayList<>();
        for (String name : ordered) {
            names.add(name);
            parameters.add(trainable.get(name));
            relative.put(name, new long[] {flat.offset(name) - from, flat.length(name)});
            if (flat.shape(name).dimension() > 1) {
                decayed.add(name);
            }
        }
        this.weights = FlatParameters.slice(flat.buffer(), from, from + runs.get(0)[1]);
        weights.attach(flat.buffer().getManager());
        for (long[] r : flat.runs(decayed)) {
            decayRuns.add(new long[] {r[0] - from, r[1]});
            NDArray w = FlatParameters.slice(weights, r[0] - from, r[0] - from + r[1]);
            w.attach(flat.buffer().getManager());
            decayWeights.add(w);
        }
    }

    /** All trainable weights as one 1-D view of the buffer. */
    public NDArray weights() {
        return weights;
    }

    /** Views of the weights that take weight decay (and LARS adaptation), merged into contiguous runs. */
    public List<NDArray> decayWeights() {
        return Collections.unmodifiableList(decayWeights);
    }

    /** {offset, length} of each run of {@link #decayWeights()} within {@link #weights()}. */
    public List<long[]> decayRuns() {
        return Collections.unmodifiableList(decayRuns);
    }

    /** Trainable names in buffer order. */
    public List<String> names() {
        return Collections.unmodifiableList(names);
    }

    public List<Parameter> parameters() {
        return Collections.unmodifiableList(parameters);
    }

    /** {offset, length} of {@code name} within {@link #weights()}. */
    public long[] range(String name) {
        return relative.get(name).clone();
    }

    /** Every gradient, concatenated in buffer order (a new tensor the caller closes). */
    public NDArray gradients() {
        return NDArrays.concat(flatGradients());
    }

    /** Zeroes every parameter's gradient in place, for the next backward pass to accumulate into. */
    public void zeroGradients() {
        for (NDArray g : flatGradients()) {
            g.muli(0);
        }
    }

    /**
     * 1-D views of the parameters' gradient tensors, made once: autograd accumulates into an existing gradient in
     * place ({@code grad += new}, outside grad mode) and every zeroing here and in the trainer is in place, so the
     * gradient tensors, and these views, stay the same from step to step. Saves a JNI call and a {@code reshape}
     * per tensor and step.
     */
    private NDList flatGradients() {
        if (gradientViews == null) {
            NDList views = new NDList(parameters.size());
            for (Parameter p : parameters) {
                try (NDArray g = p.getArray().getGradient()) {
                    NDArray v = g.reshape(-1);
                    v.attach(weights.getManager());
                    views.add(v);
                }
            }
            gradientViews = views;
        }
        return gradientViews;
    }

    /**
     * A zero slot buffer laid out like the weights, and its per-tensor views by {@code prefix + name} (the names
     * checkpoints use), added to {@code slots} in buffer order.
     */
    public NDArray newSlot(String prefix, Map<String, NDArray> slots) {
        NDArray buffer = weights.zerosLike();
        for (String name : names) {
            slots.put(prefix + name, slotView(buffer, name));
        }
        return buffer;
    }

    /** {@code name}'s view, with its shape, of a 1-D array laid out like the weights. */
    public NDArray slotView(NDArray slotBuffer, String name) {
        long[] r = relative.get(name);
        try (NDArray s = FlatParameters.slice(slotBuffer, r[0], r[0] + r[1])) {
            NDArray v = s.reshape(parameters.get(names.indexOf(name)).getArray().getShape());
            v.attach(slotBuffer.getManager());
            return v;
        }
    }
}
