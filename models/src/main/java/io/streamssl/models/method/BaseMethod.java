package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.streamssl.models.state.TensorState;
import io.streamssl.models.tensor.FlatParameters;
import io.streamssl.models.tensor.NamedParameters;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * What every method shares (solo-learn's {@code BaseMethod}): the encoder, the student's named parameters, the
 * method's extra state pieces, option parsing with defaults that {@link #options()} reports, and the common
 * {@code augmentation} option. A method extends it with its heads ({@link #createHeads}), its loss
 * ({@link #forward}) and its view plan ({@link #defaultViewPlan}); a multi-crop method only chooses its numbers of
 * global and local crops ({@link #multiCrop}).
 *
 * <p>Options are read in the constructor through {@link #intOption} and friends; the constructor ends with
 * {@link #rejectUnknownOptions()}, so an option no reader asked for is rejected with the list of valid ones.
 */
public abstract class BaseMethod implements SslMethod {

    // ---- configuration ----
    private final String name;
    protected final MethodSettings settings;
    private final Map<String, String> effectiveOptions = new LinkedHashMap<>();
    private final String augmentation;

    // ---- built by initialize() ----
    protected NDManager manager;
    private Block encoder;
    private final NamedParameters student = new NamedParameters();
    private final Map<String, TensorState> states = new LinkedHashMap<>();
    private final Map<String, Block> heads = new LinkedHashMap<>();

    protected BaseMethod(String name, MethodSettings settings) {
        this.name = name;
        this.settings = settings;
        this.augmentation = stringOption("augmentation", "default");
        java.util.Set<String> allowed = AugmentationPresetName.viewConfigNames();
        if (!augmentation.equals("default") && !allowed.contains(augmentation)) {
            throw new IllegalArgumentException(name + ": unknown augmentation preset '" + augmentation
                    + "': allowed are default, " + String.join(", ", new TreeSet<>(allowed)));
        }
    }

    // ---- options ----

    protected final int intOption(String key, int defaultValue, int min) {
        int v = settings.intOption(key, defaultValue);
        if (v < min) {
            throw new IllegalArgumentException(name + ": option '" + key + "' must be >= " + min + ", got " + v);
        }
        effectiveOptions.put(key, String.valueOf(v));
        return v;
    }

    /** A number in [min, max]. */
    protected final double doubleOption(String key, double defaultValue, double min, double max) {
        double v = settings.doubleOption(key, defaultValue);
        if (!(v >= min && v <= max)) {
            throw new IllegalArgumentException(
                    name + ": option '" + key + "' must be in [" + min + ", " + max + "], got " + v);
        }
        effectiveOptions.put(key, String.valueOf(v));
        return v;
    }

    protected final String stringOption(String key, String defaultValue) {
        String v = settings.options().getOrDefault(key, defaultValue).trim().toLowerCase(Locale.ROOT);
        effectiveOptions.put(key, v);
        return v;
    }

    /** A file or directory path, trimmed but with its case kept; empty when not set. */
    protected final String pathOption(String key) {
        String v = settings.options().getOrDefault(key, "").trim();
        effectiveOptions.put(key, v);
        return v;
    }

    /**
     * Fails with a {@link BatchSizeConflict} unless {@code fits}. {@code problem} says what is wrong and what is
     * allowed, with {@code %1$s} for the option's name and {@code %2$s} for the batch size's (see there).
     */
    protected final void requireFitsBatch(boolean fits, String option, String problem) {
        if (!fits) {
            throw new BatchSizeConflict(name, option, problem);
        }
    }

    /** Call last in the constructor: fails on any option that was not read, naming the valid ones. */
    protected final void rejectUnknownOptions() {
        settings.requireOnly(name, effectiveOptions.keySet());
    }

    @Override
    public final Map<String, String> options() {
        return Collections.unmodifiableMap(effectiveOptions);
    }

    // ---- views ----

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int viewsPerImage() {
        return viewPlan(32).views();
    }

    /**
     * The method's own plan; the {@code augmentation} option, when set, replaces the preset of every group but a
     * pretext view's (PIRL's jigsaw grid stays a jigsaw grid).
     */
    @Override
    public final ViewPlan viewPlan(int imageSize) {
        ViewPlan plan = defaultViewPlan(imageSize);
        if (augmentation.equals("default")) {
            return plan;
        }
        return new ViewPlan(plan.groups().stream()
                .map(g -> AugmentationPresetName.of(g.preset()).pretext() ? g
                        : new ViewPlan.CropGroup(g.views(), g.size(), augmentation)).toList(), plan.teacherViews());
    }

    /** The paper's views for crops of side {@code imageSize}. */
    protected abstract ViewPlan defaultViewPlan(int imageSize);

    /** The CIFAR preset for small images (≤ 64 px), the paper's ImageNet preset otherwise. */
    protected static String preset(int imageSize, String cifar, String imagenet) {
        return imageSize <= 64 ? cifar : imagenet;
    }

    /**
     * Multi-crop (Caron et al. 2020): {@code globalViews} crops at the image size, then {@code local-views} smaller
     * ones of side {@code local-size} ({@code 0}: {@link ViewPlan#localCropSize}). {@link #multiCrop} reads the
     * two options; a multi-crop method keeps the result and plans its views with {@link #plan}.
     */
    protected record MultiCrop(int globalViews, int localViews, int localSize) {

        /** The views for images of side {@code imageSize}, all with {@code preset}; targets see the global ones. */
        public ViewPlan plan(int imageSize, String preset) {
            return ViewPlan.multiCrop(globalViews, imageSize, localViews, localSize, preset);
        }
    }

    /**
     * Reads the multi-crop options {@code local-views} ({@code localViewsDefault}) and {@code local-size}
     * ({@code 0}: derived from the image size) for a method with {@code globalViews} global crops.
     */
    protected final MultiCrop multiCrop(int globalViews, int localViewsDefault) {
        int localViews = intOption("local-views", localViewsDefault, 0);
        return new MultiCrop(globalViews, localViews, intOption("local-size", 0, 0));
    }

    // ---- networks and state ----

    @Override
    public final void initialize(NDManager manager, Shape viewShape) {
        if (this.manager != null) {
            throw new IllegalStateException(name + " is already initialised");
        }
        if (viewShape.get(0) != settings.batchSize()) {
            throw new IllegalArgumentException(name + " was configured for batches of " + settings.batchSize()
                    + " images, not " + viewShape.get(0) + ": initialise it with the batch size of its settings");
        }
        this.manager = manager;
        this.encoder = createEncoder(viewShape);
        createHeads(new Shape(viewShape.get(0), settings.encoder().featureDim()));
        afterHeadsCreated();
    }

    /** Builds and registers the encoder; a momentum method also builds the teacher's. */
    protected Block createEncoder(Shape viewShape) {
        return addStudent("encoder", settings.encoder().build(), viewShape);
    }

    /** Builds the method's heads with {@link #addStudent} (and, in a momentum method, its paired blocks). */
    protected abstract void createHeads(Shape features);

    /** Hook after all blocks exist. */
    protected void afterHeadsCreated() {}

    /** Initialises {@code block} for {@code inputs} and adds its parameters to the student under {@code name/}. */
    protected final <B extends Block> B addStudent(String blockName, B block, Shape... inputs) {
        block.initialize(manager, DataType.FLOAT32, inputs);
        student.add(blockName, block);
        if (!blockName.equals("encoder")) {
            heads.put(blockName, block);
        }
        return block;
    }

    /** Registers a state piece; its tensors are checkpointed under {@code name/…}. */
    protected final <S extends TensorState> S addState(String stateName, S state) {
        states.put(stateName, state);
        return state;
    }

    private FlatParameters flatStudent;

    @Override
    public final FlatParameters useFlatBuffers() {
        if (manager == null) {
            throw new IllegalStateException("initialize the method before flattening its parameters");
        }
        if (flatStudent == null) {
            flatStudent = FlatParameters.rebind(manager, flatOrder(student.all(), pairedStudentNames()));
            java.util.List<String> statistics = new java.util.ArrayList<>();
            student.all().forEach((k, v) -> {
                if (!v.requiresGradient()) {
                    statistics.add(k);
                }
            });
            flatMutatedRegions.addAll(runViews(flatStudent, statistics));
            afterStudentFlattened(flatStudent);
        }
        return flatStudent;
    }

    /**
     * The student's tensors in buffer order: the trainable ones first and contiguous (the optimiser's range),
     * paired ones (those a teacher follows) before the rest, weight tensors before biases and norms in each
     * (weight decay runs), then the running statistics, paired first.
     */
    static Map<String, Parameter> flatOrder(Map<String, Parameter> all, java.util.Set<String> paired) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (int group = 0; group < 6; group++) {
            for (Map.Entry<String, Parameter> e : all.entrySet()) {
                Parameter p = e.getValue();
                boolean isPaired = paired.contains(e.getKey());
                int g;
                if (p.requiresGradient()) {
                    boolean weight = p.getArray().getShape().dimension() > 1;
                    g = (isPaired ? 0 : 2) + (weight ? 0 : 1);
                } else {
                    g = isPaired ? 4 : 5;
                }
                if (g == group) {
                    out.put(e.getKey(), p);
                }
            }
        }
        return out;
    }

    /** Views (of {@code flat}'s manager) of the contiguous runs that hold {@code names}, made once. */
    protected static java.util.List<NDArray> runViews(FlatParameters flat, java.util.Collection<String> names) {
        java.util.List<NDArray> out = new java.util.ArrayList<>();
        if (!names.isEmpty()) {
            for (long[] r : flat.runs(names)) {
                NDArray v = FlatParameters.slice(flat.buffer(), r[0], r[0] + r[1]);
                v.attach(flat.buffer().getManager());
                out.add(v);
            }
        }
        return out;
    }

    /** With flat buffers: the running statistics' runs, the student's first; a teacher adds its own. */
    protected final java.util.List<NDArray> flatMutatedRegions = new java.util.ArrayList<>();

    @Override
    public java.util.List<NDArray> forwardMutatedRegions() {
        return flatStudent == null ? SslMethod.super.forwardMutatedRegions()
                : java.util.Collections.unmodifiableList(flatMutatedRegions);
    }

    /** Student names a teacher follows (none here). */
    protected java.util.Set<String> pairedStudentNames() {
        return java.util.Set.of();
    }

    /** Hook after the student's buffer exists: a teacher flattens its own. */
    protected void afterStudentFlattened(FlatParameters student) {}

    protected final NamedParameters student() {
        return student;
    }

    @Override
    public final Block encoder() {
        return encoder;
    }

    @Override
    public final Map<String, Block> heads() {
        return Collections.unmodifiableMap(heads);
    }

    @Override
    public Map<String, Parameter> trainableParameters() {
        return student.trainable();
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        student.all().forEach((k, v) -> out.put("student/" + k, v.getArray()));
        states.forEach((prefix, s) -> s.stateTensors().forEach((k, v) -> out.put(prefix + "/" + k, v)));
        return out;
    }

    /** The student's running statistics (its parameters that take no gradient). */
    @Override
    public Map<String, NDArray> forwardMutatedTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        student.all().forEach((k, v) -> {
            if (!v.requiresGradient()) {
                out.put("student/" + k, v.getArray());
            }
        });
        return out;
    }

    // ---- forward helpers ----

    /** The encoder's features of one view, (N, featureDim), in training mode. */
    protected final NDArray encode(ParameterStore ps, NDArray view) {
        return run(encoder, ps, view);
    }

    /** The (first) output of {@code block} on {@code x}, in training mode. */
    protected static NDArray run(Block block, ParameterStore ps, NDArray x) {
        return block.forward(ps, new NDList(x), true).head();
    }

    /** Fails unless {@code views} matches the plan's count. */
    protected final void requireViews(List<NDArray> views) {
        int expected = viewsPerImage();
        if (views.size() != expected) {
            throw new IllegalArgumentException(name + " trains on " + expected + " views per image, got "
                    + views.size());
        }
    }

    @Override
    public void beforeOptimizerStep(long step) {}

    @Override
    public void afterOptimizerStep(long step) {}

    @Override
    public Map<String, Double> scalars(long step) {
        return Map.of();
    }

    /** Zeroes the gradient of {@code p}: the optimiser then leaves it as it is (a frozen layer). */
    protected static void cancelGradient(Parameter p) {
        try (NDArray g = p.getArray().getGradient()) {
            g.muli(0);
        }
    }
}
