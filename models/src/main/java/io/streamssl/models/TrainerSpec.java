package io.streamssl.models;

import io.streamssl.models.encoder.EncoderSpec;
import io.streamssl.models.method.MethodDescriptor;
import io.streamssl.models.method.MethodSettings;
import io.streamssl.models.method.OptimizerDefaults;
import io.streamssl.models.method.SslMethods;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a {@link SslTrainer} is built from. Validated on construction, each message naming the field.
 *
 * @param method method name (see {@link io.streamssl.models.method.SslMethods})
 * @param methodOptions the method's own options by name
 * @param encoder the backbone
 * @param imageSize side of the square views, in pixels
 * @param batchSize images per step
 * @param learningRate peak learning rate (after warm-up)
 * @param warmupSteps linear warm-up steps
 * @param scheduleSteps horizon of the cosine schedules (learning rate, teacher momentum); they stay at their
 *     end value afterwards
 * @param momentum SGD momentum
 * @param weightDecay L2 weight decay (not on biases and norms)
 * @param seed seeds weight initialisation
 * @param device {@code cpu}, {@code gpu}, {@code gpu:N}, or {@code auto} (a GPU if DJL sees one)
 * @param mean per-channel mean for normalisation, in [0, 1] units
 * @param std per-channel standard deviation for normalisation
 * @param probeClasses classes of the online linear probe
 * @param probeLearningRate the probe's SGD learning rate
 * @param trainerOptions further trainer options by name: {@code optimizer} ({@code sgd} (default here; a job's
 *     default is its method's, see {@link #withMethodOptimizerDefaults}), {@code lars}, {@code adamw}),
 *     {@code weight-decay-end} (the weight decay follows a cosine from {@code weightDecay} to this over the schedule,
 *     DINO-style; default: constant), {@code lars-eta} (LARS trust coefficient, 0.02),
 *     {@code flat-buffers} ({@code true}/{@code false}, default false: see {@link #flatBuffers()}),
 *     {@code adamw-betas} ({@code b1,b2}, default {@code 0.9,0.999})
 */
public record TrainerSpec(
        String method,
        Map<String, String> methodOptions,
        EncoderSpec encoder,
        int imageSize,
        int batchSize,
        double learningRate,
        long warmupSteps,
        long scheduleSteps,
        double momentum,
        double weightDecay,
        long seed,
        String device,
        float[] mean,
        float[] std,
        int probeClasses,
        double probeLearningRate,
        Map<String, String> trainerOptions) {

    /** CIFAR-10 channel statistics (the usual values in SSL code). */
    public static final float[] CIFAR_MEAN = io.streamssl.models.method.InputNormalization.CIFAR.mean().clone();
    public static final float[] CIFAR_STD = io.streamssl.models.method.InputNormalization.CIFAR.std().clone();

    /** The trainer options {@link #trainerOptions} accepts. */
    public static final java.util.Set<String> TRAINER_OPTIONS = java.util.Set.of("optimizer", "weight-decay-end", "lars-eta",
            "flat-buffers", "adamw-betas");

    public TrainerSpec {
        Objects.requireNonNull(method, "method");
        trainerOptions = Map.copyOf(trainerOptions);
        for (String k : trainerOptions.keySet()) {
            if (!TRAINER_OPTIONS.contains(k)) {
                throw new IllegalArgumentException("unknown trainer option '" + k + "': allowed are "
                        + new java.util.TreeSet<>(TRAINER_OPTIONS));
            }
        }
        methodOptions = Map.copyOf(methodOptions);
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(device, "device");
        require(imageSize >= 8 && imageSize <= 1024, "image size", imageSize, "[8, 1024]");
        require(batchSize >= 2, "batch size", batchSize, ">= 2 (batch norm needs two samples)");
        require(learningRate > 0, "learning rate", learningRate, "> 0");
        require(warmupSteps >= 0 && warmupSteps < scheduleSteps, "warm-up steps", warmupSteps,
                "[0, schedule steps)");
        require(momentum >= 0 && momentum < 1, "momentum", momentum, "[0, 1)");
        require(weightDecay >= 0, "weight decay", weightDecay, ">= 0");
        require(mean.length == 3 && std.length == 3, "mean/std", mean.length, "3 values each");
        for (float s : std) {
            require(s > 0, "std", s, "> 0");
        }
        require(probeClasses >= 2, "probe classes", probeClasses, ">= 2");
        require(probeLearningRate > 0, "probe learning rate", probeLearningRate, "> 0");
        mean = mean.clone();
        std = std.clone();
        String opt = trainerOptions.getOrDefault("optimizer", "sgd");
        require(java.util.List.of("sgd", "lars", "adamw").contains(opt), "optimizer", opt, "one of sgd, lars, adamw");
        double wdEnd = number(trainerOptions, "weight-decay-end", weightDecay);
        require(wdEnd >= 0, "weight-decay-end", wdEnd, ">= 0");
        double eta = number(trainerOptions, "lars-eta", 0.02);
        require(eta > 0 && eta <= 1, "lars-eta", eta, "(0, 1]");
        adamBetas(trainerOptions); // a malformed or out-of-range pair fails here, naming the option
        String flat = trainerOptions.getOrDefault("flat-buffers", "false").trim();
        require(flat.equals("true") || flat.equals("false"), "trainer option 'flat-buffers'", flat, "true or false");
    }

    /**
     * Whether parameters, teacher and optimiser slots live in flat buffers, updated a few operators at a time
     * (trainer option {@code flat-buffers}, default false; see {@link io.streamssl.models.tensor.FlatParameters}).
     */
    public boolean flatBuffers() {
        return Boolean.parseBoolean(trainerOptions.getOrDefault("flat-buffers", "false").trim());
    }

    /** The spec as it was before trainer options existed: SGD with momentum, constant weight decay. */
    public TrainerSpec(String method, Map<String, String> methodOptions, EncoderSpec encoder, int imageSize,
            int batchSize, double learningRate, long warmupSteps, long scheduleSteps, double momentum,
            double weightDecay, long seed, String device, float[] mean, float[] std, int probeClasses,
            double probeLearningRate) {
        this(method, methodOptions, encoder, imageSize, batchSize, learningRate, warmupSteps, scheduleSteps, momentum,
                weightDecay, seed, device, mean, std, probeClasses, probeLearningRate, Map.of());
    }

    private static double number(Map<String, String> options, String key, double defaultValue) {
        String v = options.get(key);
        try {
            return v == null ? defaultValue : Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("trainer option '" + key + "' must be a number, got '" + v + "'");
        }
    }

    /** {@code sgd}, {@code lars} or {@code adamw}. */
    public String optimizer() {
        return trainerOptions.getOrDefault("optimizer", "sgd").trim().toLowerCase(java.util.Locale.ROOT);
    }

    /** The weight decay at the end of the schedule (equal to {@link #weightDecay()} unless set). */
    public double weightDecayEnd() {
        return number(trainerOptions, "weight-decay-end", weightDecay);
    }

    /** AdamW's (β1, β2): trainer option {@code adamw-betas}, default (0.9, 0.999). */
    public OptimizerDefaults.AdamBetas adamBetas() {
        return adamBetas(trainerOptions);
    }

    private static OptimizerDefaults.AdamBetas adamBetas(Map<String, String> options) {
        String v = options.get("adamw-betas");
        try {
            return v == null ? OptimizerDefaults.AdamBetas.DEFAULT : OptimizerDefaults.AdamBetas.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("trainer option 'adamw-betas': " + e.getMessage(), e);
        }
    }

    public double larsEta() {
        return number(trainerOptions, "lars-eta", 0.02);
    }

    /** What the method is built from: the encoder, the schedule, the batch size and the method's options. */
    public MethodSettings methodSettings() {
        return new MethodSettings(encoder, scheduleSteps, batchSize, methodOptions,
                new io.streamssl.models.method.InputNormalization(mean, std));
    }

    /** This spec with another method and its options. */
    public TrainerSpec withMethod(String newMethod, Map<String, String> newMethodOptions) {
        return new TrainerSpec(newMethod, newMethodOptions, encoder, imageSize, batchSize, learningRate, warmupSteps,
                scheduleSteps, momentum, weightDecay, seed, device, mean, std, probeClasses, probeLearningRate,
                trainerOptions);
    }

    /** This spec with another encoder. */
    public TrainerSpec withEncoder(EncoderSpec newEncoder) {
        return new TrainerSpec(method, methodOptions, newEncoder, imageSize, batchSize, learningRate, warmupSteps,
                scheduleSteps, momentum, weightDecay, seed, device, mean, std, probeClasses, probeLearningRate,
                trainerOptions);
    }

    /** This spec with one trainer option set. */
    public TrainerSpec withTrainerOption(String key, String value) {
        Map<String, String> options = new java.util.HashMap<>(trainerOptions);
        options.put(key, value);
        return new TrainerSpec(method, methodOptions, encoder, imageSize, batchSize, learningRate, warmupSteps,
                scheduleSteps, momentum, weightDecay, seed, device, mean, std, probeClasses, probeLearningRate,
                options);
    }

    /**
     * This spec with its method's default optimiser and learning rate at its batch size ({@link
     * MethodDescriptor#optimizerDefaults}), and its weight decay and AdamW betas where the method has its own: what
     * a job whose config sets none of them gets.
     */
    public TrainerSpec withMethodOptimizerDefaults() {
        OptimizerDefaults defaults = SslMethods.descriptor(method).optimizerDefaults();
        TrainerSpec s = withLearningRate(defaults.learningRate(batchSize)).withTrainerOption("optimizer",
                defaults.optimizer());
        if (defaults.weightDecay() != null) {
            s = s.withWeightDecay(defaults.weightDecay());
        }
        return defaults.adamBetas() == null ? s : s.withTrainerOption("adamw-betas", defaults.adamBetas().format());
    }

    /** This spec with another (constant, unless {@code weight-decay-end} is set) weight decay. */
    public TrainerSpec withWeightDecay(double decay) {
        return new TrainerSpec(method, methodOptions, encoder, imageSize, batchSize, learningRate, warmupSteps,
                scheduleSteps, momentum, decay, seed, device, mean, std, probeClasses, probeLearningRate,
                trainerOptions);
    }

    /** This spec with another learning rate. */
    public TrainerSpec withLearningRate(double lr) {
        return new TrainerSpec(method, methodOptions, encoder, imageSize, batchSize, lr, warmupSteps,
                scheduleSteps, momentum, weightDecay, seed, device, mean, std, probeClasses, probeLearningRate,
                trainerOptions);
    }

    private static void require(boolean ok, String field, Object value, String allowed) {
        if (!ok) {
            throw new IllegalArgumentException(field + " must be " + allowed + ", got " + value);
        }
    }

    /** BYOL on ResNet-18 (CIFAR stem) at 32 px with small test-friendly heads; a starting point for tests. */
    public static TrainerSpec byolCifar(int width, int batchSize, long scheduleSteps) {
        return new TrainerSpec("byol", Map.of("projector-hidden", "512", "predictor-hidden", "512",
                "projector-out", "128"), new EncoderSpec("resnet18", io.streamssl.models.encoder.Stem.CIFAR, width),
                32, batchSize, 0.05, 0, scheduleSteps, 0.9, 1e-5, 42, "cpu", CIFAR_MEAN, CIFAR_STD, 10, 0.05);
    }
}
