package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import io.streamssl.models.tensor.NativeScalar;

/**
 * SEED's similarity-distribution loss (Fang et al. 2021, "SEED: Self-supervised Distillation for Visual
 * Representation", eq. 4): the teacher's embedding z_t of an image is scored against itself and against the K
 * teacher embeddings of a queue D, the student's embedding z_s against the same K + 1 anchors [z_t, D]; the student
 * learns the teacher's distribution over them,
 * {@code p_t = softmax([z_t·z_t, z_t·D] / τ_t)}, {@code p_s = softmax([z_s·z_t, z_s·D] / τ_s)},
 * {@code L = −Σ_j p_t,j log p_s,j}, averaged over the batch.
 *
 * <p>Shapes: student and teacher (N, d), row n of both from the same image; queue (K, d) with K ≥ 0, rows
 * L2-normalised already (how a {@link io.streamssl.models.state.FeatureQueue} stores them); only the rows written so
 * far are passed (an empty queue gives one anchor, z_t, and a loss of 0). Student and teacher are normalised here;
 * the teacher is detached (it is a frozen network's output; the targets p_t carry no gradient). Valid temperatures:
 * any τ &gt; 0 (the paper: τ_s 0.2, τ_t 0.01).
 */
public final class SeedLoss {

    private static final String NAME = "seed loss";

    private final double studentTemperature;
    private final double teacherTemperature;

    public SeedLoss(double studentTemperature, double teacherTemperature) {
        LossInputs.requireTemperature(NAME, "student temperature", studentTemperature);
        LossInputs.requireTemperature(NAME, "teacher temperature", teacherTemperature);
        this.studentTemperature = studentTemperature;
        this.teacherTemperature = teacherTemperature;
    }

    public NDArray compute(NDArray student, NDArray teacher, NDArray queue) {
        LossInputs.requireMatrix(NAME, "student", student, 1);
        LossInputs.requireSameShape(NAME, student, teacher);
        if (queue.getShape().dimension() != 2 || queue.getShape().get(1) != student.getShape().get(1)) {
            throw new IllegalArgumentException(NAME + ": queue must be (K, " + student.getShape().get(1) + "), got "
                    + queue.getShape());
        }
        NDArray s = NormalizedMseLoss.l2Normalize(student);
        NDArray t = NormalizedMseLoss.l2Normalize(teacher.stopGradient());
        NDArray studentLogits = s.mul(t).sum(new int[] {1}, true); // (N, 1)
        NDArray teacherLogits = t.mul(t).sum(new int[] {1}, true);
        if (queue.getShape().get(0) > 0) {
            // x·Dᵀ with x first: the result belongs to x's (step) manager, not to the long-lived queue's
            studentLogits = studentLogits.concat(Linear.linear(s, queue).singletonOrThrow(), 1);
            teacherLogits = teacherLogits.concat(Linear.linear(t, queue).singletonOrThrow(), 1);
        }
        NDArray target = NativeScalar.div(teacherLogits, teacherTemperature).softmax(1);
        NDArray logProb = NativeScalar.div(studentLogits, studentTemperature).logSoftmax(1);
        return target.mul(logProb).sum(new int[] {1}).mean().neg();
    }
}
