package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.DinoHead;
import io.streamssl.models.loss.DinoLoss;
import io.streamssl.models.state.DinoCenter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DINO (Caron et al. 2021): self-distillation without labels. The student (encoder → {@link DinoHead}) sees
 * every crop, 2 global and several local; the momentum teacher sees the global crops only, its outputs centred
 * by a running {@link DinoCenter} and sharpened by a temperature that warms up linearly from
 * {@code teacher-temperature} to {@code teacher-temperature-end}. Teacher τ 0.996 → 1.
 *
 * <p>Options: {@code out-dim} (4096), {@code head-hidden} (2048), {@code head-bottleneck} (256),
 * {@code student-temperature} (0.1), {@code teacher-temperature} (0.04), {@code teacher-temperature-end}
 * (0.07), {@code teacher-temperature-warmup-steps} (30 % of the schedule: 30 of DINO's 100 epochs),
 * {@code center-momentum} (0.9), {@code freeze-last-layer-steps} (0; DINO freezes one epoch),
 * {@code local-views} (6), {@code local-size} (96/224 of the image), {@code tau-base} (0.996), {@code tau-end},
 * {@code augmentation}.
 */
public final class Dino extends MomentumMethod {

    public static final String NAME = "dino";
    // Published: AdamW at 0.0005 × batch/256 for ViTs (Caron et al. 2021), solo-learn's CIFAR config (ResNet-18)
    // LARS at 0.3. SGD at 0.05 trains the ResNet stably (MethodDefaultsTrainingTest), so it stays.
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "DINO (Caron et al. 2021): self-distillation, centred and sharpened teacher, multi-crop",
            MethodDescriptor.SGD_DEFAULTS, Dino::new);

    private final DinoLoss loss;
    private final int outDim;
    private final int hidden;
    private final int bottleneck;
    private final double teacherTemperature;
    private final double teacherTemperatureEnd;
    private final int warmupSteps;
    private final double centerMomentum;
    private final int freezeLastLayerSteps;
    private final MultiCrop multiCrop;
    private DinoHead head;
    private DinoCenter center;
    private List<NDArray> pendingTeacherOutputs; // the centre moves after backward, which still reads it

    public Dino(MethodSettings settings) {
        super(NAME, settings, 0.996, 1.0);
        outDim = intOption("out-dim", 4096, 2);
        hidden = intOption("head-hidden", 2048, 1);
        bottleneck = intOption("head-bottleneck", 256, 1);
        loss = new DinoLoss(doubleOption("student-temperature", 0.1, 1e-3, 10));
        teacherTemperature = doubleOption("teacher-temperature", 0.04, 1e-3, 10);
        teacherTemperatureEnd = doubleOption("teacher-temperature-end", 0.07, 1e-3, 10);
        warmupSteps = intOption("teacher-temperature-warmup-steps",
                (int) Math.min(Integer.MAX_VALUE, settings.scheduleSteps() * 3 / 10), 0);
        centerMomentum = doubleOption("center-momentum", 0.9, 0, 0.999999);
        freezeLastLayerSteps = intOption("freeze-last-layer-steps", 0, 0);
        multiCrop = multiCrop(2, 6);
        rejectUnknownOptions();
    }

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return multiCrop.plan(imageSize, "dino");
    }

    @Override
    protected void createHeads(Shape features) {
        head = (DinoHead) addPaired("head", () -> new DinoHead(hidden, bottleneck, outDim), features);
        center = addState("center", new DinoCenter(manager, outDim, centerMomentum));
    }

    /** The teacher temperature at {@code step}: linear warm-up, then constant. */
    public double teacherTemperature(long step) {
        if (step >= warmupSteps) {
            return teacherTemperatureEnd;
        }
        return teacherTemperature + (teacherTemperatureEnd - teacherTemperature) * step / warmupSteps;
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        requireViews(views);
        List<NDArray> student = new ArrayList<>(views.size());
        NDArray y0 = encode(ps, views.get(0));
        NDList out0 = head.forward(ps, new NDList(y0), true);
        student.add(out0.get(0));
        for (NDArray view : views.subList(1, views.size())) {
            student.add(run(head, ps, encode(ps, view)));
        }
        List<NDArray> teacher = new ArrayList<>(multiCrop.globalViews());
        for (int v = 0; v < multiCrop.globalViews(); v++) {
            teacher.add(teacher("head", ps, teacher("encoder", ps, views.get(v))));
        }
        pendingTeacherOutputs = teacher;
        NDArray total = loss.compute(student, teacher, center.value(), teacherTemperature(step));
        return new Forward(total, y0, out0.get(1)); // the bottleneck embedding: logits are cosines to 4096 prototypes
    }

    @Override
    public void beforeOptimizerStep(long step) {
        if (step < freezeLastLayerSteps) {
            cancelGradient(head.lastLayer());
        }
    }

    @Override
    public void afterOptimizerStep(long step) {
        super.afterOptimizerStep(step);
        center.update(pendingTeacherOutputs);
        pendingTeacherOutputs = null;
    }

    @Override
    public Map<String, Double> scalars(long step) {
        Map<String, Double> out = super.scalars(step);
        out.put("teacher-temperature", teacherTemperature(step));
        return out;
    }
}
