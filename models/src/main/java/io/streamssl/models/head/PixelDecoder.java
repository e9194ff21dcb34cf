package io.streamssl.models.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;

/**
 * A light pixel decoder on an encoder's spatial feature map (the colorization and context-encoder heads): a 3×3
 * convolution to {@code hidden} channels, batch norm, ReLU, a 1×1 convolution to {@code out·r²} channels, then a
 * pixel shuffle (depth to space) by {@code r}. Input (N, C, h, w), output (N, out, h·r, w·r). Laid out as
 * PyTorch's {@code nn.Sequential(Conv2d(C, hidden, 3, padding=1, bias=False), BatchNorm2d(hidden), ReLU(),
 * Conv2d(hidden, out·r², 1), PixelShuffle(r))}, so its exported names are {@code 0.weight}, {@code 1.*},
 * {@code 3.weight|bias}.
 */
public final class PixelDecoder {

    private PixelDecoder() {}

    /**
     * @param hidden channels of the hidden layer
     * @param out channels predicted per output pixel (2 for ab, 3 for RGB)
     * @param upscale r, output pixels per feature-map location along each side
     */
    public static SequentialBlock build(int hidden, int out, int upscale) {
        if (hidden < 1 || out < 1 || upscale < 1) {
            throw new IllegalArgumentException("pixel decoder needs hidden, out and upscale >= 1, got " + hidden + ", "
                    + out + ", " + upscale);
        }
        SequentialBlock seq = new SequentialBlock();
        seq.add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(hidden)
                .optBias(false).build());
        seq.add(BatchNorm.builder().build());
        seq.add(Activation.reluBlock());
        seq.add(Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(out * upscale * upscale).build());
        seq.add(new LambdaBlock(x -> new NDList(pixelShuffle(x.singletonOrThrow(), upscale)), "pixel_shuffle"));
        return seq;
    }

    /** PyTorch's {@code pixel_shuffle}: (N, C·r², h, w) → (N, C, h·r, w·r), out[c, y·r + i, x·r + j] = in[c·r² + i·r + j, y, x]. */
    public static NDArray pixelShuffle(NDArray x, int r) {
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1) / ((long) r * r);
        long h = s.get(2);
        long w = s.get(3);
        return x.reshape(n, c, r, r, h, w).transpose(0, 1, 4, 2, 5, 3).reshape(n, c, h * r, w * r);
    }
}
