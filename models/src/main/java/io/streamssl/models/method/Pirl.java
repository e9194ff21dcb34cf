package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.MlpHead;
import io.streamssl.models.loss.MemoryBankLoss;
import io.streamssl.models.loss.NormalizedMseLoss;
import io.streamssl.models.loss.PirlLoss;
import io.streamssl.models.state.InstanceBank;
import java.util.List;
import java.util.Map;

/**
 * PIRL (Misra &amp; van der Maaten 2019, "Self-Supervised Learning of Pretext-Invariant Representations"): the
 * representation of an image should not change when it is cut into a jigsaw puzzle. Three views of each image: two
 * ordinary augmented views v_I, v_I' and a jigsaw view v_It (pipeline preset {@code jigsaw}: 3×3 tiles at random
 * offsets in their cells, shuffled by a permutation of a fixed set). f(v_I) = encoder → linear → 128. The jigsaw
 * view is cut back into its 9 tiles on the device; the 9·N tiles go through the same encoder, each tile's features
 * through one shared linear layer to 128, the 9 results concatenated in tile position order (9·128) and mapped by a
 * linear layer to 128: g(v_It), the paper's §3.3 head. Loss {@link PirlLoss}: λ·h(m_I, g(v_It)) +
 * (1 − λ)·h(m_I, f(v_I)), λ 0.5, τ 0.07, with m_I the image's memory-bank row; after each step
 * m_I ← normalise(0.5·m_I + 0.5·f(v_I)).
 *
 * <p>What differs from the paper:
 * <ul>
 *   <li>The bank: the paper's holds every image of the data set by position. On a stream it is an
 *       {@link InstanceBank} of the K most recent images keyed by id (as {@link InstDisc}'s). An image the bank
 *       holds (a replay, a repeat, a later epoch) finds its row m_I; on a first visit there is no m_I, and the
 *       positive of both terms is f(v_I') of the second plain view, detached. The paper's m_I is a detached average
 *       of f over the image's earlier augmentations; the second view is the one augmentation a first visit has.
 *       The earlier form used f(v_I) itself: the plain term then had its own query as positive, so f was only
 *       spread apart, never pulled towards another view of its image, and the encoder ended below the random one
 *       (kNN@20 0.2636 against 0.2852 on CIFAR-10's test set after 12,800 images). The second view costs one more
 *       encoder pass a step.</li>
 *   <li>Negatives: the batch's other images (their detached f, made in the same pass as a first visit's
 *       positive) and the bank rows appended in the last {@code negative-steps} steps (default 1: the previous
 *       batch), not the whole bank; the paper samples 32,000 negatives from its full bank. As for {@link InstDisc}
 *       (see there): a first visit's positive comes from the current network, older rows from earlier ones, and
 *       with all 4,096 rows as negatives the network learned to move away from its own earlier features instead
 *       of telling images apart (kNN@20 0.274 against the random encoder's 0.278 after 12,800 images, 0.271 after
 *       51,200).</li>
 *   <li>The exact softmax ({@link MemoryBankLoss}, InfoNCE) instead of NCE: NCE estimates the normalisation over a
 *       bank of 1.28 M images; over a bounded bank of a few thousand rows the exact sum is one (N, d)×(d, K)
 *       product, with no noise-sample variance and no constant to estimate.</li>
 *   <li>Colour: the jigsaw preset jitters the region before it is cut (as lightly's PIRL transform), not each tile
 *       on its own; the random offsets of the tiles in their cells break the continuity across tile edges.</li>
 *   <li>Tile size scales with the image: 64 px at 224 (the paper: 64 px tiles from 85 px cells of a 255 px crop),
 *       9 px at 32, so the jigsaw view is 3 × round(size · 64/224) pixels square ({@link #jigsawSize}).</li>
 * </ul>
 * The bank is updated after the optimiser step, so a skipped step (non-finite loss) leaves it as it was. Without
 * image ids every image is a first visit and its row is appended under an id no lookup asks for.
 *
 * <p>Options: {@code temperature} (0.07), {@code lambda} (0.5, the jigsaw term's weight), {@code bank-size}
 * (4096, at least the batch size), {@code bank-momentum} (0.5), {@code negative-steps} (1; 0 = the batch's images
 * only), {@code projector-out} (128), {@code augmentation}
 * (the plain views' preset; the jigsaw view stays a jigsaw). The paper trains with SGD at 0.12 for batch 1024
 * (momentum 0.9, weight decay 1e-4), the default here, scaled with the batch.
 */
public final class Pirl extends BaseMethod {

