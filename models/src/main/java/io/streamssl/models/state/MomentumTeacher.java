package io.streamssl.models.state;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import io.streamssl.models.tensor.FlatParameters;
import io.streamssl.models.tensor.TensorCodec;
import java.util.Map;

/**
 * The exponential moving average of a student network, used as the target of BYOL, MoCo and DINO:
 * after each optimiser step every teacher tensor ξ becomes {@code τ·ξ + (1 − τ)·θ}, θ the student's tensor
 * of the same name (weights and batch-norm running statistics alike). The teacher receives no gradients.
 */
public final class MomentumTeacher implements TensorState {

    private final Map<String, Parameter> student;
    private final Map<String, Parameter> teacher;
    /** With flat buffers: {student view, teacher view} per contiguous run of paired tensors; else empty. */
    private final java.util.List<NDArray[]> flatRuns = new java.util.ArrayList<>();

    /**
     * @param student the student's parameters by name
     * @param teacher the teacher's parameters, same names and shapes (build both from the same spec)
     */
    public MomentumTeacher(Map<String, Parameter> student, Map<String, Parameter> teacher) {
        if (!student.keySet().equals(teacher.keySet())) {
            throw new IllegalArgumentException("teacher and student must have the same parameters");
        }
        // copies: the caller may add more (e.g. a predictor) to its own map afterwards
        this.student = new java.util.LinkedHashMap<>(student);
        this.teacher = new java.util.LinkedHashMap<>(teacher);
    }

    /** Makes the teacher an exact copy of the student (at the start of training). */
    public void copyFromStudent() {
        student.forEach((name, s) -> {
            NDArray t = teacher.get(name).getArray();
            TensorCodec.copy(s.getArray(), t);
        });
    }

    /** One EMA step with momentum {@code tau} in [0, 1]. */
    public void update(double tau) {
        if (!(tau >= 0 && tau <= 1)) {
            throw new IllegalArgumentException("teacher momentum must be in [0, 1], got " + tau);
        }
        float keep = (float) tau;
        float take = (float) (1 - tau);
        if (!flatRuns.isEmpty()) {
            for (NDArray[] run : flatRuns) {
                run[1].muli(keep);
                try (NDArray part = run[0].mul(take)) {
                    run[1].addi(part);
                }
            }
            return;
        }
        student.forEach((name, s) -> {
            NDArray t = teacher.get(name).getArray();
            t.muli(keep);
            try (NDArray part = s.getArray().mul(take)) {
                t.addi(part);
            }
        });
    }

    /**
     * From now on, update the teacher with 2 operators per contiguous run of paired tensors instead of per tensor
     * (element for element the same arithmetic). Every student and teacher tensor must be in {@code studentFlat}
     * and {@code teacherFlat}.
     */
    public void useFlatBuffers(FlatParameters studentFlat, FlatParameters teacherFlat) {
        flatRuns.clear();
        long[] open = null; // {student offset, teacher offset, length}
        java.util.List<long[]> runs = new java.util.ArrayList<>();
        java.util.List<String> names = new java.util.ArrayList<>(teacher.keySet());
        names.sort((a, b) -> Long.compare(teacherFlat.offset(a), teacherFlat.offset(b)));
        for (String name : names) {
            long s = studentFlat.offset(name);
            long t = teacherFlat.offset(name);
            long n = studentFlat.length(name);
            if (open != null && open[0] + open[2] == s && open[1] + open[2] == t) {
                open[2] += n;
            } else {
                open = new long[] {s, t, n};
                runs.add(open);
            }
        }
        for (long[] r : runs) {
            NDArray sv = FlatParameters.slice(studentFlat.buffer(), r[0], r[0] + r[2]);
            NDArray tv = FlatParameters.slice(teacherFlat.buffer(), r[1], r[1] + r[2]);
            sv.attach(studentFlat.buffer().getManager());
            tv.attach(teacherFlat.buffer().getManager());
            flatRuns.add(new NDArray[] {sv, tv});
        }
    }

    public Map<String, Parameter> teacherParameters() {
        return teacher;
    }

    /** The teacher's tensors by the student's names. */
    @Override
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> out = new java.util.LinkedHashMap<>();
        teacher.forEach((name, p) -> out.put(name, p.getArray()));
        return out;
    }
}
