package io.streamssl.trainerbench;

import ai.djl.engine.Engine;
import io.streamssl.models.MultiCropBatch;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.StepResult;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.ViewBatch;
import io.streamssl.models.encoder.EncoderSpec;
import io.streamssl.models.encoder.Stem;
import io.streamssl.models.method.ViewPlan;
import io.streamssl.models.profile.NativeOpCount;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Our training step, alone, on whatever libtorch DJL finds ({@code PYTORCH_LIBRARY_PATH} with
 * {@code PYTORCH_VERSION}/{@code PYTORCH_FLAVOR}, its cache, or its download when {@code -Dai.djl.offline=false}):
 * random uint8 views of one fixed set of batches, timed steps after untimed warm-up ones, then one step under
 * libtorch's profiler for the native operator calls per phase. One line on any machine with a JDK 17:
 * {@code java -jar trainer-bench.jar --device gpu --method byol --batch 512}.
 */
@Command(name = "trainer-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time the streamssl trainer's step on random views and count its native libtorch calls.")
public final class TrainerBench implements Callable<Integer> {

    @Option(names = "--device", defaultValue = "auto",
            description = "cpu, gpu, gpu:N or auto (a GPU when DJL sees one). Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--method", defaultValue = "byol", description = "SSL method, with its default heads and "
            + "optimiser (byol, simclr, mocov2, mocov3, simsiam, dino, swav, barlowtwins, vicreg). Default: "
            + "${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--batch", defaultValue = "512", description = "Images per step. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--width", defaultValue = "64",
            description = "ResNet-18 base width (64: the standard network; the demo uses 16). Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(names = "--image-size", defaultValue = "32", description = "View side in px, CIFAR stem. Default: "
            + "${DEFAULT-VALUE}.")
    int imageSize;

    @Option(names = "--steps", defaultValue = "20", description = "Timed steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--option", description = "A method option, key=value, repeatable (e.g. projector-hidden=1024;"
            + " see `streamssl methods`). Default: the method's.")
    Map<String, String> methodOptions = new java.util.LinkedHashMap<>();

    @Option(names = "--optimizer", description = "sgd, lars or adamw (default: the method's).")
    String optimizer;

    @Option(names = "--flat-buffers", defaultValue = "true", arity = "1",
            description = "Parameters, teacher and optimiser slots in flat buffers (true/false). Default: "
                    + "${DEFAULT-VALUE}.")
    boolean flatBuffers;

    @Option(names = "--count-ops", defaultValue = "true", arity = "1",
            description = "After the timed steps, count one step's native calls (true/false). Default: "
                    + "${DEFAULT-VALUE}.")
    boolean countOps;

    PrintStream out = System.out;

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new TrainerBench());
        // a bad setting (unknown method option, no GPU for --device gpu) is a message, not a stack trace
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("trainer-bench: " + e.getMessage());
            return 2;
        });
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() {
        if (batch < 2 || steps < 1 || warmup < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--batch must be >= 2, --steps >= 1, --warmup >= 0");
        }
        TrainerSpec spec = spec();
        try (SslTrainer trainer = new SslTrainer(spec)) {
            Engine engine = Engine.getInstance();
            out.printf(Locale.ROOT, "trainer-bench: %s (%s), libtorch %s, device %s, %s%n", spec.method(),
                    spec.optimizer(), engine.getVersion(), trainer.device(),
                    spec.flatBuffers() ? "flat buffers" : "per-tensor updates");
            out.printf(Locale.ROOT, "trainer-bench: resnet18 width %d, %d px, batch %d, views %s%n", width, imageSize,
                    batch, trainer.viewPlan().describe());
            MultiCropBatch[] batches = new MultiCropBatch[2];
            SplittableRandom r = new SplittableRandom(7);
            for (int b = 0; b < batches.length; b++) {
                batches[b] = randomBatch(trainer.viewPlan(), batch, spec.probeClasses(), r);
            }
            for (int i = 0; i < warmup; i++) {
                trainer.step(batches[i % batches.length]);
            }
            trainer.resetPhaseTimes();
            long t0 = System.nanoTime();
            StepResult last = null;
            for (int i = 0; i < steps; i++) {
                last = trainer.step(batches[i % batches.length]);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            out.printf(Locale.ROOT, "trainer-bench: %d steps in %.2f s: %.1f samples/s, %.2f ms/step (last loss %.4f)%n",
                    steps, secs, steps * (double) batch / secs, 1000 * secs / steps, last.loss());
            StringBuilder times = new StringBuilder();
            trainer.phaseNanos().forEach((phase, nanos) -> times.append(times.length() == 0 ? "" : ", ")
                    .append(phase).append(String.format(Locale.ROOT, " %.2f", nanos / 1e6 / steps)));
            out.printf(Locale.ROOT, "trainer-bench: ms per step by phase: %s%n", times);
            if (countOps) {
                trainer.setCountNativeOps(true);
                trainer.step(batches[0]);
                Map<String, NativeOpCount> ops = trainer.lastStepOps();
                long total = ops.values().stream().mapToLong(NativeOpCount::topLevel).sum();
                StringBuilder parts = new StringBuilder();
                ops.forEach((phase, c) -> parts.append(parts.length() == 0 ? "" : ", ").append(phase).append(' ')
                        .append(c.topLevel()));
                out.printf(Locale.ROOT, "trainer-bench: native calls per step: %d (%s)%n", total, parts);
            }
        }
        return 0;
    }

    private TrainerSpec spec() {
        TrainerSpec base = TrainerSpec.byolCifar(8, batch, 10_000);
        TrainerSpec spec = new TrainerSpec(method, methodOptions, new EncoderSpec("resnet18", Stem.CIFAR, width), imageSize,
                batch, base.learningRate(), 0, 10_000, base.momentum(), base.weightDecay(), base.seed(), device,
                base.mean(), base.std(), base.probeClasses(), base.probeLearningRate(), Map.of())
                .withMethodOptimizerDefaults()
                .withTrainerOption("flat-buffers", String.valueOf(flatBuffers));
        return optimizer == null ? spec : spec.withTrainerOption("optimizer", optimizer);
    }

    /** {@code n} images of random pixels per crop group of {@code plan}, the first group with probe images. */
    static MultiCropBatch randomBatch(ViewPlan plan, int n, int probeClasses, SplittableRandom r) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(probeClasses);
        }
        List<ViewBatch> groups = new ArrayList<>();
        for (ViewPlan.CropGroup g : plan.groups()) {
            byte[] pixels = randomBytes(n * g.views() * g.size() * g.size() * 3, r);
            byte[] probe = groups.isEmpty() ? randomBytes(n * g.size() * g.size() * 3, r) : null;
            groups.add(new ViewBatch(n, g.views(), g.size(), g.size(), pixels, labels, probe));
        }
        return new MultiCropBatch(groups);
    }

    private static byte[] randomBytes(int length, SplittableRandom r) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i += 8) {
            long v = r.nextLong();
            for (int k = 0; k < 8 && i + k < length; k++) {
                out[i + k] = (byte) (v >>> (8 * k));
            }
        }
        return out;
    }
}
