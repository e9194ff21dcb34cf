package io.streamssl.models.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every loss against {@link Reference} (plain double-precision Java from the papers' formulas) on small
 * random inputs, and its gradient against central finite differences of that reference.
 */
class LossTest {

    static final double VALUE_TOLERANCE = 1e-4; // relative
    static final double GRADIENT_TOLERANCE = 2e-3; // max |autograd − finite difference| / max |finite difference|

    static NDManager manager;
    final Random random = new Random(7);

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** Gaussian values, rounded to float so that both computations see the same inputs. */
    double[][] randn(int n, int d, double scale) {
        double[][] x = new double[n][d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = (float) (random.nextGaussian() * scale);
            }
        }
        return x;
    }

    static NDArray nd(NDManager m, double[][] x) {
        float[] flat = new float[x.length * x[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[0].length; j++) {
                flat[i * x[0].length + j] = (float) x[i][j];
            }
        }
        return m.create(flat, new Shape(x.length, x[0].length));
    }

    static void assertValue(String what, NDArray loss, double expected) {
        assertThat(loss.getShape().isScalar()).as(what + " is a scalar").isTrue();
        double actual = loss.getFloat();
        double rel = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-6);
        assertThat(rel).as(what + ": tensor " + actual + " vs reference " + expected).isLessThan(VALUE_TOLERANCE);
    }

    /** Autograd of {@code loss} w.r.t. x against central differences of {@code reference}. */
    static void assertGradient(String what, double[][] x, BiFunction<NDManager, NDArray, NDArray> loss,
            Function<double[][], Double> reference) {
        float[] autograd;
        try (NDManager m = manager.newSubManager()) {
            NDArray input = nd(m, x);
            input.setRequiresGradient(true);
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                c.backward(loss.apply(m, input));
            }
            try (NDArray g = input.getGradient()) {
                autograd = g.toFloatArray();
            }
        }
        double maxFd = 0;
        double maxDiff = 0;
        int d = x[0].length;
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < d; j++) {
                double h = 1e-5 * Math.max(1, Math.abs(x[i][j]));
                double keep = x[i][j];
                x[i][j] = keep + h;
                double up = reference.apply(x);
                x[i][j] = keep - h;
                double down = reference.apply(x);
                x[i][j] = keep;
                double fd = (up - down) / (2 * h);
                maxFd = Math.max(maxFd, Math.abs(fd));
                maxDiff = Math.max(maxDiff, Math.abs(fd - autograd[i * d + j]));
            }
        }
        assertThat(maxFd).as(what + ": the gradient is not trivially zero").isGreaterThan(1e-4);
        assertThat(maxDiff / maxFd).as(what + ": autograd vs finite differences").isLessThan(GRADIENT_TOLERANCE);
    }

    @Test
    void ntXentMatchesReferenceAndGradient() {
        double[][] z0 = randn(5, 7, 1);
        double[][] z1 = randn(5, 7, 1);
        NtXentLoss loss = new NtXentLoss(0.2);
        assertValue("nt-xent", loss.compute(nd(manager, z0), nd(manager, z1)), Reference.ntXent(z0, z1, 0.2));
        assertGradient("nt-xent", z0, (m, x) -> loss.compute(x, nd(m, z1)), x -> Reference.ntXent(x, z1, 0.2));
    }

    @Test
    void infoNceWithQueueMatchesReferenceAndGradient() {
        double[][] q = randn(4, 6, 1);
        double[][] k = randn(4, 6, 1);
        double[][] queue = new double[9][];
        for (int i = 0; i < queue.length; i++) {
            queue[i] = toFloat(Reference.unit(randn(1, 6, 1)[0]));
        }
        InfoNceLoss loss = new InfoNceLoss(0.2);
        assertValue("infonce/queue", loss.compute(nd(manager, q), nd(manager, k), nd(manager, queue)),
                Reference.infoNceQueue(q, k, queue, 0.2));
        assertGradient("infonce/queue", q, (m, x) -> loss.compute(x, nd(m, k), nd(m, queue)),
                x -> Reference.infoNceQueue(x, k, queue, 0.2));
    }

    @Test
    void infoNceWithQueueAtMocoV1sTemperatureMatchesReferenceAndGradient() {
        // τ 0.07 (He et al. 2019) sharpens the softmax 3× more than MoCo v2's 0.2: check value and gradient there
        double[][] q = randn(6, 8, 1);
        double[][] k = randn(6, 8, 1);
        double[][] queue = new double[12][];
        for (int i = 0; i < queue.length; i++) {
            queue[i] = toFloat(Reference.unit(randn(1, 8, 1)[0]));
        }
        InfoNceLoss loss = new InfoNceLoss(0.07);
        assertValue("infonce/queue τ0.07", loss.compute(nd(manager, q), nd(manager, k), nd(manager, queue)),
                Reference.infoNceQueue(q, k, queue, 0.07));
        assertGradient("infonce/queue τ0.07", q, (m, x) -> loss.compute(x, nd(m, k), nd(m, queue)),
                x -> Reference.infoNceQueue(x, k, queue, 0.07));
    }

    @Test
    void memoryBankMatchesReferenceAndGradientWithEmptyRowsAndOwnRowsExcluded() {
        // a bank of 10 rows of which 7 are filled; queries 0 and 3 find their own rows (2 and 6) as the positive
        double[][] q = randn(5, 6, 1);
        double[][] p = randn(5, 6, 1);
        double[][] bank = new double[10][];
        for (int i = 0; i < bank.length; i++) {
            bank[i] = i < 7 ? toFloat(Reference.unit(randn(1, 6, 1)[0])) : new double[6];
        }
        int[] own = {2, -1, -1, 6, -1};
        for (int i = 0; i < own.length; i++) {
            if (own[i] >= 0) {
                p[i] = bank[own[i]];
            }
        }
        MemoryBankLoss loss = new MemoryBankLoss(0.07);
        assertValue("memory bank", loss.compute(nd(manager, q), nd(manager, p), nd(manager, bank),
                MemoryBankLoss.excluded(manager, 10, 7, own)), Reference.memoryBank(q, p, bank, 7, own, 0.07));
        assertGradient("memory bank", q, (m, x) -> loss.compute(x, nd(m, p), nd(m, bank),
                MemoryBankLoss.excluded(m, 10, 7, own)), x -> Reference.memoryBank(x, p, bank, 7, own, 0.07));
        // an empty bank: the positive is the only candidate, the loss 0 exactly
        assertThat(loss.compute(nd(manager, q), nd(manager, p), nd(manager, bank),
                MemoryBankLoss.excluded(manager, 10, 0, new int[5])).getFloat()).isZero();
        // the mask itself: row 1 of 3 filled is excluded for query 0 (its own), kept for query 1
        assertThat(MemoryBankLoss.excluded(manager, 3, 2, new int[] {1, -1}).toBooleanArray())
                .containsExactly(false, true, true, false, false, true);
    }

    @Test
    void seedMatchesReferenceAndGradient() {
        double[][] s = randn(5, 6, 1);
        double[][] t = randn(5, 6, 1);
        double[][] queue = new double[9][];
        for (int i = 0; i < queue.length; i++) {
            queue[i] = toFloat(Reference.unit(randn(1, 6, 1)[0]));
        }
        // τ_t 0.1 here, not the paper's 0.01: at 0.01 the targets are near one-hot and the check is of one logit;
        // the paper's pair is checked for the value below
        SeedLoss loss = new SeedLoss(0.2, 0.1);
        assertValue("seed", loss.compute(nd(manager, s), nd(manager, t), nd(manager, queue)),
                Reference.seed(s, t, queue, 0.2, 0.1));
        assertGradient("seed", s, (m, x) -> loss.compute(x, nd(m, t), nd(m, queue)),
                x -> Reference.seed(x, t, queue, 0.2, 0.1));
        SeedLoss paper = new SeedLoss(0.2, 0.01);
        assertValue("seed τ_t 0.01", paper.compute(nd(manager, s), nd(manager, t), nd(manager, queue)),
                Reference.seed(s, t, queue, 0.2, 0.01));
        assertGradient("seed τ_t 0.01", s, (m, x) -> paper.compute(x, nd(m, t), nd(m, queue)),
                x -> Reference.seed(x, t, queue, 0.2, 0.01));
        // no gradient reaches the teacher: its embeddings are targets
        assertThat(teacherGradient(paper, s, t, queue)).isEqualTo(0f);
        // an empty queue leaves one anchor, z_t itself: p_t = p_s = 1, loss 0
        assertThat(paper.compute(nd(manager, s), nd(manager, t), manager.zeros(new Shape(0, 6))).getFloat())
                .isEqualTo(0f);
        assertThatThrownBy(() -> new SeedLoss(0.2, 0)).hasMessageContaining("teacher temperature");
        assertThatThrownBy(() -> paper.compute(nd(manager, s), nd(manager, t), manager.zeros(new Shape(3, 5))))
                .hasMessageContaining("queue must be (K, 6)");
    }

    /** The largest |gradient| of the loss with respect to the teacher's embeddings. */
    static float teacherGradient(SeedLoss loss, double[][] s, double[][] t, double[][] queue) {
        try (NDManager m = manager.newSubManager()) {
            NDArray student = nd(m, s);
            NDArray teacher = nd(m, t);
            student.setRequiresGradient(true); // so that there is a graph to go back through
            teacher.setRequiresGradient(true);
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                c.backward(loss.compute(student, teacher, nd(m, queue)));
            }
            return teacher.getGradient().abs().max().getFloat();
        }
    }

    @Test
    void nnclrMatchesReferenceAndGradient() {
        double[][] z0 = randn(5, 6, 1);
        double[][] z1 = randn(5, 6, 1);
        double[][] p0 = randn(5, 6, 1);
        double[][] p1 = randn(5, 6, 1);
        double[][] support = new double[11][];
        for (int i = 0; i < support.length; i++) {
            support[i] = toFloat(Reference.unit(randn(1, 6, 1)[0]));
        }
        NnclrLoss loss = new NnclrLoss(0.1);
        assertValue("nnclr", loss.compute(nd(manager, z0), nd(manager, z1), nd(manager, p0), nd(manager, p1),
                nd(manager, support)), Reference.nnclr(z0, z1, p0, p1, support, 0.1));
        assertGradient("nnclr", p0, (m, x) -> loss.compute(nd(m, z0), nd(m, z1), x, nd(m, p1), nd(m, support)),
                x -> Reference.nnclr(z0, z1, x, p1, support, 0.1));
        // a hand-worked neighbour: (0.9, 0.1, 0) is closest to e1 among e1, e2, e3
        double[][] axes = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        assertThat(NnclrLoss.nearestNeighbours(nd(manager, new double[][] {{0.9, 0.1, 0}, {0, -1, 3}}),
                nd(manager, axes)).toFloatArray()).containsExactly(1f, 0f, 0f, 0f, 0f, 1f);
    }

    @Test
    void pirlMatchesReferenceAndGradientForBothItsTerms() {
        // a bank of 9 rows of which 6 are filled; images 1 and 2 find their own rows (4 and 0) as the positive
        double[][] g = randn(4, 5, 1);
        double[][] f = randn(4, 5, 1);
        double[][] p = randn(4, 5, 1);
        double[][] bank = new double[9][];
        for (int i = 0; i < bank.length; i++) {
            bank[i] = i < 6 ? toFloat(Reference.unit(randn(1, 5, 1)[0])) : new double[5];
        }
        int[] own = {-1, 4, 0, -1};
        p[1] = bank[4];
        p[2] = bank[0];
        for (double lambda : new double[] {0.5, 0.8}) {
            PirlLoss loss = new PirlLoss(0.07, lambda);
            String what = "pirl λ" + lambda;
            assertValue(what, loss.compute(nd(manager, g), nd(manager, f), nd(manager, p), nd(manager, bank),
                    MemoryBankLoss.excluded(manager, 9, 6, own)), Reference.pirl(g, f, p, bank, 6, own, lambda, 0.07));
            assertGradient(what + " ∂g", g, (m, x) -> loss.compute(x, nd(m, f), nd(m, p), nd(m, bank),
                    MemoryBankLoss.excluded(m, 9, 6, own)), x -> Reference.pirl(x, f, p, bank, 6, own, lambda, 0.07));
            assertGradient(what + " ∂f", f, (m, x) -> loss.compute(nd(m, g), x, nd(m, p), nd(m, bank),
                    MemoryBankLoss.excluded(m, 9, 6, own)), x -> Reference.pirl(g, x, p, bank, 6, own, lambda, 0.07));
        }
        // λ = 1 is the jigsaw term alone: f has no effect
        PirlLoss jigsawOnly = new PirlLoss(0.07, 1);
        assertValue("pirl λ1", jigsawOnly.compute(nd(manager, g), nd(manager, randn(4, 5, 1)), nd(manager, p),
                nd(manager, bank), MemoryBankLoss.excluded(manager, 9, 6, own)),
                Reference.pirl(g, f, p, bank, 6, own, 1, 0.07));
        assertThatThrownBy(() -> new PirlLoss(0.07, 1.5)).hasMessageContaining("lambda")
                .hasMessageContaining("[0, 1]");
    }

    @Test
    void pretextClassificationMatchesReferenceAndGradientAndAHandWorkedCase() {
        // hand-worked: logits (0, ln 3) with label 1 → −log(3/4); label 0 → −log(1/4); mean log(16/3)/2
        double[][] two = {{0, Math.log(3)}, {0, Math.log(3)}};
        PretextClassificationLoss loss = new PretextClassificationLoss();
        assertValue("hand-worked", loss.compute(nd(manager, two), manager.create(new int[] {1, 0})),
                Math.log(16.0 / 3) / 2);
        // four rotations of three images: 12 rows of 4 logits, labels view-major as Rotation stacks them
        double[][] logits = randn(12, 4, 1.5);
        int[] turns = {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3};
        assertValue("rotation", loss.compute(nd(manager, logits), manager.create(turns)),
                Reference.pretextClassification(logits, turns));
        assertValue("int64 labels", loss.compute(nd(manager, logits), labels(manager, turns)),
                Reference.pretextClassification(logits, turns));
        assertGradient("rotation", logits, (m, x) -> loss.compute(x, m.create(turns)),
                x -> Reference.pretextClassification(x, turns));
        assertThatThrownBy(() -> loss.compute(nd(manager, logits), manager.create(new int[] {0, 1})))
                .hasMessageContaining("one label per row");
    }

    @Test
    void infoNceInBatchMatchesReferenceAndGradient() {
        double[][] q = randn(5, 6, 1);
        double[][] k = randn(5, 6, 1);
        InfoNceLoss loss = new InfoNceLoss(0.5);
        assertValue("infonce/batch", loss.compute(nd(manager, q), nd(manager, k)), Reference.infoNceBatch(q, k, 0.5));
        assertGradient("infonce/batch", q, (m, x) -> loss.compute(x, nd(m, k)), x -> Reference.infoNceBatch(x, k, 0.5));
    }

    @Test
    void negativeCosineMatchesReferenceAndGradient() {
        double[][] p = randn(4, 6, 2);
        double[][] z = randn(4, 6, 2);
        assertValue("negative cosine", NegativeCosineLoss.compute(nd(manager, p), nd(manager, z)),
                Reference.negativeCosine(p, z));
        assertGradient("negative cosine", p, (m, x) -> NegativeCosineLoss.compute(x, nd(m, z)),
                x -> Reference.negativeCosine(x, z));
    }

    @Test
    void normalizedMseMatchesReferenceAndGradient() {
        double[][] p = randn(4, 6, 2);
        double[][] z = randn(4, 6, 2);
        assertValue("normalised mse", NormalizedMseLoss.compute(nd(manager, p), nd(manager, z)),
                Reference.normalizedMse(p, z));
        assertGradient("normalised mse", p, (m, x) -> NormalizedMseLoss.compute(x, nd(m, z)),
                x -> Reference.normalizedMse(x, z));
    }

    @Test
    void dinoWithCenteringMatchesReferenceAndGradient() {
        int n = 4;
        int k = 6;
        List<double[][]> student = List.of(randn(n, k, 1), randn(n, k, 1), randn(n, k, 1), randn(n, k, 1));
        List<double[][]> teacher = List.of(randn(n, k, 1), randn(n, k, 1));
        double[] center = randn(1, k, 0.5)[0];
        DinoLoss loss = new DinoLoss(0.1);
        NDArray c = nd(manager, new double[][] {center});
        assertValue("dino", loss.compute(student.stream().map(s -> nd(manager, s)).toList(),
                teacher.stream().map(t -> nd(manager, t)).toList(), c, 0.04),
                Reference.dino(student, teacher, center, 0.1, 0.04));
        // gradient w.r.t. a local crop (index 2) and a global one (index 0, matched with teacher view 1 only)
        for (int view : new int[] {0, 2}) {
            assertGradient("dino student view " + view, student.get(view), (m, x) -> loss.compute(
                    replace(student, view, x, m), teacher.stream().map(t -> nd(m, t)).toList(),
                    nd(m, new double[][] {center}), 0.04),
                    x -> Reference.dino(replaced(student, view, x), teacher, center, 0.1, 0.04));
        }
    }

    @Test
    void sinkhornMatchesReferenceAndSwavLossMatchesReferenceAndGradient() {
        int n = 6;
        int k = 5;
        double[][] s0 = unitScores(n, k);
        double[][] s1 = unitScores(n, k);
        double[][] s2 = unitScores(n, k);
        SinkhornKnopp sinkhorn = new SinkhornKnopp(3, 0.05);
        double[][] q0 = Reference.sinkhornCodes(s0, 3, 0.05);
        double[][] q1 = Reference.sinkhornCodes(s1, 3, 0.05);
        float[] codes = sinkhorn.assign(nd(manager, s0)).toFloatArray();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                assertThat(codes[i * k + j]).as("code (%d, %d)", i, j)
                        .isCloseTo((float) q0[i][j], org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
        SwavLoss loss = new SwavLoss(0.1);
        List<double[][]> scores = List.of(s0, s1, s2);
        List<double[][]> refCodes = List.of(q0, q1);
        assertValue("swav", loss.compute(scores.stream().map(s -> nd(manager, s)).toList(),
                refCodes.stream().map(q -> nd(manager, q)).toList()), Reference.swav(scores, refCodes, 0.1));
        assertGradient("swav view 2", s2, (m, x) -> loss.compute(List.of(nd(m, s0), nd(m, s1), x),
                refCodes.stream().map(q -> nd(m, q)).toList()), x -> Reference.swav(List.of(s0, s1, x), refCodes, 0.1));
    }

    @Test
    void barlowTwinsMatchesReferenceAndGradient() {
        double[][] z0 = randn(6, 5, 1);
        double[][] z1 = randn(6, 5, 1);
        BarlowTwinsLoss loss = new BarlowTwinsLoss(0.0051);
        assertValue("barlow twins", loss.compute(nd(manager, z0), nd(manager, z1)),
                Reference.barlowTwins(z0, z1, 0.0051));
        assertGradient("barlow twins", z0, (m, x) -> loss.compute(x, nd(m, z1)),
                x -> Reference.barlowTwins(x, z1, 0.0051));
    }

    @Test
    void vicregMatchesReferenceAndGradient() {
        double[][] z0 = randn(6, 5, 0.5); // std below 1, so the variance hinge is active
        double[][] z1 = randn(6, 5, 0.5);
        VicregLoss loss = new VicregLoss(25, 25, 1);
        assertValue("vicreg", loss.compute(nd(manager, z0), nd(manager, z1)), Reference.vicreg(z0, z1, 25, 25, 1));
        assertGradient("vicreg", z0, (m, x) -> loss.compute(x, nd(m, z1)), x -> Reference.vicreg(x, z1, 25, 25, 1));
    }

    @Test
    void badHyperParametersAreRejectedNamingValidValues() {
        assertThatThrownBy(() -> new NtXentLoss(0)).hasMessageContaining("temperature must be > 0");
        assertThatThrownBy(() -> new InfoNceLoss(-1)).hasMessageContaining("temperature must be > 0");
        assertThatThrownBy(() -> new DinoLoss(Double.NaN)).hasMessageContaining("student temperature");
        assertThatThrownBy(() -> new SwavLoss(0)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new SinkhornKnopp(0, 0.05)).hasMessageContaining("iterations must be in [1, 100]");
        assertThatThrownBy(() -> new SinkhornKnopp(3, 0)).hasMessageContaining("epsilon must be > 0");
        assertThatThrownBy(() -> new BarlowTwinsLoss(-0.1)).hasMessageContaining("paper: 0.0051");
        assertThatThrownBy(() -> new VicregLoss(0, 0, 0)).hasMessageContaining("paper: 25, 25, 1");
        assertThatThrownBy(() -> new VicregLoss(-1, 25, 1)).hasMessageContaining("must be >= 0");
    }

    @Test
    void degenerateInputsThrowInsteadOfReturningNaN() {
        NDArray one = nd(manager, randn(1, 4, 1));
        NDArray two = nd(manager, randn(2, 4, 1));
        assertThatThrownBy(() -> new NtXentLoss(0.2).compute(one, one)).hasMessageContaining("at least 2 rows");
        assertThatThrownBy(() -> new BarlowTwinsLoss(0.005).compute(one, one)).hasMessageContaining("at least 2 rows");
        assertThatThrownBy(() -> new VicregLoss(25, 25, 1).compute(one, one)).hasMessageContaining("at least 2 rows");
        assertThatThrownBy(() -> new NtXentLoss(0.2).compute(two, nd(manager, randn(2, 5, 1))))
                .hasMessageContaining("same shape");
        assertThatThrownBy(() -> new DinoLoss(0.1).compute(List.of(two), List.of(two), manager.zeros(new Shape(1, 4)),
                0.04)).hasMessageContaining("2 student views");
        // all-zero embeddings: the normalisation clamps, the loss stays finite
        NDArray zeros = manager.zeros(new Shape(3, 4));
        assertThat(new NtXentLoss(0.2).compute(zeros, zeros).getFloat()).isFinite();
        assertThat(NegativeCosineLoss.compute(zeros, zeros).getFloat()).isFinite();
    }

    @Test
    void pseudoLabelLossMatchesReferenceAndGradient() {
        int n = 6;
        int k = 5;
        double[][] s0 = unitScores(n, k);
        double[][] s1 = unitScores(n, k);
        int[] nearest0 = Reference.argmaxRows(s0);
        int[] nearest1 = Reference.argmaxRows(s1);
        int[] other0 = {4, 3, 2, 1, 0, 4}; // labels that are not the nearest prototypes (SeLA's can differ)
        int[] other1 = {1, 1, 2, 3, 0, 0};
        PseudoLabelLoss loss = new PseudoLabelLoss(0.1);
        assertValue("deepclusterv2", loss.compute(nd(manager, s0), nd(manager, s1),
                PseudoLabelLoss.labels(nd(manager, s0)), PseudoLabelLoss.labels(nd(manager, s1))),
                Reference.pseudoLabel(s0, s1, nearest0, nearest1, 0.1));
        assertValue("given labels", loss.compute(nd(manager, s0), nd(manager, s1), labels(manager, other0),
                labels(manager, other1)), Reference.pseudoLabel(s0, s1, other0, other1, 0.1));
        assertGradient("deepclusterv2 view 0", s0, (m, x) -> loss.compute(x, nd(m, s1), labels(m, nearest0),
                labels(m, nearest1)), x -> Reference.pseudoLabel(x, s1, nearest0, nearest1, 0.1));
        assertGradient("given labels, view 1", s1, (m, x) -> loss.compute(nd(m, s0), x, labels(m, other0),
                labels(m, other1)), x -> Reference.pseudoLabel(s0, x, other0, other1, 0.1));
        assertThatThrownBy(() -> new PseudoLabelLoss(0)).hasMessageContaining("temperature");
    }

    @Test
    void selaLabelsAreTheBatchRowsOfThePlanOverMemoryAndBatchAgainstReference() {
        int q = 12;
        int b = 6;
        int k = 4;
        double[][] memory = unitScores(q, k);
        double[][] batch = unitScores(b, k);
        // a cluster the memory prefers: the equipartition must move batch rows away from it
        for (double[] row : memory) {
            row[0] = (float) Math.min(0.99, row[0] + 0.6);
        }
        double eps = 0.05;
        double[][] all = new double[q + b][];
        System.arraycopy(memory, 0, all, 0, q);
        System.arraycopy(batch, 0, all, q, b);
        int[] planRows = Reference.argmaxRows(Reference.sinkhornCodes(all, 10, eps));
        int[] expected = java.util.Arrays.copyOfRange(planRows, q, q + b);
        SinkhornLabels sela = new SinkhornLabels(new SinkhornKnopp(10, eps));
        try (NDManager m = manager.newSubManager()) {
            long[] actual = sela.labels(nd(m, memory), nd(m, batch)).toLongArray();
            assertThat(java.util.Arrays.stream(actual).mapToInt(x -> (int) x).toArray()).isEqualTo(expected);
            // the plan moved some row off its nearest prototype, and the memory changed the batch's labels
            assertThat(expected).isNotEqualTo(Reference.argmaxRows(batch));
            int[] alone = Reference.argmaxRows(Reference.sinkhornCodes(batch, 10, eps));
            assertThat(expected).isNotEqualTo(alone);
            assertThat(java.util.Arrays.stream(sela.labels(null, nd(m, batch)).toLongArray()).mapToInt(x -> (int) x)
                    .toArray()).as("batch alone").isEqualTo(alone);
        }
    }

    static NDArray labels(NDManager m, int[] labels) {
        return m.create(java.util.Arrays.stream(labels).mapToLong(x -> x).toArray());
    }

    double[][] unitScores(int n, int k) {
        double[][] s = randn(n, k, 0.5);
        for (double[] row : s) {
            for (int j = 0; j < k; j++) {
                row[j] = (float) Math.tanh(row[j]); // cosine-like scores in (−1, 1)
            }
        }
        return s;
    }

    static double[] toFloat(double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) x[i];
        }
        return out;
    }

    static List<NDArray> replace(List<double[][]> all, int index, NDArray x, NDManager m) {
        return java.util.stream.IntStream.range(0, all.size()).mapToObj(i -> i == index ? x : nd(m, all.get(i)))
                .toList();
    }

    static List<double[][]> replaced(List<double[][]> all, int index, double[][] x) {
        return java.util.stream.IntStream.range(0, all.size()).mapToObj(i -> i == index ? x : all.get(i)).toList();
    }

    @Test
    void bagOfWordsTargetOfAHandWorkedCase() {
        // one image, one location f = (0, 0), words (1, 0) and (0, 2): distances 1 and 4; with inv-delta 1 and m 1
        // the codes are e^-1 and e^-4 over their sum, i.e. 1/(1 + e^-3) and e^-3/(1 + e^-3)
        NDArray map = manager.zeros(new Shape(1, 2, 1, 1));
        NDArray words = manager.create(new float[] {1, 0, 0, 2}, new Shape(2, 2));
        NDArray d = BagOfWordsTarget.squaredDistances(map, words);
        assertThat(d.toFloatArray()).containsExactly(1f, 4f);
        assertThat(BagOfWordsTarget.meanMinDistance(d).getFloat()).isEqualTo(1f);
        float[] bow = new BagOfWordsTarget(1, BagOfWordsTarget.Pooling.MAX).compute(d, 1).toFloatArray();
        double e3 = Math.exp(-3);
        assertThat(bow[0]).isCloseTo((float) (1 / (1 + e3)), org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(bow[1]).isCloseTo((float) (e3 / (1 + e3)), org.assertj.core.data.Offset.offset(1e-6f));
    }

    @Test
    void bagOfWordsTargetMatchesReferenceWithMaxAndAveragePooling() {
        int n = 3;
        int c = 4;
        int h = 2;
        int w = 3;
        int k = 5;
        double[][] flat = randn(n, c * h * w, 1); // image i: channel-major (C, h, w), as the tensor
        double[][] words = randn(k, c, 1);
        double[][][] locations = new double[n][h * w][c];
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < h * w; l++) {
                for (int ch = 0; ch < c; ch++) {
                    locations[i][l][ch] = flat[i][ch * h * w + l];
                }
            }
        }
        NDArray maps = nd(manager, flat).reshape(n, c, h, w);
        NDArray d = BagOfWordsTarget.squaredDistances(maps, nd(manager, words));
        double m = Reference.meanNearestWordDistance(locations, words);
        assertThat((double) BagOfWordsTarget.meanMinDistance(d).getFloat()).isCloseTo(m,
                org.assertj.core.data.Offset.offset(1e-4 * m));
        for (boolean max : new boolean[] {true, false}) {
            BagOfWordsTarget target = new BagOfWordsTarget(15, max ? BagOfWordsTarget.Pooling.MAX
                    : BagOfWordsTarget.Pooling.AVG);
            float[] bow = target.compute(d, m).toFloatArray();
            double[][] expected = Reference.bowTarget(locations, words, 15, m, max);
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int j = 0; j < k; j++) {
                    assertThat((double) bow[i * k + j]).as("max=%s bow(%d, %d)", max, i, j)
                            .isCloseTo(expected[i][j], org.assertj.core.data.Offset.offset(1e-5));
                    sum += bow[i * k + j];
                }
                assertThat(sum).as("L1-normalised").isCloseTo(1, org.assertj.core.data.Offset.offset(1e-5));
            }
        }
        assertThatThrownBy(() -> new BagOfWordsTarget(15, BagOfWordsTarget.Pooling.MAX).compute(d, 0))
                .hasMessageContaining("must be > 0");
        assertThatThrownBy(() -> BagOfWordsTarget.Pooling.parse("sum")).hasMessageContaining("allowed are max, avg");
        assertThatThrownBy(() -> new BagOfWordsTarget(0, BagOfWordsTarget.Pooling.MAX))
                .hasMessageContaining("inv-delta must be > 0");
    }

    @Test
    void bowPredictionLossMatchesReferenceAndGradient() {
        int n = 4;
        int c = 5;
        int k = 6;
        double[][] f0 = randn(n, c, 0.5);
        double[][] f1 = randn(n, c, 0.5);
        double[][] f2 = randn(n, c, 0.5); // a local view: predicts both targets
        double[][] weights = randn(k, c, 1);
        double[][] t0 = softmaxRows(randn(n, k, 2));
        double[][] t1 = softmaxRows(randn(n, k, 2));
        for (boolean normalize : new boolean[] {false, true}) {
            assertBowPrediction(f0, f1, f2, weights, List.of(t0, t1), normalize);
        }
        assertThatThrownBy(() -> new BowPredictionLoss(0, true)).hasMessageContaining("kappa must be > 0");
    }

    static void assertBowPrediction(double[][] f0, double[][] f1, double[][] f2, double[][] weights,
            List<double[][]> targets, boolean normalize) {
        BowPredictionLoss loss = new BowPredictionLoss(8, normalize);
        BiFunction<NDManager, List<NDArray>, NDArray> compute = (m, xs) -> {
            NDArray wt = xs.get(3);
            List<NDArray> logits = xs.subList(0, 3).stream().map(x -> loss.logits(x, wt)).toList();
            return loss.compute(logits, targets.stream().map(t -> nd(m, t)).toList());
        };
        assertValue("obow", compute.apply(manager, List.of(nd(manager, f0), nd(manager, f1), nd(manager, f2),
                nd(manager, weights))), Reference.bowPrediction(List.of(f0, f1, f2), weights, targets, 8, normalize));
        assertGradient("obow features", f1, (m, x) -> compute.apply(m, List.of(nd(m, f0), x, nd(m, f2),
                nd(m, weights))), x -> Reference.bowPrediction(List.of(f0, x, f2), weights, targets, 8, normalize));
        assertGradient("obow generated weights", weights, (m, x) -> compute.apply(m, List.of(nd(m, f0), nd(m, f1),
                nd(m, f2), x)), x -> Reference.bowPrediction(List.of(f0, f1, f2), x, targets, 8, normalize));
    }

    /** Each row's softmax, rounded to float. */
    static double[][] softmaxRows(double[][] x) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double[] logp = Reference.logSoftmax(x[i], 1);
            out[i] = new double[logp.length];
            for (int j = 0; j < logp.length; j++) {
                out[i][j] = (float) Math.exp(logp[j]);
            }
        }
        return out;
    }
}
