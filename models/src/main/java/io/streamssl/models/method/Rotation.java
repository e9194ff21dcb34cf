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
 * Rotation prediction (Gidaris et al. 2018, "Unsupervised Representation Learning by Predicting Image
 * Rotations"): each image is shown turned by 0, 90, 180 and 270 degrees and the network learns to tell which:
 * encoder → classifier → 4 logits, cross-entropy against the quarter turns ({@link PretextClassificationLoss}).
 * The views come from the pipeline's {@code rotation} preset, which turns view v of an image v mod 4 times and
 * gives each view its turns as the target ({@link SslMethod.BatchContext#viewTargets}).
 *
 * <p>The paper's batch: all four rotations of every image in the same batch (§3.2, "we found it beneficial to
 * feed all four rotated copies of an image simultaneously"). Here too: the default 4 views of each image are its
 * four rotations, and the 4·N views go through the encoder as one batch (batch-norm statistics over all four, as
 * the paper's). What differs: each rotation is of its own crop and colour jitter (the pipeline makes every view
 * from its own seed), not four turns of one crop; and the classifier is a linear layer on the encoder's pooled
 * features (the paper's NIN classifies from its last conv blocks, its AlexNet from fully connected layers;
 * {@code head-hidden} &gt; 0 adds one hidden layer Linear-BN-ReLU). With a number of views not a multiple of 4 each
 * view's turns are drawn per view (the targets then say which). A batch without targets (made outside the
 * pipeline) is taken to be turned as the preset turns it, view v by v mod 4, which needs a multiple of 4 views.
 *
 * <p>Options: {@code views} (4), {@code head-hidden} (0: linear). The paper trains with SGD at 0.1 for batch 128
 * (momentum 0.9, weight decay 5e-4), the default here, scaled with the batch.
 */
public final class Rotation extends ViewTargetMethod {

    public static final String NAME = "rotation";
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "Rotation (Gidaris et al. 2018): predict the quarter turns of each image's four rotated views",
            OptimizerDefaults.scaled("sgd", 0.1, 128), Rotation::new);

    /** The four rotations: the classifier's classes. */
    static final int ROTATIONS = 4;

    private final int views;
    private final MlpHead classifierSpec;
    private final PretextClassificationLoss loss = new PretextClassificationLoss();
    private Block classifier;

    public Rotation(MethodSettings settings) {
        super(NAME, settings);
        views = intOption("views", ROTATIONS, 1);
        int hidden = intOption("head-hidden", 0, 0);
        classifierSpec = hidden == 0 ? MlpHead.projection(1, 1, ROTATIONS, false, false)
                : MlpHead.projection(2, hidden, ROTATIONS, true, false);
        rejectUnknownOptions();
    }

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return ViewPlan.of(views, imageSize, AugmentationPresetName.ROTATION.configName(), List.of());
    }

    @Override
    protected void createHeads(Shape features) {
        classifier = addStudent("classifier", classifierSpec.block(), new Shape(views * features.get(0),
                features.get(1)));
    }

    @Override
    public Forward forwardBatch(ParameterStore ps, List<NDArray> views, BatchContext context, long step) {
        requireViews(views);
        int n = Math.toIntExact(views.get(0).getShape().get(0));
        int[] labels = new int[views.size() * n]; // view-major, as the views are stacked
        for (int v = 0; v < views.size(); v++) {
            int[] turns = turns(context, v, n);
            System.arraycopy(turns, 0, labels, v * n, n);
        }
        NDArray y = encode(ps, NDArrays.concat(new NDList(views))); // (V·N, d): one batch, as the paper's
        NDArray logits = run(classifier, ps, y);
        NDArray l = loss.compute(logits, y.getManager().create(labels));
        // view 0 is upright (the preset's view 0 is turned 0 times): its features are the probe's
        return new Forward(l, y.get("0:" + n), logits.get("0:" + n));
    }

    private int[] turns(BatchContext context, int view, int n) {
        if (context.viewTargets() != null) {
            return context.targets(view, NAME);
        }
        if (views % ROTATIONS != 0) {
            throw new IllegalArgumentException(NAME + ": a batch without view targets is taken to be turned as the "
                    + "rotation preset turns a multiple of 4 views (view v by v mod 4); with option 'views' = "
                    + views + " the batch must carry its targets");
        }
        int[] out = new int[n];
        java.util.Arrays.fill(out, view % ROTATIONS);
        return out;
    }
}
