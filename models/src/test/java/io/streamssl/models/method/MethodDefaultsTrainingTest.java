package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.models.SslTrainer;
import io.streamssl.models.StepResult;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.encoder.EncoderSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every method trains with the optimiser and learning rate a user gets who sets neither (its {@link
 * OptimizerDefaults}), with the demo's 1024-wide heads and every other option at its default, on real images
 * (CIFAR-10 from the shared directory, generated images when it is absent). VICReg under the former global default,
 * SGD at 0.05, gave NaN at step 3 in {@code streamssl demo} (issue 12).
 *
 * <p>The default build runs ResNet-18 at width 8 on batches of 16 for 16 steps (2-11 s a method, under a minute for
 * all nine on 2 cores): the smallest network found that still reproduces that NaN at step 3, since the blow-up is
 * in the heads, not the encoder; 16 steps rather than 4 because Barlow Twins' features first narrow (to 0.7 of
 * their initial spread at step 12) before they spread. The test tagged {@code long} runs the demo's own network
 * (width 16, batch 64) for 30 steps (about 1 s a step, DINO's several).
 *
 * <p>Checks, with margins that hold on any CPU: (1) the loss is finite at every step; (2) it does not run away,
 * staying below {@code 2·|first| + 1} (SGD-trained VICReg multiplied it by 1e2 per step, Barlow Twins by 4.6 within
 * 16 steps; a working method changes it by tens of percent); (3) no collapse: the spread of the encoder's features
 * on fixed images ({@link MethodSmokeTest#embeddingStd}) stays above half of what it was at initialisation (it
 * grows 1.2-3.3-fold when a method learns; SGD-trained Barlow Twins took it to a fifth), and the spread of the
 * method's output embedding ({@code embedding-std}) above a quarter of its first steps' (MoCo v2's falls to 0.65
 * while its queue fills; collapse takes it to 0). Not for DINO, whose bottleneck output is dominated by one
 * direction from the start (see {@link MethodSmokeTest}).
 */
class MethodDefaultsTrainingTest {

    /** The demo's heads ({@code DemoCommand.DEMO_HEADS} in the CLI), set where the method has the option. */
    static final Map<String, String> DEMO_HEADS = Map.of("projector-hidden", "1024", "predictor-hidden", "1024");

    /** Every method, or those listed in {@code -Ddefaults.methods=vicreg,…} when trying by hand. */
    static Stream<String> methods() {
        String only = System.getProperty("defaults.methods", "");
        return SslMethods.names().stream().filter(m -> only.isEmpty() || List.of(only.split(",")).contains(m));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("methods")
    void trainsWithItsDefaultOptimizer(String method) {
        trainWithDefaults(method, 8, 16, Integer.getInteger("defaults.steps", 16));
    }

    @Tag("long")
    @ParameterizedTest(name = "{0}")
    @MethodSource("methods")
    void trainsWithItsDefaultOptimizerAtTheDemoSize(String method) {
        trainWithDefaults(method, 16, 64, 30);
    }

    static void trainWithDefaults(String method, int width, int batch, int steps) {
        TrainerSpec spec = specWithDefaults(method, width, batch);
        TrainingImages images = TrainingImages.load(1024, 11); // each method its own, so no run depends on another
        long t0 = System.nanoTime();
        try (SslTrainer trainer = new SslTrainer(spec)) {
            int dim = spec.encoder().featureDim();
            double featureStdBefore = MethodSmokeTest.embeddingStd(trainer, images, dim);
            float[] losses = new float[steps];
            double[] outputStds = new double[steps];
            for (int i = 0; i < steps; i++) {
                StepResult r = trainer.step(images.batch(batch, trainer.viewPlan()));
                losses[i] = r.loss();
                outputStds[i] = r.scalars().get("embedding-std");
                assertThat(r.loss()).as("%s loss at step %d (%s at %s)", method, i, spec.optimizer(),
                        spec.learningRate()).isFinite();
            }
            double featureStdAfter = MethodSmokeTest.embeddingStd(trainer, images, dim);
            double highest = 0;
            for (float loss : losses) {
                highest = Math.max(highest, Math.abs(loss));
            }
            int window = Math.max(1, steps / 4);
            double outputStdFirst = MethodSmokeTest.mean(outputStds, 0, window);
            double outputStdLast = MethodSmokeTest.mean(outputStds, steps - window, steps);
            System.out.printf(java.util.Locale.ROOT, "DEFAULTS %-12s %s, width %d, batch %d, %s at %.4f, %d steps:"
                    + " loss %.4f -> %.4f (highest %.4f) | embedding std %.4f -> %.4f | encoder-feature std %.4f ->"
                    + " %.4f | %.1f s%n", method, images.real() ? "cifar10" : "generated", width,
                    batch, spec.optimizer(), spec.learningRate(), steps, losses[0], losses[steps - 1], highest,
                    outputStdFirst, outputStdLast, featureStdBefore, featureStdAfter, (System.nanoTime() - t0) / 1e9);
            double reference = Math.max(Math.abs(losses[0]), chanceLevel(method, spec));
            assertThat(highest).as("%s: highest |loss| vs the first step's %.4f or chance %.4f (runs away)", method,
                    losses[0], reference).isLessThan(2 * reference + 1);
            assertThat(featureStdAfter).as("%s: encoder-feature std vs %.4f at initialisation (collapse)", method,
                    featureStdBefore).isGreaterThan(0.5 * featureStdBefore);
            if (!method.equals("dino") && !method.equals("ibot")) { // both report DINO's bottleneck
                assertThat(outputStdLast).as("%s: embedding std vs %.4f in the first steps (collapse)", method,
                        outputStdFirst).isGreaterThan(0.25 * outputStdFirst);
            }
        }
    }

    /**
     * The loss of a method that cannot yet tell its positive from the candidates, where the first step's is no
     * measure: MoCo v1's queue starts with random unit vectors, which at τ 0.07 are so easy that the first loss is
     * near 0 (0.02); it then rises towards log(K + 1) as real keys replace them. InstDisc's bank starts empty, so
     * its first loss is 0 and it rises towards log(K + 1) as images enter the bank. SEED's queue
     * starts empty likewise (one anchor, loss 0). 0 for the others.
     */
    static double chanceLevel(String method, TrainerSpec spec) {
        Map<String, String> options = SslMethods.create(method, spec.methodSettings()).options();
        String rows = switch (method) {
            case "mocov1", "seed" -> "queue-size";
            case "instdisc", "pirl" -> "bank-size"; // starts empty: the first loss is 0, then rises as negatives arrive
            default -> null;
        };
        return rows == null ? 0 : Math.log(Integer.parseInt(options.get(rows)) + 1);
    }

    /** What a job with {@code trainer.method=method} and the demo's heads gets: the method's optimiser defaults. */
    static TrainerSpec specWithDefaults(String method, int width, int batch) {
        Map<String, String> accepted = SslMethods.create(method, new MethodSettings(EncoderSpec.resnet18Cifar(),
                100_000, batch, Map.of())).options();
        Map<String, String> options = new HashMap<>(DEMO_HEADS);
        options.keySet().retainAll(accepted.keySet());
        if (method.equals("seed")) {
            options.put(Seed.TEACHER, SeedTeacher.snapshot().toString()); // the one option without a default
        }
        if (method.equals("sela") && batch < 64) {
            // its queue is 4 batches: at batch 64 that is 4 rows per default prototype (64); at a smaller test batch
            // keep the 4 rows per cluster, or each equipartition assigns every cluster one row and labels are noise
            options.put("prototypes", Integer.toString(batch));
        }
        return new TrainerSpec(method, options, MethodSmokeTest.encoderFor(method, width), 32, batch, 0.05, 0,
                100_000, 0.9, 1e-5, 42, "cpu", TrainerSpec.CIFAR_MEAN, TrainerSpec.CIFAR_STD, 10, 0.5)
                .withMethodOptimizerDefaults();
    }
}
