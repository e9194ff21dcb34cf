package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.encoder.VisionTransformer;
import io.streamssl.models.head.DinoHead;
import io.streamssl.models.head.MaskToken;
import io.streamssl.models.loss.DinoLoss;
import io.streamssl.models.loss.MaskedPatchDistillationLoss;
import io.streamssl.models.state.DinoCenter;
import io.streamssl.models.tensor.NativeScalar;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * iBOT (Zhou et al. 2022, "iBOT: Image BERT Pre-Training with Online Tokenizer"): DINO's self-distillation on the
 * class token plus masked image modelling distilled from the momentum teacher, the online tokenizer. Each global
 * crop is shown to the student with part of its patches masked ({@link BlockwiseMask}: a ratio drawn per image
 * from 0.3 ± 0.2, blockwise), their embeddings replaced by a learned {@link MaskToken}; the teacher sees the crop
 * whole. Two losses, summed with weight 1 each as the paper's:
 * <ul>
 *   <li>class token ({@link DinoLoss}): the teacher's centred, sharpened distribution of one global crop against
 *       the student's of every other crop (the masked global ones and the unmasked local ones);
 *   <li>patches ({@link MaskedPatchDistillationLoss}): on each global crop, for each masked patch, the teacher's
 *       distribution of that patch (centred by a second {@link DinoCenter}) against the student's, averaged over
 *       the image's masked patches, then over images and the two crops.
 * </ul>
 * One {@link DinoHead} projects class and patch tokens (iBOT's shared head), student and teacher each; teacher
 * EMA τ 0.996 → 1; teacher temperature 0.04 → 0.07 over the first 30 % of the schedule, for both tokens.
 *
 * <p>What differs from the paper, for a CPU: the patch head runs on the masked patches only, the teacher's too
 * (iBOT projects every patch token), so the patch centre is the mean of the teacher's outputs over the masked
 * patches rather than over all: the masks are random, so it estimates the same mean. 4096 outputs (the paper's
 * 8192), 6 local crops (10), every image masked (the paper's ratio schedule and prediction start epoch are not
 * here). The features the probe reads are the student's class token of the first, masked, global crop.
 *
 * <p>Options: {@code out-dim} (4096), {@code head-hidden} (2048), {@code head-bottleneck} (256),
 * {@code student-temperature} (0.1), {@code teacher-temperature} (0.04), {@code teacher-temperature-end} (0.07),
 * {@code teacher-temperature-warmup-steps} (30 % of the schedule), {@code center-momentum} (0.9),
 * {@code mask-ratio} (0.3), {@code mask-ratio-var} (0.2), {@code mask-shape} (block or random),
 * {@code patch-loss-weight} (1), {@code local-views} (6), {@code local-size}, {@code tau-base} (0.996),
 * {@code tau-end} (1), {@code augmentation}. ViT encoders only.
 */
public final class Ibot extends MomentumMethod {

    public static final String NAME = "ibot";
    // Published: AdamW at 5e-4 × batch/256, weight decay 0.04 → 0.4 (Zhou et al. 2022, as DINO's for ViTs).
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "iBOT (Zhou et al. 2022): DINO on the class token plus masked-patch distillation from the teacher",
            OptimizerDefaults.scaled("adamw", 5e-4, 256), Ibot::new);

    private final DinoLoss clsLoss;
    private final MaskedPatchDistillationLoss patchLoss;
    private final int outDim;
    private final int hidden;
    private final int bottleneck;
    private final double teacherTemperature;
    private final double teacherTemperatureEnd;
    private final int warmupSteps;
    private final double centerMomentum;
    private final double maskRatio;
    private final double maskRatioVar;
    private final boolean blockMask;
    private final double patchLossWeight;
    private final MultiCrop multiCrop;
    private VisionTransformer vit;
    private VisionTransformer teacherVit;
    private DinoHead head;
    private MaskToken maskToken;
    private DinoCenter center;
    private DinoCenter patchCenter;
    private int side; // patches per side of a global crop
    private List<NDArray> pendingCls; // the centres move after backward, which still reads them
    private List<NDArray> pendingPatches;

    public Ibot(MethodSettings settings) {
        super(NAME, settings, 0.996, 1.0);
        outDim = intOption("out-dim", 4096, 2);
        hidden = intOption("head-hidden", 2048, 1);
        bottleneck = intOption("head-bottleneck", 256, 1);
        double studentTemperature = doubleOption("student-temperature", 0.1, 1e-3, 10);
        clsLoss = new DinoLoss(studentTemperature);
        patchLoss = new MaskedPatchDistillationLoss(studentTemperature);
        teacherTemperature = doubleOption("teacher-temperature", 0.04, 1e-3, 10);
        teacherTemperatureEnd = doubleOption("teacher-temperature-end", 0.07, 1e-3, 10);
        warmupSteps = intOption("teacher-temperature-warmup-steps",
                (int) Math.min(Integer.MAX_VALUE, settings.scheduleSteps() * 3 / 10), 0);
        centerMomentum = doubleOption("center-momentum", 0.9, 0, 0.999999);
        maskRatio = doubleOption("mask-ratio", 0.3, 0, 0.99);
        maskRatioVar = doubleOption("mask-ratio-var", 0.2, 0, 0.99);
        if (!(maskRatio - maskRatioVar >= 0 && maskRatio + maskRatioVar < 1)) {
            throw new IllegalArgumentException(NAME + ": options 'mask-ratio' ± 'mask-ratio-var' must stay in [0, 1),"
                    + " got " + maskRatio + " ± " + maskRatioVar);
        }
        String shape = stringOption("mask-shape", "block");
        if (!shape.equals("block") && !shape.equals("random")) {
            throw new IllegalArgumentException(NAME + ": option 'mask-shape' must be block or random, got '" + shape
                    + "'");
        }
        blockMask = shape.equals("block");
        patchLossWeight = doubleOption("patch-loss-weight", 1.0, 0, 100);
        multiCrop = multiCrop(2, 6);
        rejectUnknownOptions();
    }

    /** Fails unless the encoder is a vision transformer: masking replaces patch tokens, which a ResNet has not. */
    @Override
    public void requireReadyToTrain() {
        settings.encoder().requireTransformerFor(NAME);
    }

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return multiCrop.plan(imageSize, "dino");
    }

    @Override
    protected Block createEncoder(Shape viewShape) {
        requireReadyToTrain();
        Block encoder = super.createEncoder(viewShape);
        vit = (VisionTransformer) encoder;
        teacherVit = (VisionTransformer) teacherBlock("encoder");
        side = (int) (viewShape.get(2) / vit.patchSize());
        return encoder;
    }

    @Override
    protected void createHeads(Shape features) {
        head = (DinoHead) addPaired("head", () -> new DinoHead(hidden, bottleneck, outDim), features);
        maskToken = addStudent("mask_token", new MaskToken(vit.dim()), new Shape(1, vit.dim()));
        center = addState("center", new DinoCenter(manager, outDim, centerMomentum));
        patchCenter = addState("patch-center", new DinoCenter(manager, outDim, centerMomentum));
    }

    /** The teacher temperature at {@code step}: linear warm-up, then constant. */
    public double teacherTemperature(long step) {
        if (step >= warmupSteps) {
            return teacherTemperatureEnd;
        }
        return teacherTemperature + (teacherTemperatureEnd - teacherTemperature) * step / warmupSteps;
    }

    /** The masks of global crop {@code view} at {@code step}: a function of both, nothing to checkpoint. */
    BlockwiseMask mask(int images, int view, long step) {
        return BlockwiseMask.sample(images, side, maskRatio, maskRatioVar, blockMask,
                0x69424F54L ^ (step * 0x9E3779B97F4A7C15L) ^ ((view + 1L) * 0xBF58476D1CE4E5B9L));
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        requireViews(views);
        NDArray first = views.get(0);
        int n = (int) first.getShape().get(0);
        int tokens = 1 + side * side;
        NDManager arrays = first.getManager();
        NDArray token = maskToken.forward(ps, new NDList(first), true).singletonOrThrow();
        double tt = teacherTemperature(step);
        List<NDArray> studentCls = new ArrayList<>(views.size());
        List<NDArray> teacherCls = new ArrayList<>(multiCrop.globalViews());
        List<NDArray> teacherPatches = new ArrayList<>(multiCrop.globalViews());
        NDArray features = null;
        NDArray embedding = null;
        NDArray patchTotal = null;
        for (int v = 0; v < multiCrop.globalViews(); v++) {
            BlockwiseMask mask = mask(n, v, step);
            float[] flat = new float[n * side * side];
            long[] rows = new long[java.util.Arrays.stream(mask.counts()).sum()];
            float[] weights = new float[rows.length];
            int j = 0;
            for (int i = 0; i < n; i++) {
                for (int t = 0; t < side * side; t++) {
                    flat[i * side * side + t] = mask.masked()[i][t];
                    if (mask.masked()[i][t] != 0) {
                        rows[j] = (long) i * tokens + 1 + t; // row of the patch in the (N·(1+T), D) tokens
                        weights[j++] = 1f / (mask.counts()[i] * n);
                    }
                }
            }
            NDArray view = views.get(v);
            NDArray masked = arrays.create(flat, new Shape(n, side * side)).toDevice(view.getDevice(), false);
            NDArray index = arrays.create(rows).toDevice(view.getDevice(), false);
            NDArray s = vit.forwardMasked(ps, view, masked, token, true); // (N, 1+T, D)
            NDArray sIn = s.get(":, 0").concat(s.reshape(n * tokens, -1).get(index), 0);
            NDList sOut = head.forward(ps, new NDList(sIn), true);
            NDArray t = teacherVit.forwardMasked(ps, view, null, null, true).stopGradient();
            NDArray tIn = t.get(":, 0").concat(t.reshape(n * tokens, -1).get(index), 0);
            NDArray tOut = teacher("head", ps, tIn);
            studentCls.add(sOut.get(0).get("0:" + n));
            teacherCls.add(tOut.get("0:" + n));
            NDArray tPatch = tOut.get(n + ":");
            teacherPatches.add(tPatch);
            NDArray patch = patchLoss.compute(sOut.get(0).get(n + ":"), tPatch, patchCenter.value(), tt,
                    arrays.create(weights).toDevice(view.getDevice(), false));
            patchTotal = patchTotal == null ? patch : patchTotal.add(patch);
            if (v == 0) {
                features = s.get(":, 0");
                embedding = sOut.get(1).get("0:" + n);
            }
        }
        for (NDArray view : views.subList(multiCrop.globalViews(), views.size())) {
            studentCls.add(run(head, ps, encode(ps, view)));
        }
        pendingCls = teacherCls;
        pendingPatches = teacherPatches;
        NDArray total = clsLoss.compute(studentCls, teacherCls, center.value(), tt)
                .add(NativeScalar.mul(patchTotal, patchLossWeight / multiCrop.globalViews()));
        return new Forward(total, features, embedding);
    }

    @Override
    public void afterOptimizerStep(long step) {
        super.afterOptimizerStep(step);
        center.update(pendingCls);
        patchCenter.update(pendingPatches);
        pendingCls = null;
        pendingPatches = null;
    }

    @Override
    public Map<String, Double> scalars(long step) {
        Map<String, Double> out = super.scalars(step);
        out.put("teacher-temperature", teacherTemperature(step));
        return out;
    }
}
