package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import io.streamssl.models.encoder.StageFeatureMap;
import io.streamssl.models.head.MlpHead;
import io.streamssl.models.loss.BagOfWordsTarget;
import io.streamssl.models.loss.BowPredictionLoss;
import io.streamssl.models.loss.NormalizedMseLoss;
import io.streamssl.models.state.FeatureQueue;
import io.streamssl.models.state.ScalarMovingAverage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * OBoW (Gidaris et al. 2021, "OBoW: Online Bag-of-Visual-Words Generation for Self-Supervised Learning"; the
 * released code {@code valeoai/obow}): a momentum teacher turns the feature map of its last ResNet stage into a bag
 * of visual words over an online vocabulary ({@link BagOfWordsTarget}: soft assignment with the adaptive δ, max
 * pooling over locations, L1 normalisation), and the student predicts that distribution from its pooled feature
 * of another view, through weights generated from the words ({@link BowPredictionLoss}, κ 8 fixed).
 *
 * <ul>
 *   <li>Vocabulary: a {@link FeatureQueue} of K words, started with random non-negative vectors as the released
 *       code does (all K are used from the first step). After each step one word per image enters it: the
 *       teacher's map of view 0, averaged over 3×3 windows (no padding), at a location drawn per image by a
 *       {@link Random} seeded with the step, so a resumed run draws the same (bit-exact resume).
 *   <li>Locations: like the code, the map's border is dropped before assignment and sampling; a map smaller
 *       than 5×5 (4×4 at 32 px with the CIFAR stem) keeps its border, and the averaging window shrinks to the
 *       map when the map is smaller than 3×3.
 *   <li>Adaptive δ: {@code 1/δ = inv-delta / m}, m the running mean (decay 0.99, start 0.5) of the distance from
 *       a location to its nearest word, updated with the step's mean over both teacher views before the
 *       assignment (as the code, which updates it in the teacher's forward pass); stored after the step.
 *   <li>Generator: L2-normalised word → Linear(hidden, no bias) → BN → ReLU → Linear(C) → L2-normalised, hidden =
 *       2·C (the code's {@code num_channels * 2}).
 *   <li>Teacher: momentum copy of the encoder, τ from 0.99 to 1 on a cosine over the schedule (the paper's).
 * </ul>
 *
 * <p>What differs from the paper: one BoW level, the last stage (the paper uses two, ResNet's conv4 and conv5);
 * K 2048 by default for CPU (the paper 8192 per level); views: two global crops, each the teacher's input for the
 * other's student prediction (BYOL's symmetric scheme), plus {@code local-views} small crops that predict both
 * targets, 0 by default on CPU (the paper: the teacher sees one 224 px crop, the student two 160 px crops and five
 * 96 px patches); the loss is the cross-entropy averaged over (target, student view) pairs (the code sums the
 * crop types' KL divergences, the same gradient up to the pairs' weights); and the student's pooled feature is
 * L2-normalised before the κ-scaled product with the generated weights ({@code normalize-features=true}; the paper
 * and the code scale the raw feature). With the raw feature the student first lowers the loss by shrinking its
 * feature's norm, flattening every prediction towards uniform: in 100 steps of the smoke test's setting (width 8,
 * batch 16, K 128, τ from 0.9, 3 seeds) the loss only fell to about ln K (4.83) and the encoder's features spread
 * to 0.036-0.043 (std of normalised features), against a loss falling below ln K (4.7 → 4.5) and 0.058-0.063 with
 * the cosine.
 *
 * <p>Options: {@code vocabulary-size} (2048, at least the batch size), {@code inv-delta} (15), {@code kappa} (8),
 * {@code bow-pooling} ({@code max} or {@code avg}; max), {@code normalize-features} (true; the paper false),
 * {@code generator-hidden} (2 × the feature dimension),
 * {@code tau-base} (0.99), {@code tau-end} (1.0), {@code local-views} (0), {@code local-size},
 * {@code augmentation}. Needs a ResNet encoder (a vision transformer has no spatial feature map here).
 */
public final class Obow extends MomentumMethod {

    public static final String NAME = "obow";
    // the released ImageNet configs: SGD at 0.03 for batch 256 (momentum 0.9, weight decay 1e-4), i.e. 0.0075 at the
    // demo's batch 64; there `bench quality --images 12800` gave kNN@20 0.224 with it and 0.2865 with the general
    // SGD default 0.05 (random encoder 0.278, 2,000 test images), so the general default stays
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "OBoW (Gidaris et al. 2021): predict the teacher's bag of visual words over an online vocabulary",
            MethodDescriptor.SGD_DEFAULTS, Obow::new);

    private static final long WORD_SEED = 0x0b0f_5eedL;
    private static final int TEACHER_VIEWS = 2;
    private static final int LOCAL_WINDOW = 3;
    private static final double DISTANCE_DECAY = 0.99;
    private static final double DISTANCE_START = 0.5;

    private final int vocabularySize;
    private final BagOfWordsTarget target;
    private final BowPredictionLoss loss;
    private final MlpHead generatorSpec;
    private final MultiCrop multiCrop;
    private Block generator;
    private FeatureQueue vocabulary;
    private ScalarMovingAverage nearestWordDistance;
    // this step's words and distance mean: stored after the step, so a skipped step changes nothing
    private NDArray pendingWords;
    private float pendingDistance;
    private double targetPerplexity; // exp of the targets' mean entropy: how many words an image's bag spreads over

    public Obow(MethodSettings settings) {
        super(NAME, settings, 0.99, 1.0);
        if (!StageFeatureMap.supports(settings.encoder())) {
            throw new IllegalArgumentException(NAME + " needs a ResNet encoder (its targets come from the last stage's"
                    + " spatial feature map), got " + settings.encoder().arch() + ": use resnet18, resnet34 or resnet50");
        }
        vocabularySize = intOption("vocabulary-size", 2048, 2);
        int batch = settings.batchSize();
        requireFitsBatch(vocabularySize >= batch, "vocabulary-size", "%1$s = " + vocabularySize + " must be at least"
                + " %2$s = " + batch + " (each step adds one word per image); allowed are %1$s >= " + batch
                + ", or %2$s <= " + vocabularySize);
        target = new BagOfWordsTarget(doubleOption("inv-delta", 15, 1e-3, 1e4),
                BagOfWordsTarget.Pooling.parse(stringOption("bow-pooling", "max")));
        loss = new BowPredictionLoss(doubleOption("kappa", 8, 1e-3, 1e3), booleanOption("normalize-features", true));
        int channels = settings.encoder().featureDim();
        generatorSpec = MlpHead.predictor(intOption("generator-hidden", 2 * channels, 1), channels);
        multiCrop = multiCrop(TEACHER_VIEWS, 0);
        rejectUnknownOptions();
    }

    private boolean booleanOption(String key, boolean defaultValue) {
        String v = stringOption(key, String.valueOf(defaultValue));
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(NAME + ": option '" + key + "' must be true or false, got '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return multiCrop.plan(imageSize, preset(imageSize, "cifar-symmetric", "mocov2"));
    }

    @Override
    protected void createHeads(Shape features) {
        int channels = (int) features.get(1); // a ResNet's last stage has as many channels as its pooled feature
        generator = addStudent("generator", generatorSpec.block(), new Shape(vocabularySize, channels));
        vocabulary = addState("vocabulary-queue",
                new FeatureQueue("obow vocabulary", manager, vocabularySize, channels, false));
        try (NDArray r = manager.randomNormal(new Shape(vocabularySize, channels)); NDArray words = r.maximum(0f)) {
            vocabulary.rows().set(new NDIndex(":"), words); // the code's randn(K, C).clamp(min=0)
        }
        nearestWordDistance = addState("nearest-word-distance", new ScalarMovingAverage(
                "obow nearest-word distance", manager, DISTANCE_START, DISTANCE_DECAY));
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        requireViews(views);
        NDManager scratch = views.get(0).getManager();
        NDArray words = vocabulary.rows().duplicate(); // this step's vocabulary, owned by the step
        words.attach(scratch);

        List<NDArray> distances = new ArrayList<>(TEACHER_VIEWS);
        NDArray firstMap = null;
        double nearest = 0;
        for (int a = 0; a < TEACHER_VIEWS; a++) {
            NDArray map = innerLocations(
                    StageFeatureMap.of(teacherBlock("encoder"), ps, views.get(a), true).stopGradient());
            firstMap = firstMap == null ? map : firstMap;
            NDArray d = BagOfWordsTarget.squaredDistances(map, words);
            nearest += BagOfWordsTarget.meanMinDistance(d).getFloat() / TEACHER_VIEWS;
            distances.add(d);
        }
        pendingDistance = nearestWordDistance.next(nearest);
        List<NDArray> targets = new ArrayList<>(TEACHER_VIEWS);
        double entropy = 0;
        for (NDArray d : distances) {
            NDArray t = target.compute(d, pendingDistance);
            entropy += t.mul(t.add(1e-12f).log()).sum(new int[] {1}).mean().neg().getFloat() / TEACHER_VIEWS;
            targets.add(t);
        }
        targetPerplexity = Math.exp(entropy);
        pendingWords = sampledWords(firstMap, step);

        NDArray generated = run(generator, ps, NormalizedMseLoss.l2Normalize(words));
        List<NDArray> logits = new ArrayList<>(views.size());
        NDArray y0 = null;
        for (NDArray view : views) {
            NDArray y = encode(ps, view);
            y0 = y0 == null ? y : y0;
            logits.add(loss.logits(y, generated));
        }
        // no projection: the trainer watches the pooled feature for collapse (the logits share one dominant direction,
        // κ·f against words that all lie near the teacher's mean feature, whether or not the encoder collapses)
        return new Forward(loss.compute(logits, targets), y0, y0);
    }

    /** The map without its border (the released code's {@code [:, :, 1:-1, 1:-1]}) when at least 3×3 remain. */
    static NDArray innerLocations(NDArray map) {
        long h = map.getShape().get(2);
        long w = map.getShape().get(3);
        if (h < 5 || w < 5) {
            return map;
        }
        return map.get(new NDIndex(":, :, 1:" + (h - 1) + ", 1:" + (w - 1)));
    }

    /** One word per image (N, C): the 3×3-averaged map at a location drawn from the step. */
    static NDArray sampledWords(NDArray map, long step) {
        Shape s = map.getShape();
        long window = Math.min(LOCAL_WINDOW, Math.min(s.get(2), s.get(3)));
        NDArray averaged = Pool.avgPool2d(map, new Shape(window, window), new Shape(1, 1), new Shape(0, 0), false,
                true);
        int n = (int) s.get(0);
        long c = s.get(1);
        int locations = (int) (averaged.getShape().get(2) * averaged.getShape().get(3));
        long[] rows = wordLocations(n, locations, step);
        NDArray all = averaged.reshape(n, c, locations).transpose(0, 2, 1).reshape((long) n * locations, c);
        return all.get(new NDIndex("{}", map.getManager().create(rows)));
    }

    /** Row {@code i · locations + ℓ_i} of each image i, ℓ_i uniform in [0, locations), drawn from the step. */
    static long[] wordLocations(int images, int locations, long step) {
        Random random = new Random(WORD_SEED ^ step);
        long[] rows = new long[images];
        for (int i = 0; i < images; i++) {
            rows[i] = (long) i * locations + random.nextInt(locations);
        }
        return rows;
    }

    @Override
    public void afterOptimizerStep(long step) {
        super.afterOptimizerStep(step);
        vocabulary.push(pendingWords);
        nearestWordDistance.set(pendingDistance);
        pendingWords = null;
    }

    @Override
    public Map<String, Double> scalars(long step) {
        Map<String, Double> out = super.scalars(step);
        out.put("nearest-word-distance", (double) nearestWordDistance.value());
        out.put("target-perplexity", targetPerplexity);
        return out;
    }
}
