package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.streamssl.models.TrainerSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A garbage collection between a method's forward pass and its backward pass must not change a single bit of
 * its gradients. DJL's {@code NDArray.mul(Number)} (and {@code div}, {@code pow}, {@code maximum}, …) puts the
 * number in a tensor over a Java direct buffer and closes it at once; autograd keeps that tensor for the
 * backward pass, and once the GC has freed the buffer, backward reads whatever was allocated there since. That
 * made DINO's training depend on when the JVM collected (its loss divides by the temperatures). So every
 * forward pass here runs twice on the same parameters and views: once straight into backward, once with a
 * collection in between and the freed small native blocks re-allocated and filled with garbage, the worst
 * case of what a busy JVM does; both must give identical gradients, for every method.
 */
class GradientsSurviveGarbageCollectionTest {

    private static final int BATCH = 8;
    private static final float GARBAGE = 12345.678f;

    static Stream<Arguments> methods() {
        Map<String, String> proj = Map.of("projector-hidden", "32", "projector-out", "16");
        return Stream.of(
                Arguments.of("simclr", proj),
                Arguments.of("simclrv2", proj),
                Arguments.of("mocov2", MethodSmokeTest.with(proj, "queue-size", "64")),
                Arguments.of("mocov1", Map.of("projector-out", "16", "queue-size", "64")),
                Arguments.of("mocov3", MethodSmokeTest.with(proj, "predictor-hidden", "32")),
                Arguments.of("nnclr", MethodSmokeTest.with(MethodSmokeTest.with(proj, "predictor-hidden", "32"),
                        "queue-size", "64")),
                Arguments.of("byol", MethodSmokeTest.with(proj, "predictor-hidden", "32")),
                Arguments.of("simsiam", Map.of("projector-hidden", "32", "projector-out", "32",
                        "predictor-hidden", "8")),
                Arguments.of("dino", Map.of("out-dim", "64", "head-hidden", "32", "head-bottleneck", "16",
                        "local-views", "2")),
                Arguments.of("swav", Map.of("prototypes", "20", "projector-hidden", "32", "projector-out", "16",
                        "queue-size", "32", "local-views", "2")),
                Arguments.of("barlowtwins", Map.of("projector-hidden", "32", "projector-out", "32")),
                Arguments.of("vicreg", Map.of("projector-hidden", "32", "projector-out", "32")),
                Arguments.of("deepclusterv2", Map.of("prototypes", "10", "projector-hidden", "32", "projector-out",
                        "16", "queue-size", "32", "recluster-every", "2")),
                Arguments.of("sela", Map.of("prototypes", "10", "projector-hidden", "32", "projector-out", "16",
                        "queue-size", "32")),
                Arguments.of("instdisc", Map.of("projector-out", "16", "bank-size", "32")),
                Arguments.of("pirl", Map.of("projector-out", "16", "bank-size", "32")),
                Arguments.of("seed", SeedTeacher.options(Map.of("projector-hidden", "32", "queue-size", "32"))),
                Arguments.of("obow", Map.of("vocabulary-size", "32", "generator-hidden", "32")),
                Arguments.of("rotation", Map.of()),
                Arguments.of("exemplar-cnn", ExemplarCnnTest.SMALL),
                Arguments.of("jigsaw", JigsawTest.SMALL),
                Arguments.of("relative-patch-location", RelativePatchLocationTest.SMALL),
                Arguments.of("colorization", Map.of("decoder-hidden", "16")),
                Arguments.of("context-encoder", Map.of("decoder-hidden", "16")),
                Arguments.of("ibot", IbotTest.SMALL)); // on ViT-Tiny: see MethodSmokeTest.encoderFor
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("methods")
    void aCollectionBeforeBackwardChangesNoGradient(String name, Map<String, String> options) throws Exception {
        TrainerSpec spec = TrainerSpec.byolCifar(8, BATCH, 1000).withMethod(name, options)
                .withEncoder(MethodSmokeTest.encoderFor(name, 8));
        SslMethod method = SslMethods.create(name, spec.methodSettings());
        Engine.getInstance(); // loads libtorch, which the next line calls into
        JniUtils.setGradMode(false); // as SslTrainer does: initialising SwAV updates a leaf in place
        try (NDManager manager = NDManager.newBaseManager()) {
            method.initialize(manager, new Shape(BATCH, 3, 32, 32));
            Map<String, float[]> straight = gradients(method, manager, false);
            Map<String, float[]> collected = gradients(method, manager, true);
            assertThat(collected.keySet()).isEqualTo(straight.keySet());
            List<String> differing = new ArrayList<>();
            straight.forEach((param, g) -> {
                if (!java.util.Arrays.equals(g, collected.get(param))) {
                    differing.add(param);
                }
            });
            assertThat(differing).as("%s: parameters whose gradient changed when the GC ran before backward",
                    name).isEmpty();
        }
    }

    /** One forward and backward pass at step 5 on views fixed by a seed; returns, then zeroes, every gradient. */
    private static Map<String, float[]> gradients(SslMethod method, NDManager manager, boolean collectBeforeBackward)
            throws InterruptedException {
        List<Object> filler = null;
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager step = manager.newSubManager()) {
            List<NDArray> views = views(step, method.viewPlan(32));
            Engine engine = Engine.getInstance();
            synchronized (engine) {
                try (GradientCollector collector = engine.newGradientCollector()) {
                    SslMethod.Forward forward = method.forwardBatch(new ParameterStore(step, false), views,
                            new SslMethod.BatchContext(null, targets(method.name(), views.size())), 5);
                    if (collectBeforeBackward) {
                        filler = collectAndReallocateFreedNativeMemory();
                    }
                    collector.backward(forward.loss());
                }
            }
            for (Map.Entry<String, Parameter> p : method.trainableParameters().entrySet()) {
                try (NDArray g = p.getValue().getArray().getGradient()) {
                    out.put(p.getKey(), g.toFloatArray());
                    g.muli(0);
                }
            }
        }
        assertThat(filler == null || !filler.isEmpty()).isTrue(); // keeps the filler alive through backward
        return out;
    }

    /** Pretext targets for the methods that need them (image i of view v: i mod the classes), else none. */
    private static int[][] targets(String method, int views) {
        if (!method.equals("jigsaw") && !method.equals("relative-patch-location")) {
            return null;
        }
        int classes = method.equals("jigsaw") ? Jigsaw.PERMUTATIONS : RelativePatchLocation.POSITIONS;
        int[][] out = new int[views][BATCH];
        for (int[] view : out) {
            java.util.Arrays.setAll(view, i -> i % classes);
        }
        return out;
    }

    private static List<NDArray> views(NDManager m, ViewPlan plan) {
        Random random = new Random(7);
        List<NDArray> views = new ArrayList<>();
        for (int size : plan.sizes()) {
            float[] pixels = new float[BATCH * 3 * size * size];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) random.nextGaussian();
            }
            views.add(m.create(pixels, new Shape(BATCH, 3, size, size)));
        }
        return views;
    }

    /**
     * Lets the GC free every unreachable direct buffer, then takes the small native blocks back with buffers
     * full of {@link #GARBAGE}, so that a tensor still reading a freed buffer sees garbage rather than its
     * old value.
     */
    private static List<Object> collectAndReallocateFreedNativeMemory() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20); // the reference handler thread frees the buffers' memory after the collection
        }
        List<Object> filler = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(4 * (1 + i % 4)).order(ByteOrder.nativeOrder());
            while (b.remaining() >= 4) {
                b.putFloat(GARBAGE);
            }
            filler.add(b);
        }
        return filler;
    }
}
