package io.streamssl.models;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.streamssl.models.method.SslMethod;
import io.streamssl.models.method.SslMethods;
import io.streamssl.models.method.ViewPlan;
import io.streamssl.models.optim.FlatTrainable;
import io.streamssl.models.optim.ParameterOptimizer;
import io.streamssl.models.probe.LinearProbe;
import io.streamssl.models.profile.NativeOpCount;
import io.streamssl.models.schedule.CosineSchedule;
import io.streamssl.models.tensor.TensorCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Trains one self-supervised method on batches of uint8 views, on one device. Everything common to all
 * methods lives here (normalisation on the device, the optimiser and its schedule, the online probe, state
 * export and import); the method adds its networks, loss and extra state. Usable from a plain {@code main}:
 *
 * <pre>{@code
 * try (SslTrainer trainer = new SslTrainer(TrainerSpec.byolCifar(64, 256, 10_000))) {
 *     StepResult r = trainer.step(batch);
 * }
 * }</pre>
 *
 * <p>Memory: the model, optimiser slots and probe live in the trainer's manager; every step runs in a
 * sub-manager that is closed at its end, so nothing a step creates outlives it.
 *
 * <p>Not thread-safe: one thread drives a trainer. DJL's gradient collector is JVM-wide, so the
 * forward/backward of all trainers in a JVM is serialised on the engine.
 */
public final class SslTrainer implements AutoCloseable {

    private final TrainerSpec spec;
    private final Device device;
    private final NDManager manager;
    private final SslMethod method;
    private final ParameterOptimizer optimizer;
    private final CosineSchedule learningRate;
    private final CosineSchedule weightDecay;
    private final ViewPlan viewPlan;
    private final LinearProbe probe;
    private final NDArray mean; // (3), [0, 255] units
    private final NDArray std; // (3), [0, 255] units

    private long step;
    private long images;
    /** Fault injection for tests: rewrites the normalised views before the forward pass; null in production. */
    private UnaryOperator<List<NDArray>> viewHook;
    /** Operators per phase of the last step while counting (benchmarks); null when not counting. */
    private Map<String, NativeOpCount> stepOps;
    private final Map<String, Long> phaseNanos = new LinkedHashMap<>();

    public SslTrainer(TrainerSpec spec) {
        this.spec = spec;
        this.device = Devices.parse(spec.device());
        Engine.getInstance().setRandomSeed((int) spec.seed());
        this.manager = NDManager.newBaseManager(device);
        GradMode.disable();
        this.method = SslMethods.create(spec.method(), spec.methodSettings());
        method.initialize(manager, new Shape(spec.batchSize(), 3, spec.imageSize(), spec.imageSize()));
        this.viewPlan = method.viewPlan(spec.imageSize());
        this.optimizer = ParameterOptimizer.create(spec.optimizer(), spec.momentum(), spec.larsEta(),
                spec.adamBetas().beta1(), spec.adamBetas().beta2());
        if (spec.flatBuffers()) {
            optimizer.useFlatBuffer(new FlatTrainable(method.useFlatBuffers(), method.trainableParameters()));
        }
        optimizer.createSlots(method.trainableParameters());
        this.learningRate = new CosineSchedule(spec.learningRate(), 0, spec.warmupSteps(), spec.scheduleSteps());
        this.weightDecay = CosineSchedule.of(spec.weightDecay(), spec.weightDecayEnd(), spec.scheduleSteps());
        this.probe = new LinearProbe(manager, spec.encoder().featureDim(), spec.probeClasses(),
                (float) spec.probeLearningRate());
        this.mean = scaled(spec.mean());
        this.std = scaled(spec.std());
    }

    private NDArray scaled(float[] values) {
        float[] v = new float[3];
        for (int i = 0; i < 3; i++) {
            v[i] = values[i] * 255f;
        }
        return manager.create(v);
    }

    public TrainerSpec spec() {
        return spec;
    }

    public SslMethod method() {
        return method;
    }

    public Device device() {
        return device;
    }

    /** Optimiser steps done so far. */
    public long stepCount() {
        return step;
    }

    public long imageCount() {
        return images;
    }

    /** The views each image must arrive with: counts, sizes and augmentation presets. */
    public ViewPlan viewPlan() {
        return viewPlan;
    }

