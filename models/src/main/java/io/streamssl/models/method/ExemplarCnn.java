package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import io.streamssl.models.GradMode;
import io.streamssl.models.loss.NormalizedMseLoss;
import io.streamssl.models.loss.PretextClassificationLoss;
import io.streamssl.models.state.ExemplarSlots;
import io.streamssl.models.tensor.TensorCodec;
import java.util.List;
import java.util.Map;

/**
 * Exemplar-CNN (Dosovitskiy et al. 2014, "Discriminative Unsupervised Feature Learning with Convolutional Neural
 * Networks"): every image is a surrogate class whose members are its random transformations; the network is
 * trained to classify each transformed view to its image: encoder → linear classifier over the classes →
 * cross-entropy ({@link PretextClassificationLoss}).
 *
 * <p>What changes on a stream: the paper fixes a set of 8000-32000 exemplars up front and draws 100-150
 * transformations of each. A stream has no fixed set, so the classes are a bounded rolling set of K exemplars
 * ({@link ExemplarSlots}): each image holds a slot, keyed by its id, from its first visit until K newer images
 * have pushed it out (first in first out). An image not in the set takes the oldest slot on arrival, and that
 * slot's weight row starts again: in the step's classifier pass it reads (without gradient) as the
 * L2-normalised mean of the new image's features over its views ({@code slot-init=imprint}, weight imprinting,
 * Qi et al. 2018) or at zero ({@code slot-init=zero}). Both are deterministic, so a resumed run re-initialises as
 * the uninterrupted one. Imprinting is the default because a stream visits most images once (bench quality's
 * 12,800 images are a quarter of CIFAR-10's training set): a zero row gives the views of a new image no class to
 * be pulled towards, so training learns little (measured on the smoke test, 100 steps: loss 4.19 → 4.18 at
 * log 64 = 4.16 with zero rows, 3.38 → 2.05 imprinted); an imprinted row makes each view's positive its image's
 * other views and its negatives the other exemplars' rows, and a revisit trains the row as the paper's. Each visit
 * brings {@code views} transformations of the image (the preset's crops and colour, strong as the paper's), all
 * in one batch and all labelled with its slot; the paper's 100-150 come only to an image the stream repeats that
 * often. The classifier is linear without bias (all slots are equally likely under FIFO) on the encoder's pooled
 * features (the paper's networks end in a fully connected layer before the softmax). The softmax runs over the
 * slots that hold an image: while the set fills, thousands of empty slots would each take a share of it, and
 * raising every filled class above them pulled all features towards one direction (at the defaults, 4,096 slots
 * and batch 16, the encoder's feature spread fell to 0.4 of its initial one in 16 steps). The optimiser's slots (momentum) of a re-initialised row are the trainer's and are not
 * reset: they decay at its momentum. Images without ids (a batch made outside the pipeline) are new classes every
 * step.
 *
 * <p>The new rows are written into the weight after the optimiser step, with the slot table, so a skipped step
 * (non-finite loss) leaves both as they were; writing during the forward pass would bump the version of the
 * flat parameter buffer that autograd's saved tensors share.
 *
 * <p>Options: {@code exemplars} (4096, K; at least the batch size), {@code views} (4), {@code slot-init}
 * (imprint), {@code augmentation}. The
 * paper trains with SGD at 0.01 for batch 128 (momentum 0.9); the default here is the trainer's SGD at 0.05.
 */
public final class ExemplarCnn extends BaseMethod {

