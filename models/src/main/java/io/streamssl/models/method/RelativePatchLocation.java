package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.MlpHead;
import io.streamssl.models.loss.PretextClassificationLoss;
import java.util.List;

/**
 * Relative patch location, or context prediction (Doersch, Gupta &amp; Efros 2015, "Unsupervised Visual
 * Representation Learning by Context Prediction"): given a patch and one of its 8 neighbours, tell where the
 * neighbour lay (0 top-left … 7 bottom-right, row-major): an 8-way classification ({@link
 * PretextClassificationLoss}). The views come in pairs from the pipeline's {@code relative-patch} preset: view 2p
 * the centre patch, view 2p + 1 a neighbour cut from the same region with the paper's gap (half a patch) and
 * jitter (7/96 of a patch), each patch keeping one colour channel (the paper's colour dropping, against chromatic
 * aberration); the neighbour view's target is its position ({@link SslMethod.BatchContext#viewTargets}).
 *
 * <p>The paper's late fusion (§3, figure 3): both patches go through the shared encoder separately, then a shared
 * per-patch layer (fc6), the two outputs concatenated, centre first, a hidden layer (fc7) and the 8 logits (fc8).
 *
 * <p>What differs: the encoder is the shared ResNet on patches of round(size · 96/224) px, 14 at 32 (the paper's
 * AlexNet-style net on 96 px patches); fc6 and fc7 are Linear-BN-ReLU scaled from 4096 to 512 and 1024 for
 * ResNet-18's 512 features; the pairs are cut from a random resized crop (scale 0.5–1) of the image rather than
 * the whole image resized, and without the paper's random downsampling of patches. The probe's features of an
 * image are its centre patch's.
 *
 * <p>Options: {@code pairs} (1 pair per image), {@code patch-dim} (fc6, 512), {@code head-hidden} (fc7, 1024). The
 * paper trains with SGD; the default is AlexNet's Caffe recipe it starts from, 0.01 for batch 256 (momentum 0.9,
 * weight decay 5e-4), scaled with the batch.
 */
public final class RelativePatchLocation extends ViewTargetMethod {

    public static final String NAME = "relative-patch-location";
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "Relative patch location (Doersch et al. 2015): which of 8 neighbours of a centre patch",
            OptimizerDefaults.scaled("sgd", 0.01, 256), RelativePatchLocation::new);

    /** The classes: the centre's 8 neighbours. */
    static final int POSITIONS = 8;

    private final int pairs;
    private final MlpHead patchSpec;
    private final MlpHead classifierSpec;
    private final PretextClassificationLoss loss = new PretextClassificationLoss();
    private Block patchHead; // fc6, shared by both patches
    private Block classifier; // fc7, fc8 over the concatenated pair

    public RelativePatchLocation(MethodSettings settings) {
        super(NAME, settings);
        pairs = intOption("pairs", 1, 1);
        patchSpec = MlpHead.builder().addLayer(intOption("patch-dim", 512, 1), true, true).build();
        classifierSpec = MlpHead.projection(2, intOption("head-hidden", 1024, 1), POSITIONS, true, false);
        rejectUnknownOptions();
    }

    /** The patch side for images of side {@code imageSize}: the paper's 96 px at 224, scaled, at least 8. */
    static int patchSize(int imageSize) {
        return Math.max(8, (int) Math.round(imageSize * 96.0 / 224));
    }

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return ViewPlan.of(2 * pairs, patchSize(imageSize), AugmentationPresetName.RELATIVE_PATCH.configName(),
                List.of());
    }

    @Override
    protected void createHeads(Shape features) {
        long n = features.get(0);
        patchHead = addStudent("patch-head", patchSpec.block(), new Shape(2 * pairs * n, features.get(1)));
        classifier = addStudent("classifier", classifierSpec.block(), new Shape(pairs * n, 2L * patchSpec.outDim()));
    }

    @Override
    public Forward forwardBatch(ParameterStore ps, List<NDArray> views, BatchContext context, long step) {
        requireViews(views);
        int n = Math.toIntExact(views.get(0).getShape().get(0));
        int[] labels = new int[pairs * n]; // pair-major
        NDList centres = new NDList();
        NDList neighbours = new NDList();
        for (int p = 0; p < pairs; p++) {
            System.arraycopy(context.targets(2 * p + 1, NAME), 0, labels, p * n, n);
            centres.add(views.get(2 * p));
            neighbours.add(views.get(2 * p + 1));
        }
        long m = (long) pairs * n;
        // one encoder batch, all centres then all neighbours (batch-norm statistics over both)
        NDArray y = encode(ps, NDArrays.concat(new NDList(NDArrays.concat(centres), NDArrays.concat(neighbours))));
        NDArray z = run(patchHead, ps, y);
        NDArray fused = z.get("0:" + m).concat(z.get(m + ":"), 1); // (pairs·N, 2·fc6): late fusion, centre first
        NDArray logits = run(classifier, ps, fused);
        NDArray l = loss.compute(logits, y.getManager().create(labels));
        return new Forward(l, y.get("0:" + n), logits.get("0:" + n));
    }
}
