package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.streamssl.models.encoder.EncoderSpec;
import io.streamssl.models.encoder.Stem;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * OBoW's own pieces (the target and the loss are in {@code LossTest}): which locations it assigns, the words it
 * adds to the vocabulary against a plain-double 3×3 average, its defaults and its option checks.
 */
class ObowTest {

    @Test
    void eachImageAddsThe3x3AverageAtALocationDrawnFromTheStep() {
        int n = 3;
        int c = 2;
        int side = 4;
        java.util.Random random = new java.util.Random(5);
        float[] values = new float[n * c * side * side];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray map = m.create(values, new Shape(n, c, side, side));
            long step = 17;
            float[] words = Obow.sampledWords(map, step).toFloatArray();
            long[] rows = Obow.wordLocations(n, 4, step); // a 4×4 map has 2×2 windows of 3×3
            for (int i = 0; i < n; i++) {
                int location = (int) (rows[i] - 4L * i);
                assertThat(location).isBetween(0, 3);
                int top = location / 2;
                int left = location % 2;
                for (int ch = 0; ch < c; ch++) {
                    double sum = 0;
                    for (int y = top; y < top + 3; y++) {
                        for (int x = left; x < left + 3; x++) {
                            sum += values[((i * c + ch) * side + y) * side + x];
                        }
                    }
                    assertThat((double) words[i * c + ch]).as("image %d channel %d", i, ch)
                            .isCloseTo(sum / 9, Offset.offset(1e-5));
                }
            }
        }
        assertThat(Obow.wordLocations(8, 9, 3)).as("the same step draws the same locations")
                .containsExactly(Obow.wordLocations(8, 9, 3));
        assertThat(Obow.wordLocations(8, 9, 3)).isNotEqualTo(Obow.wordLocations(8, 9, 4));
    }

    @Test
    void theBorderIsDroppedOnlyWhereAtLeast3x3LocationsRemain() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray big = m.arange(2 * 7 * 7).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                    .reshape(1, 2, 7, 7);
            NDArray inner = Obow.innerLocations(big);
            assertThat(inner.getShape()).isEqualTo(new Shape(1, 2, 5, 5));
            assertThat(inner.getFloat(0, 0, 0, 0)).as("row 1, column 1 of the map").isEqualTo(8f);
            NDArray small = m.zeros(new Shape(1, 2, 4, 4)); // 32 px, CIFAR stem
            assertThat(Obow.innerLocations(small).getShape()).isEqualTo(new Shape(1, 2, 4, 4));
        }
    }

    @Test
    void defaultsAreThePapersOrSaySoAndBadOptionsAreRejected() {
        MethodSettings defaults = new MethodSettings(EncoderSpec.resnet18Cifar(), 1000, 256, Map.of());
        SslMethod obow = SslMethods.create("obow", defaults);
        assertThat(obow.options()).containsEntry("vocabulary-size", "2048").containsEntry("inv-delta", "15.0")
                .containsEntry("kappa", "8.0").containsEntry("bow-pooling", "max")
                .containsEntry("normalize-features", "true")
                .containsEntry("generator-hidden", "1024").containsEntry("tau-base", "0.99")
                .containsEntry("tau-end", "1.0").containsEntry("local-views", "0");
        assertThat(obow.viewPlan(32).describe()).isEqualTo("2×32px cifar-symmetric; teacher: 0,1");
        assertThat(SslMethods.descriptor("obow").optimizerDefaults().learningRate(64)).isEqualTo(0.05);
        assertThatThrownBy(() -> SslMethods.create("obow", settings(256, Map.of("vocabulary-size", "128"))))
                .isInstanceOf(BatchSizeConflict.class).hasMessageContaining("vocabulary-size");
        assertThatThrownBy(() -> SslMethods.create("obow", settings(16, Map.of("bow-pooling", "sum"))))
                .hasMessageContaining("allowed are max, avg");
        assertThatThrownBy(() -> SslMethods.create("obow", settings(16, Map.of("kappa", "0"))))
                .hasMessageContaining("kappa");
        assertThatThrownBy(() -> SslMethods.create("obow", settings(16, Map.of("normalize-features", "yes"))))
                .hasMessageContaining("'normalize-features' must be true or false");
        assertThatThrownBy(() -> SslMethods.create("obow", new MethodSettings(new EncoderSpec("vit-tiny", Stem.CIFAR,
                8), 1000, 16, Map.of()))).hasMessageContaining("needs a ResNet encoder").hasMessageContaining("vit-tiny");
    }

    private static MethodSettings settings(int batch, Map<String, String> options) {
        return new MethodSettings(EncoderSpec.resnet18Cifar(), 1000, batch, options);
    }
}
