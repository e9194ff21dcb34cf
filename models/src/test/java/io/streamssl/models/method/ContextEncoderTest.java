package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.streamssl.models.encoder.EncoderSpec;
import io.streamssl.models.encoder.Stem;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The context encoder's encoder never sees the removed pixels: changing them leaves its features bit for bit as
 * they were and changes only the loss (they are the target); a pixel outside the region changes the features.
 */
class ContextEncoderTest {

    static final int N = 4;
    static final int SIDE = 32;

    static MethodSettings settings(Map<String, String> options) {
        return new MethodSettings(new EncoderSpec("resnet18", Stem.CIFAR, 8), 100, N, options);
    }

    @Test
    void removedPixelsReachTheLossButNotTheEncoder() {
        ContextEncoder method = (ContextEncoder) SslMethods.create("context-encoder",
                settings(Map.of("decoder-hidden", "16")));
        Engine.getInstance();
        JniUtils.setGradMode(false); // as SslTrainer does
        try (NDManager manager = NDManager.newBaseManager()) {
            method.initialize(manager, new Shape(N, 3, SIDE, SIDE));
            long step = 5;
            float[][] removed = method.regions(N, SIDE, step).masked();
            float[] base = manager.randomNormal(new Shape(N, 3, SIDE, SIDE)).toFloatArray();
            float[] insideChanged = base.clone();
            float[] outsideChanged = base.clone();
            int outside = -1;
            for (int i = 0; i < N * 3 * SIDE * SIDE; i++) {
                int n = i / (3 * SIDE * SIDE);
                int pixel = i % (SIDE * SIDE);
                if (removed[n][pixel] == 1) {
                    insideChanged[i] += 1;
                } else if (outside < 0) {
                    outside = i;
                }
            }
            outsideChanged[outside] += 1;
            try (NDManager m = manager.newSubManager()) {
                ParameterStore ps = new ParameterStore(m, false);
                SslMethod.Forward a = forward(method, ps, m, base, step);
                SslMethod.Forward b = forward(method, ps, m, insideChanged, step);
                SslMethod.Forward c = forward(method, ps, m, outsideChanged, step);
                assertThat(b.features().toFloatArray()).as("features with the removed pixels changed")
                        .containsExactly(a.features().toFloatArray());
                assertThat(b.loss().getFloat()).as("the loss sees them").isNotEqualTo(a.loss().getFloat());
                assertThat(c.features().toFloatArray()).as("a context pixel changed")
                        .isNotEqualTo(a.features().toFloatArray());
            }
        }
    }

    static SslMethod.Forward forward(SslMethod method, ParameterStore ps, NDManager m, float[] pixels, long step) {
        NDArray view = m.create(pixels, new Shape(N, 3, SIDE, SIDE));
        return method.forward(ps, List.of(view), step);
    }

    @Test
    void optionsAreCheckedAndTheCentralSquareIsOneOfThem() {
        assertThatThrownBy(() -> SslMethods.create("context-encoder", settings(Map.of("mask", "square"))))
                .hasMessageContaining("'mask' must be one of [random-blocks, central]");
        assertThatThrownBy(() -> SslMethods.create("context-encoder", new MethodSettings(
                new EncoderSpec("vit-tiny", Stem.CIFAR, 8), 100, N, Map.of()))).hasMessageContaining("needs a ResNet");
        ContextEncoder central = (ContextEncoder) SslMethods.create("context-encoder",
                settings(Map.of("mask", "central")));
        assertThat(central.regions(N, SIDE, 3).masked()).isDeepEqualTo(RegionMask.central(N, SIDE).masked());
    }
}