    public static final String NAME = "pirl";
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "PIRL (Misra & van der Maaten 2019): jigsaw-invariant representations against a bank of recent images",
            OptimizerDefaults.scaled("sgd", 0.12, 1024), Pirl::new);

    /** Tiles per jigsaw view: the 3×3 grid of the pipeline's jigsaw preset. */
    static final int GRID = 3;
    static final int TILES = GRID * GRID;

    private final PirlLoss loss;
    private final int bankSize;
    private final double bankMomentum;
    private final int negativeRows; // the bank rows appended last that serve as negatives
    private final MlpHead projectorSpec;
    private Block projector; // f
    private Block tileProjector; // per tile, shared
    private Block jigsawProjector; // g over the 9 concatenated tiles
    private InstanceBank bank;
    // this step's bank update, applied after the optimiser step (backward still needs the old bank)
    private BankVisit visit; // this step's: written to the bank after the optimiser step
    private double hitFraction;

    public Pirl(MethodSettings settings) {
        super(NAME, settings);
        loss = new PirlLoss(doubleOption("temperature", 0.07, 1e-3, 10), doubleOption("lambda", 0.5, 0, 1));
        bankSize = intOption("bank-size", 4096, 1);
        bankMomentum = doubleOption("bank-momentum", 0.5, 0, 1);
        int batch = settings.batchSize();
        negativeRows = (int) Math.min(bankSize, (long) intOption("negative-steps", 1, 0) * batch);
        requireFitsBatch(bankSize >= batch, "bank-size", "%1$s = " + bankSize + " must be at least %2$s = "
                + batch + " (each step adds up to a whole batch of images); allowed are %1$s >= " + batch
                + ", or %2$s <= " + bankSize);
        projectorSpec = MlpHead.projection(1, 1, intOption("projector-out", 128, 1), false, false);
        rejectUnknownOptions();
    }

    /** The side of the jigsaw view for images of side {@code imageSize}: 3 tiles of round(size · 64/224), ≥ 3. */
    static int jigsawSize(int imageSize) {
        return GRID * Math.max(3, (int) Math.round(imageSize * 64.0 / 224));
    }

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return new ViewPlan(List.of(
                new ViewPlan.CropGroup(2, imageSize, preset(imageSize, "cifar-symmetric", "mocov2")),
                new ViewPlan.CropGroup(1, jigsawSize(imageSize), AugmentationPresetName.JIGSAW.configName())),
                List.of());
    }

    @Override
    protected void createHeads(Shape features) {
        long n = features.get(0);
        int out = projectorSpec.outDim();
        projector = addStudent("projector", projectorSpec.block(), features);
        tileProjector = addStudent("tile-projector", projectorSpec.block(), new Shape(n * TILES, features.get(1)));
        jigsawProjector = addStudent("jigsaw-projector", projectorSpec.block(), new Shape(n, (long) TILES * out));
        bank = addState("bank", new InstanceBank("pirl bank", manager, bankSize, out));
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        return forward(ps, views, null, step);
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long[] instanceIds, long step) {
        requireViews(views);
        NDArray y = encode(ps, views.get(0));
        NDArray f = run(projector, ps, y);
        int n = Math.toIntExact(f.getShape().get(0));
        // the second plain view only stands in for a first visit's bank row: no gradient through it
        NDArray other = NormalizedMseLoss.l2Normalize(run(projector, ps, encode(ps, views.get(1)))).stopGradient();
        NDArray tileFeatures = run(tileProjector, ps, encode(ps, tiles(views.get(2)))); // (9N, d)
        NDArray g = run(jigsawProjector, ps, tileFeatures.reshape(n, -1)); // image n's tiles are rows 9n…9n+8
        BankVisit bankVisit = new BankVisit(bank, instanceIds, step, n, negativeRows);
        NDArray positive = bankVisit.positives(other); // a first visit: f(v_I'), detached; else its row m_I
        // the batch's other images as negatives in the view the positives come from, made in the same pass
        NDArray l = loss.compute(g, f, positive, bankVisit.candidates(other), bankVisit.excluded(f.getManager()));
        bankVisit.remember(NormalizedMseLoss.l2Normalize(f).stopGradient());
        visit = bankVisit;
        hitFraction = bankVisit.hitFraction();
        return new Forward(l, y, f);
    }

    /**
     * The 9 tiles of each jigsaw view, (N, C, 3t, 3t) → (9N, C, t, t): image n's tiles at rows 9n…9n+8 in row-major
     * grid position, the order {@code JigsawView} lays them out in.
     */
    static NDArray tiles(NDArray jigsawViews) {
        Shape s = jigsawViews.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long side = s.get(2);
        if (s.dimension() != 4 || side != s.get(3) || side % GRID != 0) {
            throw new IllegalArgumentException(NAME + ": a jigsaw view is (N, C, 3t, 3t), got " + s);
        }
        long t = side / GRID;
        return jigsawViews.reshape(n, c, GRID, t, GRID, t).transpose(0, 2, 4, 1, 3, 5).reshape(n * TILES, c, t, t);
    }

    @Override
    public void afterOptimizerStep(long step) {
        visit.write(bankMomentum);
        visit = null;
    }

    /** {@code bank-hits}: the share of the last batch's images whose positive was their bank row. */
    @Override
    public Map<String, Double> scalars(long step) {
        return Map.of("bank-hits", hitFraction);
    }
}