    /**
     * For tests only: {@code hook} sees the normalised views of every following step before the forward pass and
     * returns the views to train on, e.g. one set to NaN to poison a batch (a merely huge view still trains: batch
     * norm is scale-invariant). Null removes it.
     */
    public void setViewHook(UnaryOperator<List<NDArray>> hook) {
        this.viewHook = hook;
    }

    /** One optimiser step on {@code batch} (views of one size); see {@link #step(MultiCropBatch)}. */
    public StepResult step(ViewBatch batch) {
        return step(MultiCropBatch.of(batch));
    }

    /**
     * One optimiser step on {@code batch}; then the probe scores, and trains on, the labelled images (their
     * un-augmented probe images when the first group has them, else the features of view 0).
     *
     * <p>A loss that is NaN or infinite skips the step before anything changes: it is read before the optimiser
     * step, the tensors the forward pass changed in place ({@link SslMethod#forwardMutatedRegions}, batch-norm
     * running statistics) are put back, the gradients are zeroed, and no optimiser step, teacher, queue or centre
     * update and no probe step happen. The step and image counters stay: the schedules do not move on for a
     * batch that was not trained on. The result says {@link StepResult#skipped()}; what to do with the batch is
     * the caller's decision.
     */
    public StepResult step(MultiCropBatch batch) {
        if (batch.views() != viewPlan.views()) {
            throw new IllegalArgumentException(method.name() + " needs " + viewPlan.views()
                    + " views per image (" + viewPlan.describe() + "), the batch has " + batch.views());
        }
        if (!batch.sizes().equals(viewPlan.sizes())) {
            throw new IllegalArgumentException(method.name() + " needs views of sizes " + viewPlan.sizes() + " ("
                    + viewPlan.describe() + "), the batch has " + batch.sizes());
        }
        long t0 = System.nanoTime();
        GradMode.disable();
        long current = step;
        float lr = (float) learningRate.valueAt(current);
        float wd = (float) weightDecay.valueAt(current);
        float loss;
        double embeddingStd;
        LinearProbe.Score score;
        try (NDManager stepManager = manager.newSubManager()) {
            List<NDArray> views = new ArrayList<>(batch.views());
            List<NDArray> mutated = method.forwardMutatedRegions();
            List<NDArray> before = new ArrayList<>();
            phase("input", () -> {
                for (ViewBatch group : batch.groups()) {
                    views.addAll(toDevice(stepManager, group));
                }
                if (viewHook != null) {
                    List<NDArray> hooked = viewHook.apply(new ArrayList<>(views));
                    views.clear();
                    views.addAll(hooked);
                }
                before.addAll(copies(stepManager, mutated));
            });
            ParameterStore ps = new ParameterStore(stepManager, false);
            SslMethod.Forward[] forwardHolder = new SslMethod.Forward[1];
            Engine engine = Engine.getInstance();
            phase("forward+backward", () -> {
                synchronized (engine) {
                    try (GradientCollector collector = engine.newGradientCollector()) {
                        forwardHolder[0] = method.forwardBatch(ps, views,
                                new SslMethod.BatchContext(batch.instanceIds(), batch.viewTargets()), current);
                        collector.backward(forwardHolder[0].loss());
                    }
                }
                GradMode.disable();
            });
            SslMethod.Forward forward = forwardHolder[0];
            loss = forward.loss().getFloat();
            if (!Float.isFinite(loss)) {
                for (int i = 0; i < before.size(); i++) {
                    TensorCodec.copy(before.get(i), mutated.get(i));
                }
                zeroGradients(stepManager);
                return StepResult.skipped(current, loss, lr, batch.size(), System.nanoTime() - t0);
            }
            method.beforeOptimizerStep(current);
            phase("optimizer", () -> optimizer.step(method.trainableParameters(), lr, wd));
            phase("after-step (teacher EMA, queues)", () -> method.afterOptimizerStep(current));
            LinearProbe.Score[] scoreHolder = new LinearProbe.Score[1];
            double[] stdHolder = new double[1];
            phase("probe+metrics", () -> {
                ViewBatch first = batch.groups().get(0);
                NDArray probeFeatures = first.probePixels() == null ? forward.features()
                        : encode(stepManager, ps, first.probePixels(), first.size(), first.height(), first.width());
                LinearProbe.PendingScore pending = probe.scoreThenTrainDeferred(probeFeatures, batch.labels(),
                        stepManager);
                NDArray std = normalizedStd(forward.embeddings());
                // the step's second and last read-back: both metrics in one transfer
                float[] metrics = (pending.correct() == null ? std
                        : NDArrays.stack(new NDList(std, pending.correct()))).toFloatArray();
                stdHolder[0] = metrics[0];
                scoreHolder[0] = new LinearProbe.Score(pending.labelled(),
                        pending.correct() == null ? 0 : (int) metrics[1]);
            });
            score = scoreHolder[0];
            embeddingStd = stdHolder[0];
        }
        step++;
        images += batch.size();
        Map<String, Double> scalars = new LinkedHashMap<>(method.scalars(current));
        scalars.put("embedding-std", embeddingStd);
        scalars.put("weight-decay", (double) wd);
        return new StepResult(current + 1, loss, lr, scalars, score.labelled(), score.correct(),
                batch.size(), System.nanoTime() - t0);
    }

