package io.streamssl.models.head;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import org.junit.jupiter.api.Test;

/** The pixel shuffle against PyTorch's index rule worked out by hand, and the decoder's output shape. */
class PixelDecoderTest {

    @Test
    void pixelShuffleMovesChannelsToSpaceAsPytorchDoes() {
        int c = 2;
        int r = 2;
        int h = 2;
        int w = 3;
        float[] in = new float[c * r * r * h * w];
        for (int i = 0; i < in.length; i++) {
            in[i] = i;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            float[] out = PixelDecoder.pixelShuffle(m.create(in, new Shape(1, c * r * r, h, w)), r).toFloatArray();
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        for (int i = 0; i < r; i++) {
                            for (int j = 0; j < r; j++) {
                                // out[ch, y·r + i, x·r + j] = in[ch·r² + i·r + j, y, x]
                                float expected = in[((ch * r * r + i * r + j) * h + y) * w + x];
                                float got = out[(ch * h * r + y * r + i) * w * r + x * r + j];
                                assertThat(got).as("c %d y %d x %d i %d j %d", ch, y, x, i, j).isEqualTo(expected);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void decodesAFeatureMapToAnImageUpscaledByR() {
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock decoder = PixelDecoder.build(8, 3, 4);
            decoder.initialize(m, DataType.FLOAT32, new Shape(2, 16, 4, 4));
            var out = decoder.forward(new ai.djl.training.ParameterStore(m, false),
                    new ai.djl.ndarray.NDList(m.randomNormal(new Shape(2, 16, 4, 4))), false).singletonOrThrow();
            assertThat(out.getShape()).isEqualTo(new Shape(2, 3, 16, 16));
            assertThat(decoder.getOutputShapes(new Shape[] {new Shape(2, 16, 4, 4)})[0])
                    .isEqualTo(new Shape(2, 3, 16, 16));
        }
    }
}
