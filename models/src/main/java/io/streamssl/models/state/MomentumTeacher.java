package io.streamssl.models.state;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
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
        student.forEach((name, s) -> {
            NDArray t = teacher.get(name).getArray();
            t.muli(keep);
            try (NDArray part = s.getArray().mul(take)) {
                t.addi(part);
            }
        });
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