    public static final String NAME = "exemplar-cnn";
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "Exemplar-CNN (Dosovitskiy et al. 2014): each image a surrogate class, a rolling set of the K latest",
            MethodDescriptor.SGD_DEFAULTS, ExemplarCnn::new);

    private static final long ANONYMOUS = Long.MIN_VALUE;

    private final int exemplars;
    private final int views;
    private final boolean imprint;
    private final PretextClassificationLoss loss = new PretextClassificationLoss();
    private Block classifier;
    private Parameter weight;
    private ExemplarSlots slots;
    private ExemplarSlots.Plan pending; // this step's slots, written after the optimiser step
    private Restart pendingRestart; // and the fresh slots' weight rows
    private double hitFraction;

    public ExemplarCnn(MethodSettings settings) {
        super(NAME, settings);
        exemplars = intOption("exemplars", 4096, 1);
        views = intOption("views", 4, 1);
        String init = stringOption("slot-init", "imprint");
        if (!init.equals("imprint") && !init.equals("zero")) {
            throw new IllegalArgumentException(NAME + ": option 'slot-init' must be imprint or zero, got '" + init + "'");
        }
        imprint = init.equals("imprint");
        int batch = settings.batchSize();
        requireFitsBatch(exemplars >= batch, "exemplars", "%1$s = " + exemplars + " must be at least %2$s = "
                + batch + " (every image of a batch needs its own class); allowed are %1$s >= " + batch
                + ", or %2$s <= " + exemplars);
        rejectUnknownOptions();
    }

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return ViewPlan.of(views, imageSize, preset(imageSize, "cifar-symmetric", "simclr"), List.of());
    }

    @Override
    protected void createHeads(Shape features) {
        classifier = addStudent("classifier", Linear.builder().setUnits(exemplars).optBias(false).build(),
                new Shape(views * features.get(0), features.get(1)));
        weight = classifier.getParameters().get("weight");
        NDArray w = weight.getArray();
        // every row starts at zero (deterministic); a slot is a class only once an image takes it and restarts its row
        GradMode.paused(() -> {
            try (NDManager scratch = manager.newSubManager()) {
                TensorCodec.copy(scratch.zeros(w.getShape()), w);
            }
        });
        slots = addState("slots", new ExemplarSlots("exemplar-cnn slots", manager, exemplars));
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        return forward(ps, views, null, step);
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long[] instanceIds, long step) {
        requireViews(views);
        int n = Math.toIntExact(views.get(0).getShape().get(0));
        ExemplarSlots.Plan plan = slots.plan(instanceIds != null ? instanceIds : anonymous(step, n));
        int[] labels = new int[views.size() * n]; // view-major, as the views are stacked
        for (int v = 0; v < views.size(); v++) {
            System.arraycopy(plan.slots(), 0, labels, v * n, n);
        }
        NDArray y = encode(ps, NDArrays.concat(new NDList(views))); // (V·N, d): every view in one batch
        NDManager arrays = y.getManager();
        Restart restart = restart(arrays, plan, y);
        NDArray w = ps.getValue(weight, y.getDevice(), true);
        // the fresh rows read as their new start, taking no gradient: the old rows belong to evicted images
        NDArray keep = restart.fresh().logicalNot().toType(w.getDataType(), false);
        NDArray effective = keep.mul(w).add(restart.fresh().toType(w.getDataType(), false).mul(restart.rows()));
        // the classes are the slots that hold an image, [0, filled) after this batch: an empty slot is no class
        NDArray logits = y.matMul(effective.get("0:" + plan.filled()).transpose());
        NDArray l = loss.compute(logits, arrays.create(labels));
        pending = plan;
        pendingRestart = restart;
        hitFraction = (double) plan.hits() / n;
        NDArray features = y.get("0:" + n);
        // the pooled features of view 0: the probe's and the collapse watch's
        return new Forward(l, features, features);
    }

    /**
     * A step's new weight rows: (K, 1) {@code fresh}, true for the slots new images took, and (K, d) {@code rows},
     * detached, there the normalised mean of the new image's features over its views ({@code imprint}) or zero.
     */
    private record Restart(NDArray fresh, NDArray rows) {}

    private Restart restart(NDManager arrays, ExemplarSlots.Plan plan, NDArray features) {
        boolean[] isFresh = new boolean[exemplars];
        long[] image = new long[exemplars]; // for each fresh slot, the first image of the batch that took it
        for (int r : plan.fresh()) {
            isFresh[r] = true;
        }
        for (int i = plan.slots().length - 1; i >= 0; i--) {
            image[plan.slots()[i]] = i;
        }
        NDArray fresh = arrays.create(isFresh).reshape(exemplars, 1).toDevice(features.getDevice(), false);
        NDArray rows;
        if (imprint) {
            int n = plan.slots().length;
            NDArray mean = features.stopGradient().reshape(views, n, -1).mean(new int[] {0});
            rows = NormalizedMseLoss.l2Normalize(mean).get(arrays.create(image).toDevice(features.getDevice(), false));
        } else {
            rows = arrays.zeros(new Shape(exemplars, features.getShape().get(1)), features.getDataType(),
                    features.getDevice());
        }
        return new Restart(fresh, rows);
    }

    /** Writes the fresh rows' new start into the weight, after the optimiser step (which they took no part in). */
    private void writeRestart(Restart restart) {
        if (pending.fresh().length == 0) {
            return;
        }
        NDArray w = weight.getArray();
        try (NDManager scratch = restart.rows().getManager().newSubManager()) {
            NDArray updated = NDArrays.where(restart.fresh().broadcast(w.getShape()), restart.rows(), w);
            updated.attach(scratch); // made beside the parameter: the scratch owns it
            TensorCodec.copy(updated, w);
        }
    }

    /** Ids no other image has: {@code ANONYMOUS + step·2²⁴ + i}, distinct for batches below 2²⁴ images. */
    private static long[] anonymous(long step, int n) {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = ANONYMOUS + (step << 24) + i;
        }
        return ids;
    }

    @Override
    public void afterOptimizerStep(long step) {
        writeRestart(pendingRestart);
        slots.apply(pending);
        pending = null;
        pendingRestart = null;
    }

    /** {@code exemplar-hits}: the share of the last batch's images that already had a class. */
    @Override
    public Map<String, Double> scalars(long step) {
        return Map.of("exemplar-hits", hitFraction);
    }
}
