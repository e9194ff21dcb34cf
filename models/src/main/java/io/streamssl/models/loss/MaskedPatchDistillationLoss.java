package io.streamssl.models.loss;

import ai.djl.ndarray.NDArray;
import io.streamssl.models.tensor.NativeScalar;

/**
 * iBOT's masked-image-modelling loss (Zhou et al. 2022, "iBOT: Image BERT Pre-Training with Online Tokenizer",
 * eq. 2 and the official {@code iBOTLoss}): for each patch the student saw masked, the cross-entropy of the
 * student's patch distribution {@code log_softmax(s/T_s)} against the teacher's (the online tokenizer, which saw
 * the patch) centred and sharpened, {@code softmax((t − c)/T_t)}; averaged over each image's masked patches,
 * then over the images. The rows are the masked patches of all images, gathered; {@code weights} carries the
 * averaging: 1/(masked patches of its image × images) for each row, so the weighted sum is iBOT's mean.
 *
 * <p>Shapes: student and teacher (M, K), center (1, K), weights (M); returns a scalar. The teacher side is
 * detached.
 */
public final class MaskedPatchDistillationLoss {

    private static final String NAME = "masked patch distillation loss";

    private final double studentTemperature;

    public MaskedPatchDistillationLoss(double studentTemperature) {
        LossInputs.requireTemperature(NAME, "student temperature", studentTemperature);
        this.studentTemperature = studentTemperature;
    }

    public NDArray compute(NDArray student, NDArray teacher, NDArray center, double teacherTemperature,
            NDArray weights) {
        LossInputs.requireMatrix(NAME, "the student's patch outputs", student, 1);
        LossInputs.requireSameShape(NAME, student, teacher);
        long m = student.getShape().get(0);
        if (weights.getShape().dimension() != 1 || weights.getShape().get(0) != m) {
            throw new IllegalArgumentException(NAME + ": need one weight per masked patch, (" + m + "), got "
                    + weights.getShape());
        }
        NDArray target = DinoLoss.teacherTargets(teacher, center, teacherTemperature);
        NDArray logProb = NativeScalar.div(student, studentTemperature).logSoftmax(1);
        NDArray perPatch = target.mul(logProb).sum(new int[] {1}).neg(); // (M)
        return perPatch.mul(weights.stopGradient()).sum();
    }
}