    /**
     * For benchmarks: while on, every step counts the libtorch operators of its phases ({@link #lastStepOps}), which
     * slows it down (libtorch's profiler runs).
     */
    public void setCountNativeOps(boolean on) {
        this.stepOps = on ? new LinkedHashMap<>() : null;
    }

    /**
     * The operators of the last step by phase (input, forward+backward, optimizer, after-step, probe+metrics),
     * when {@link #setCountNativeOps} is on; empty otherwise. Reading the loss back is no operator.
     */
    public Map<String, NativeOpCount> lastStepOps() {
        return stepOps == null ? Map.of() : java.util.Collections.unmodifiableMap(stepOps);
    }

    /**
     * Wall time spent in each phase of the steps since the last {@link #resetPhaseTimes}, in nanoseconds (on a GPU
     * the time to launch, not to finish, except where the phase synchronises).
     */
    public Map<String, Long> phaseNanos() {
        return java.util.Collections.unmodifiableMap(phaseNanos);
    }

    public void resetPhaseTimes() {
        phaseNanos.clear();
    }

    private void phase(String name, Runnable work) {
        long t0 = System.nanoTime();
        if (stepOps == null) {
            work.run();
        } else {
            stepOps.put(name, NativeOpCount.of(work));
        }
        phaseNanos.merge(name, System.nanoTime() - t0, Long::sum);
    }

    /** Copies of {@code tensors} in {@code m}, in order. */
    private static List<NDArray> copies(NDManager m, List<NDArray> tensors) {
        List<NDArray> out = new ArrayList<>();
        for (NDArray array : tensors) {
            NDArray copy = m.zeros(array.getShape(), array.getDataType());
            TensorCodec.copy(array, copy);
            out.add(copy);
        }
        return out;
    }

    /**
     * Sets every trainable parameter's gradient to 0 after a skipped step: they hold NaN or Inf now, which
     * multiplying by 0 would keep, so they are overwritten (DJL accumulates gradients
     * of arrays a collector does not zero, so this keeps the next step clean whatever the engine does).
     */
    private void zeroGradients(NDManager m) {
        for (ai.djl.nn.Parameter p : method.trainableParameters().values()) {
            try (NDArray g = p.getArray().getGradient()) {
                TensorCodec.copy(m.zeros(g.getShape(), g.getDataType()), g); // set(index, 0f) leaks its scalar
            }
        }
    }

    /**
     * The collapse measure of Grill et al. / lightly: the mean over dimensions of the per-dimension standard
     * deviation of the L2-normalised embeddings over the batch. 0 means collapse to one point; embeddings
     * spread uniformly over the sphere give about 1/√d. A 0-d float32 tensor on the embeddings' device.
     */
    static NDArray normalizedStd(NDArray embeddings) {
        NDArray norm = embeddings.norm(new int[] {1}, true).maximum(1e-12f);
        NDArray unit = embeddings.div(norm);
        NDArray centred = unit.sub(unit.mean(new int[] {0}, true));
        return centred.square().mean(new int[] {0}).sqrt().mean();
    }

    /** (N, V, H, W, 3) uint8 → V normalised (N, 3, H, W) float tensors on the device. */
    private List<NDArray> toDevice(NDManager m, ViewBatch b) {
        NDArray all = m.create(ByteBuffer.wrap(b.pixels()),
                new Shape(b.size(), b.views(), b.height(), b.width(), 3), DataType.UINT8);
        List<NDArray> out = new ArrayList<>(b.views());
        for (int v = 0; v < b.views(); v++) {
            NDArray view = all.get(":, " + v).toType(DataType.FLOAT32, false);
            out.add(view.sub(mean).div(std).transpose(0, 3, 1, 2));
        }
        return out;
    }

