package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.MlpHead;
import io.streamssl.models.loss.PretextClassificationLoss;
import io.streamssl.models.pretext.PermutationSet;
import java.util.List;

/**
 * Jigsaw puzzles (Noroozi &amp; Favaro 2016, "Unsupervised Learning of Visual Representations by Solving Jigsaw
 * Puzzles"): a crop is cut into a 3×3 grid of tiles, shuffled by one of a fixed set of permutations, and the
 * network learns which permutation it was: a classification over the set's {@value PermutationSet#STANDARD_SIZE}
 * indices ({@link PretextClassificationLoss}). The views come from the pipeline's {@code jigsaw} preset (PIRL's
 * op: tiles at random offsets inside 85:64 cells, the paper's gap against continuing edges), which gives each view
 * its permutation index as its target ({@link SslMethod.BatchContext#viewTargets}).
 *
 * <p>The paper's context-free network (§3): each of the 9 tiles goes through the shared encoder on its own (no
 * tile sees another before the fully connected layers), then a shared per-tile layer (fc6), the 9 outputs
 * concatenated in grid position order, a hidden layer (fc7) and the logits (fc8). At 32 px the tiles are 9 px
 * (PIRL's ratio, 64 of 224), so encoding the 9·N tiles costs less than one 32 px view per image: the per-tile
 * encoding is kept.
 *
 * <p>What differs: the encoder is the shared ResNet on tiles of 9 px (the paper's AlexNet on 64 px tiles); fc6
 * and fc7 are Linear-BN-ReLU (the paper's have no batch norm) with fc7 scaled from 4096 to 1024 for ResNet-18's
 * 512 features; 100 permutations (the paper's ablation's middle size; its best model uses 1000), the set shared
 * with PIRL's op. The probe's features of an image are the mean of its 9 tiles' encoder features, the only
 * features the method computes.
 *
 * <p>Options: {@code views} (1 puzzle per image, as the paper's batch), {@code tile-dim} (fc6, 512),
 * {@code head-hidden} (fc7, 1024). The paper trains with SGD at 0.01 for batch 256 (momentum 0.9, weight decay
 * 5e-4), the default here, scaled with the batch.
 */
public final class Jigsaw extends ViewTargetMethod {

    public static final String NAME = "jigsaw";
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "Jigsaw (Noroozi & Favaro 2016): tell which of 100 permutations shuffled a 3x3 grid of tiles",
            OptimizerDefaults.scaled("sgd", 0.01, 256), Jigsaw::new);

    /** The classes: the permutations of the pipeline's jigsaw preset. */
    static final int PERMUTATIONS = PermutationSet.STANDARD_SIZE;

    private final int views;
    private final MlpHead tileSpec;
    private final MlpHead classifierSpec;
    private final PretextClassificationLoss loss = new PretextClassificationLoss();
    private Block tileHead; // fc6, shared by the 9 tiles
    private Block classifier; // fc7, fc8 over the 9 concatenated tiles

    public Jigsaw(MethodSettings settings) {
        super(NAME, settings);
        views = intOption("views", 1, 1);
        tileSpec = MlpHead.builder().addLayer(intOption("tile-dim", 512, 1), true, true).build();
        classifierSpec = MlpHead.projection(2, intOption("head-hidden", 1024, 1), PERMUTATIONS, true, false);
        rejectUnknownOptions();
    }

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return ViewPlan.of(views, Pirl.jigsawSize(imageSize), AugmentationPresetName.JIGSAW.configName(), List.of());
    }

    @Override
    protected void createHeads(Shape features) {
        long puzzles = views * features.get(0);
        tileHead = addStudent("tile-head", tileSpec.block(), new Shape(puzzles * Pirl.TILES, features.get(1)));
        classifier = addStudent("classifier", classifierSpec.block(),
                new Shape(puzzles, (long) Pirl.TILES * tileSpec.outDim()));
    }

    @Override
    public Forward forwardBatch(ParameterStore ps, List<NDArray> views, BatchContext context, long step) {
        requireViews(views);
        int n = Math.toIntExact(views.get(0).getShape().get(0));
        int[] labels = new int[views.size() * n]; // view-major, as the views are stacked
        for (int v = 0; v < views.size(); v++) {
            System.arraycopy(context.targets(v, NAME), 0, labels, v * n, n);
        }
        NDArray puzzles = NDArrays.concat(new NDList(views)); // (V·N, C, 3t, 3t)
        int m = labels.length;
        NDArray y = encode(ps, Pirl.tiles(puzzles)); // (9·V·N, d): puzzle p's tiles at rows 9p…9p+8
        NDArray perTile = run(tileHead, ps, y);
        NDArray logits = run(classifier, ps, perTile.reshape(m, -1)); // tiles concatenated in grid order
        NDArray l = loss.compute(logits, y.getManager().create(labels));
        NDArray features = y.get("0:" + (long) n * Pirl.TILES).reshape(n, Pirl.TILES, -1).mean(new int[] {1});
        return new Forward(l, features, logits.get("0:" + n));
    }
}
