package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;
import io.streamssl.models.tensor.NativeScalar;
import java.util.List;

/**
 * DINO's self-distillation loss (Caron et al. 2021, "Emerging Properties in Self-Supervised Vision
 * Transformers", eq. 3 and Algorithm 1). The teacher's outputs are centred and sharpened,
 * {@code P_t = softmax((g_t − c)/T_t)}, and the student's {@code log P_s = log_softmax(g_s/T_s)}; the loss is
 * the cross-entropy {@code −Σ_k P_t log P_s}, averaged over the batch and over every pair of a teacher view
 * with a <em>different</em> student view.
 *
 * <p>Shapes: each student and teacher output is (N, K); student view i and teacher view i are the same crop
 * (teacher views are the first global crops of the student list), so there are V_t·V_s − V_t pairs;
 * {@code center} is (1, K); returns a scalar. The teacher side is detached. Valid values: student temperature
 * T_s &gt; 0 (0.1), teacher temperature T_t &gt; 0 (0.04 warming up to 0.07; T_t &lt; T_s sharpens the
 * teacher, which with centering is what avoids collapse).
 */
public final class DinoLoss {

    private static final String NAME = "dino loss";

    private final double studentTemperature;

    public DinoLoss(double studentTemperature) {
        LossInputs.requireTemperature(NAME, "student temperature", studentTemperature);
        this.studentTemperature = studentTemperature;
    }

    public double studentTemperature() {
        return studentTemperature;
    }

    /** The teacher's targets: centred, sharpened and detached, (N, K) with rows summing to 1. */
    public static NDArray teacherTargets(NDArray teacherOutput, NDArray center, double teacherTemperature) {
        LossInputs.requireTemperature(NAME, "teacher temperature", teacherTemperature);
        return NativeScalar.div(teacherOutput.stopGradient().sub(center), teacherTemperature).softmax(1);
    }

    public NDArray compute(List<NDArray> student, List<NDArray> teacher, NDArray center, double teacherTemperature) {
        if (teacher.isEmpty() || student.size() < 2 || teacher.size() > student.size()) {
            throw new IllegalArgumentException(NAME + " needs at least 1 teacher view and 2 student views, and no "
                    + "more teacher than student views, got " + teacher.size() + " and " + student.size());
        }
        for (NDArray s : student) {
            LossInputs.requireMatrix(NAME, "a student output", s, 1);
            LossInputs.requireSameShape(NAME, s, teacher.get(0));
        }
        if (center.getShape().dimension() != 2 || center.getShape().get(0) != 1
                || center.getShape().get(1) != student.get(0).getShape().get(1)) {
            throw new IllegalArgumentException(NAME + ": center must be (1, " + student.get(0).getShape().get(1)
                    + "), got " + center.getShape());
        }
        NDArray total = null;
        int pairs = 0;
        for (int t = 0; t < teacher.size(); t++) {
            NDArray target = teacherTargets(teacher.get(t), center, teacherTemperature);
            for (int s = 0; s < student.size(); s++) {
                if (s == t) {
                    continue; // the same crop: DINO never matches a view with itself
                }
                NDArray logProb = NativeScalar.div(student.get(s), studentTemperature).logSoftmax(1);
                NDArray ce = target.mul(logProb).sum(new int[] {1}).mean().neg();
                total = total == null ? ce : total.add(ce);
                pairs++;
            }
        }
        return NativeScalar.div(total, pairs);
    }
}