    /** Encoder features, in inference mode, of (n, h, w, 3) uint8 images. */
    private NDArray encode(NDManager m, ParameterStore ps, byte[] rgb, int n, int h, int w) {
        NDArray x = toDevice(m, new ViewBatch(n, 1, h, w, rgb, new int[n])).get(0);
        return method.encoder().forward(ps, new NDList(x), false).singletonOrThrow();
    }

    /**
     * The encoder's features of one image in inference mode (batch-norm running statistics).
     *
     * @param rgb H×W×3 uint8 pixels
     */
    public float[] embed(byte[] rgb, int height, int width) {
        GradMode.disable();
        try (NDManager m = manager.newSubManager()) {
            return encode(m, new ParameterStore(m, false), rgb, 1, height, width).toFloatArray();
        }
    }

    /**
     * The encoder's features of several same-sized images in inference mode, in chunks of 256 (one forward pass
     * per chunk): what a replay buffer compares.
     *
     * @param images H×W×3 uint8 pixels each
     */
    public float[][] embed(List<byte[]> images, int height, int width) {
        GradMode.disable();
        float[][] out = new float[images.size()][];
        int imageBytes = height * width * 3;
        for (int start = 0; start < images.size(); start += 256) {
            int n = Math.min(256, images.size() - start);
            byte[] rgb = new byte[n * imageBytes];
            for (int i = 0; i < n; i++) {
                System.arraycopy(images.get(start + i), 0, rgb, i * imageBytes, imageBytes);
            }
            try (NDManager m = manager.newSubManager()) {
                float[] flat = encode(m, new ParameterStore(m, false), rgb, n, height, width).toFloatArray();
                int d = flat.length / n;
                for (int i = 0; i < n; i++) {
                    out[start + i] = java.util.Arrays.copyOfRange(flat, i * d, (i + 1) * d);
                }
            }
        }
        return out;
    }

    /** Every state tensor by name: the method's, the optimiser's slots and the probe's. */
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> all = new LinkedHashMap<>(method.stateTensors());
        optimizer.slots().forEach((k, v) -> all.put("optimizer/" + k, v));
        all.putAll(probe.stateTensors());
        return all;
    }

    /** A device-independent copy of all training state. */
    public TrainingState exportState() {
        TreeMap<String, byte[]> tensors = new TreeMap<>();
        stateTensors().forEach((name, array) -> tensors.put(name, TensorCodec.encode(array)));
        return new TrainingState(step, images, tensors);
    }

    /**
     * A frozen host copy of all training state, for another thread to write while training goes on; the caller
     * owns one reference ({@link CapturedState#release()}). One memory copy per tensor, nothing converted.
     */
    public CapturedState captureState() {
        return CapturedState.take(stateTensors(), step, images);
    }

    /**
     * Overwrites all training state with {@code state}. Every tensor of this trainer must be present with the
     * same shape, so a state from a different configuration is rejected, naming the first mismatch.
     */
    public void importState(TrainingState state) {
        GradMode.disable();
        Map<String, NDArray> mine = stateTensors();
        if (!mine.keySet().equals(state.tensors().keySet())) {
            List<String> missing = new ArrayList<>(mine.keySet());
            missing.removeAll(state.tensors().keySet());
            List<String> extra = new ArrayList<>(state.tensors().keySet());
            extra.removeAll(mine.keySet());
            throw new IllegalArgumentException("the stored training state does not fit this model: missing "
                    + head(missing) + ", unexpected " + head(extra));
        }
        try (NDManager scratch = manager.newSubManager()) {
            mine.forEach((name, array) -> {
                try {
                    TensorCodec.copyInto(array, state.tensors().get(name), scratch);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("tensor " + name + ": " + e.getMessage(), e);
                }
            });
        }
        step = state.step();
        images = state.images();
    }

    private static List<String> head(List<String> names) {
        return names.size() <= 5 ? names : names.subList(0, 5);
    }

    /** Arrays currently held by the trainer's manager tree: flat from step to step unless something leaks. */
    public int liveArrays() {
        return manager.getManagedArrays().size();
    }

    @Override
    public void close() {
        manager.close();
    }
}
