package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.head.MlpHead;
import io.streamssl.models.loss.MemoryBankLoss;
import io.streamssl.models.loss.NormalizedMseLoss;
import io.streamssl.models.state.InstanceBank;
import io.streamssl.models.tensor.NativeScalar;
import java.util.List;
import java.util.Map;

/**
 * Instance discrimination (Wu et al. 2018, "Unsupervised Feature Learning via Non-Parametric Instance
 * Discrimination"): encoder → one linear layer to 128 dimensions, L2-normalised; every image is its own class,
 * scored non-parametrically against a memory bank of stored features at temperature 0.07, and after each step the
 * image's bank row v becomes normalise(0.5·v + 0.5·f) (eq. 3, bank momentum 0.5).
 *
 * <p>What changes on a stream:
 * <ul>
 *   <li>The paper's bank has a row for every image of the data set, indexed by its position. A stream has no
 *       positions and no end, so the bank is an {@link InstanceBank}: the K most recent images keyed by their id
 *       (a hash of the record key), first in first out. A hit (the image was seen within the last K images: a
 *       replay, a repeat, a second epoch) finds its row v_i, the paper's positive. A miss (its first visit, or one
 *       that left the bank) has no v_i: its positive is then the feature of its other view, detached, as v_i
 *       carries no gradient either; this is the paper's positive for an image whose bank row is one augmentation
 *       old, and a plain two-view contrast otherwise. Both views are queries, so a step learns from both.
 *   <li>Negatives: the batch's other images and only the bank rows appended in the last {@code negative-steps}
 *       steps (default 1: the previous batch), not the whole bank. In the paper the positive v_i is itself a bank
 *       row, as old as the negatives (written at the image's previous visit, an epoch before). On a stream nearly
 *       every image is a first visit (in a 12,800-image run on CIFAR-10, every one): its positive comes from the
 *       current network, its negatives from earlier ones, and the network lowers the loss by moving its current
 *       features away from where its earlier ones lie, which tells no two images apart: the inconsistency MoCo
 *       (He et al. 2019, §3.2; its momentum-0 key encoder fails to train) removes with a momentum encoder. Measured
 *       ({@code bench quality}, 12,800 images, kNN@20 on 2,000 test images, random encoder 0.278): all 4,096 rows
 *       as negatives 0.272 (lr 0.0075) and 0.217 (lr 0.05), the last 512 rows 0.274 (lr 0.05), the last 64 0.327
 *       (lr 0.0075) and 0.316 (lr 0.05); before the batch's images were negatives, 0.281, and after one pass
 *       (51,200 images) 0.210. The batch's other images enter as their other view's detached features, made in
 *       the same pass as the positive (same weights, same batch-norm statistics, so neither separates the positive
 *       from them): the paper's bank holds the images being visited too. The older rows stay for what the bank is
 *       for on a stream, the positive of an image that comes back. The first step has only the batch's images as
 *       negatives.
 *   <li>The exact softmax over positive and bank ({@link MemoryBankLoss}, the paper's eq. 2) instead of its NCE
 *       approximation (eq. 4-6): NCE was there to avoid the normalisation over 1.28 M entries; over a bounded bank
 *       of a few thousand rows the exact sum costs one (N, d)×(d, K) product, has no noise-sample variance and no
 *       constant Z to estimate, and it is InfoNCE, which later work (MoCo) took from here.
 *   <li>No proximal regulariser (§3.3): it stabilises a bank row visited once an epoch, and on a stream most rows
 *       are seen once.
 * </ul>
 * The bank is updated with view 0's features after the optimiser step, so a skipped step (non-finite loss) leaves it
 * as it was. Without image ids (a batch of unknown images) every image is a miss, and its row is appended under an
 * id drawn from the step number, which no lookup asks for.
 *
 * <p>Options: {@code temperature} (0.07), {@code bank-size} (4096, the paper's number of NCE noise samples; at
 * least the batch size), {@code bank-momentum} (0.5), {@code negative-steps} (1; 0 = the batch's images only),
 * {@code projector-out} (128), {@code augmentation}. The paper
 * trains with SGD at 0.03 for batch 256 (momentum 0.9, weight decay 5e-4), the default here, scaled with the batch.
 */
public final class InstDisc extends BaseMethod {

    public static final String NAME = "instdisc";
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "InstDisc (Wu et al. 2018): instance discrimination against a bank of recent images keyed by id",
            OptimizerDefaults.scaled("sgd", 0.03, 256), InstDisc::new);


    private final MemoryBankLoss loss;
    private final int bankSize;
    private final double bankMomentum;
    private final int negativeRows; // the bank rows appended last that serve as negatives
    private final MlpHead projectorSpec;
    private Block projector;
    private InstanceBank bank;
    // this step's bank update, applied after the optimiser step (backward still needs the old bank)
    private BankVisit visit; // this step's: written to the bank after the optimiser step
    private double hitFraction;

    public InstDisc(MethodSettings settings) {
        super(NAME, settings);
        loss = new MemoryBankLoss(doubleOption("temperature", 0.07, 1e-3, 10));
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

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return ViewPlan.of(2, imageSize, preset(imageSize, "cifar-symmetric", "mocov2"), List.of());
    }

    @Override
    protected void createHeads(Shape features) {
        projector = addStudent("projector", projectorSpec.block(), features);
        bank = addState("bank", new InstanceBank("instdisc bank", manager, bankSize, projectorSpec.outDim()));
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        return forward(ps, views, null, step);
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long[] instanceIds, long step) {
        requireViews(views);
        NDArray y0 = encode(ps, views.get(0));
        NDArray z0 = run(projector, ps, y0);
        NDArray z1 = run(projector, ps, encode(ps, views.get(1)));
        BankVisit bankVisit = new BankVisit(bank, instanceIds, step, Math.toIntExact(z0.getShape().get(0)),
                negativeRows);
        NDArray u0 = NormalizedMseLoss.l2Normalize(z0).stopGradient();
        NDArray u1 = NormalizedMseLoss.l2Normalize(z1).stopGradient();
        NDArray p0 = bankVisit.positives(u1); // a miss: the other view
        NDArray p1 = bankVisit.positives(u0);
        NDArray excluded = bankVisit.excluded(z0.getManager());
        // each query against its positive, the bank, and the batch's other images in the view its positive is from
        NDArray l = NativeScalar.mul(loss.compute(z0, p0, bankVisit.candidates(u1), excluded)
                .add(loss.compute(z1, p1, bankVisit.candidates(u0), excluded)), 0.5);
        bankVisit.remember(u0);
        visit = bankVisit;
        hitFraction = bankVisit.hitFraction();
        return new Forward(l, y0, z0);
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
