package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.schedule.CosineSchedule;
import io.streamssl.models.state.MomentumTeacher;
import io.streamssl.models.tensor.NamedParameters;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A method with a momentum teacher (solo-learn's {@code BaseMomentumMethod}): every block added with
 * {@link #addPaired} exists twice, the student's trained and the teacher's following it by EMA with τ rising on
 * a cosine from {@code tau-base} to {@code tau-end} over the schedule (Grill et al. 2020, §3.2). The teacher
 * encoder is paired automatically. Options: {@code tau-base}, {@code tau-end}.
 */
public abstract class MomentumMethod extends BaseMethod {

    private final CosineSchedule tau;
    private final NamedParameters pairedStudent = new NamedParameters();
    private final NamedParameters teacher = new NamedParameters();
    private final Map<String, Block> teacherBlocks = new HashMap<>();
    private MomentumTeacher momentumTeacher;

    protected MomentumMethod(String name, MethodSettings settings, double tauBase, double tauEnd) {
        super(name, settings);
        double base = doubleOption("tau-base", tauBase, 0, 1);
        double end = doubleOption("tau-end", tauEnd, 0, 1);
        if (base > end) {
            throw new IllegalArgumentException(name + " needs tau-base <= tau-end, got " + base + " > " + end);
        }
        this.tau = CosineSchedule.of(base, end, settings.scheduleSteps());
    }

    @Override
    protected Block createEncoder(Shape viewShape) {
        return addPaired("encoder", settings.encoder()::build, viewShape);
    }

    /** Builds a student block and its teacher twin from {@code factory}; returns the student's. */
    protected final Block addPaired(String blockName, Supplier<Block> factory, Shape input) {
        Block s = addStudent(blockName, factory.get(), input);
        pairedStudent.add(blockName, s);
        Block t = factory.get();
        t.initialize(manager, DataType.FLOAT32, input);
        t.getParameters().values().forEach(p -> p.getArray().setRequiresGradient(false));
        teacher.add(blockName, t);
        teacherBlocks.put(blockName, t);
        return s;
    }

    @Override
    protected final void afterHeadsCreated() {
        momentumTeacher = new MomentumTeacher(pairedStudent.all(), teacher.all());
        momentumTeacher.copyFromStudent();
    }

    @Override
    protected java.util.Set<String> pairedStudentNames() {
        return pairedStudent.all().keySet();
    }

    /** The teacher's buffer is laid out like the paired part of the student's, so the EMA runs over few ranges. */
    @Override
    protected void afterStudentFlattened(io.streamssl.models.tensor.FlatParameters studentFlat) {
        Map<String, ai.djl.nn.Parameter> teacherParameters = teacher.all();
        Map<String, ai.djl.nn.Parameter> ordered = new LinkedHashMap<>();
        for (String name : studentFlat.names()) {
            if (teacherParameters.containsKey(name)) {
                ordered.put(name, teacherParameters.get(name));
            }
        }
        io.streamssl.models.tensor.FlatParameters teacherFlat =
                io.streamssl.models.tensor.FlatParameters.rebind(manager, ordered);
        momentumTeacher.useFlatBuffers(studentFlat, teacherFlat);
        java.util.List<String> statistics = new java.util.ArrayList<>();
        pairedStudent.all().forEach((k, v) -> {
            if (!v.requiresGradient()) {
                statistics.add(k);
            }
        });
        flatMutatedRegions.addAll(runViews(teacherFlat, statistics));
    }

    /** The teacher's output of its twin of block {@code blockName}, detached. */
    protected final NDArray teacher(String blockName, ParameterStore ps, NDArray x) {
        return run(teacherBlocks.get(blockName), ps, x).stopGradient();
    }

    /** The teacher's twin of block {@code blockName}, for a method that runs it other than whole. */
    protected final Block teacherBlock(String blockName) {
        return teacherBlocks.get(blockName);
    }

    public final double tau(long step) {
        return tau.valueAt(step);
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> out = super.stateTensors();
        momentumTeacher.stateTensors().forEach((k, v) -> out.put("teacher/" + k, v));
        return out;
    }

    /**
     * The student's running statistics and the teacher's: a teacher's forward pass runs in training mode too. All
     * teacher tensors take no gradient, so its running statistics are the twins of the student's.
     */
    @Override
    public Map<String, NDArray> forwardMutatedTensors() {
        Map<String, NDArray> out = super.forwardMutatedTensors();
        Map<String, ai.djl.nn.Parameter> studentTwins = pairedStudent.all();
        teacher.all().forEach((k, v) -> {
            if (!studentTwins.get(k).requiresGradient()) {
                out.put("teacher/" + k, v.getArray());
            }
        });
        return out;
    }

    /** The EMA step; subclasses that override call super first. */
    @Override
    public void afterOptimizerStep(long step) {
        momentumTeacher.update(tau(step));
    }

    @Override
    public Map<String, Double> scalars(long step) {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("tau", tau(step));
        return out;
    }
}
