package io.streamssl.models.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.streamssl.models.SslTrainer;
import io.streamssl.models.TrainerSpec;
import io.streamssl.models.ViewBatch;
import io.streamssl.models.encoder.EncoderSpec;
import io.streamssl.models.encoder.Stem;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check with PyTorch itself: a snapshot's {@code encoder.safetensors} loads into torchvision's
 * resnet18 with the CIFAR stem ({@code load_state_dict(strict=True)}) and embeds two images as
 * {@link SnapshotEncoder} does. Runs {@code src/test/python/torchvision_load_check.py} with
 * {@code /usr/bin/python3}; skipped when torch and torchvision do not import there.
 */
class TorchvisionLoadITCase {

    private static final String PYTHON = "/usr/bin/python3";
    private static final Path SCRIPT = Path.of("src/test/python/torchvision_load_check.py");

    @TempDir
    Path root;

    private static void assumeTorch() throws Exception {
        Assumptions.assumeTrue(run(List.of(PYTHON, "-c", "import torch, torchvision, numpy"), 120).exit() == 0,
                "skipped: " + PYTHON + " cannot import torch and torchvision; on Debian/Ubuntu install them with "
                        + "`apt-get install python3-torch python3-torchvision`");
    }

    /**
     * timm's ViT is not packaged for Debian: the script transcribes its forward pass under timm's module names
     * (strict loading checks the names), and it must embed as SnapshotEncoder does: fused qkv layout, LayerNorm
     * eps 1e-6, exact GELU, class-token pooling.
     */
    @Test
    void timmsVisionTransformerLoadsTheSnapshotAndEmbedsAsSnapshotEncoderDoes() throws Exception {
        assumeTorch();
        TrainerSpec spec = new TrainerSpec("simclr", Map.of("projector-hidden", "32", "projector-out", "16"),
                new EncoderSpec("vit-tiny", Stem.CIFAR, 8), 32, 4, 0.05, 0, 100, 0.9, 1e-5, 42, "cpu",
                TrainerSpec.CIFAR_MEAN, TrainerSpec.CIFAR_STD, 10, 0.05);
        try (SslTrainer trainer = new SslTrainer(spec)) {
            byte[] px = new byte[4 * 2 * 32 * 32 * 3];
            new Random(21).nextBytes(px);
            trainer.step(new ViewBatch(4, 2, 32, 32, px, new int[] {-1, -1, -1, -1}));
            compareWithPython(SnapshotWriter.write(root, trainer, Map.of()), 24);
        }
    }

    @Test
    void torchvisionsResnet18LoadsTheSnapshotAndEmbedsAsSnapshotEncoderDoes() throws Exception {
        assumeTorch();
        try (SslTrainer trainer = new SslTrainer(TorchvisionExportTest.simclr(64))) {
            byte[] px = new byte[4 * 2 * 32 * 32 * 3];
            new Random(11).nextBytes(px);
            trainer.step(new ViewBatch(4, 2, 32, 32, px, new int[] {-1, -1, -1, -1}));
            setAffine(trainer.method().encoder(), new Random(12));
            calibrateRunningStatistics(trainer.method().encoder(), new Random(14));
            compareWithPython(SnapshotWriter.write(root, trainer, Map.of()), 512);
        }
    }

    /** Embeds two random images with the script and with SnapshotEncoder; max difference below 1e-4. */
    private void compareWithPython(Path dir, int dim) throws Exception {
        byte[] images = new byte[2 * 32 * 32 * 3];
        new Random(13).nextBytes(images);
        Path raw = Files.write(root.resolve("images.u8"), images);
        Path out = root.resolve("embeddings.f32");
        Result r = run(List.of(PYTHON, SCRIPT.toString(), dir.toString(), raw.toString(), "2", "32",
                out.toString()), 600);
        assertThat(r.exit()).as("the python check failed:\n" + r.output()).isZero();
        System.out.println(r.output().trim());

        float[] torch = new float[2 * dim];
        ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(torch);
        try (SnapshotEncoder encoder = SnapshotEncoder.load(dir)) {
            float[] ours = encoder.embed(images, 2, 32, 32);
            assertThat(ours).hasSize(torch.length);
            double max = 0;
            double largest = 0;
            for (int i = 0; i < ours.length; i++) {
                max = Math.max(max, Math.abs(ours[i] - torch[i]));
                largest = Math.max(largest, Math.abs(ours[i]));
            }
            System.out.printf("%s: max |PyTorch - SnapshotEncoder| = %.3g over %d values (largest |value| %.4f)%n",
                    encoder.manifest().encoder().arch(), max, ours.length, largest);
            assertThat(largest).as("a non-trivial embedding").isGreaterThan(0.01);
            assertThat(max).as("max |PyTorch - SnapshotEncoder|").isLessThan(1e-4);
        }
    }

    /**
     * Running statistics of real activations: 20 training-mode forward passes (no gradient, no optimiser) of random
     * normalised images move each BN layer's running mean and variance 88% of the way to its batch statistics.
     * Made-up statistics would do as well for checking names, but let activations grow through 20 layers to
     * hundreds, where float32 rounding alone exceeds 1e-4; a trained network's are O(1).
     */
    private static void calibrateRunningStatistics(Block encoder, Random random) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            for (int pass = 0; pass < 20; pass++) {
                float[] x = new float[4 * 3 * 32 * 32];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) random.nextGaussian();
                }
                try (NDManager step = m.newSubManager()) {
                    encoder.forward(new ParameterStore(step, false),
                            new NDList(step.create(x, new Shape(4, 3, 32, 32))), true);
                }
            }
        }
    }

    /** Batch-norm affine parameters far from their initial 1 and 0, so a swapped weight and bias would show. */
    private static void setAffine(Block encoder, Random random) {
        for (Pair<String, Parameter> p : encoder.getParameters()) {
            String k = p.getKey();
            float lo;
            float span;
            if (k.endsWith("gamma")) {
                lo = 0.5f;
                span = 1f;
            } else if (k.endsWith("beta")) {
                lo = -0.2f;
                span = 0.4f;
            } else {
                continue;
            }
            NDArray a = p.getValue().getArray();
            float[] v = new float[(int) a.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = lo + span * random.nextFloat();
            }
            a.set(FloatBuffer.wrap(v));
        }
    }

    private record Result(int exit, String output) {}

    private static Result run(List<String> command, long timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1"); // a 2-core machine shared with the JVM and other builds
        Process p;
        try {
            p = pb.start();
        } catch (java.io.IOException e) {
            return new Result(-1, e.getMessage());
        }
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out after " + timeoutSeconds + " s: " + command);
        }
        return new Result(p.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
