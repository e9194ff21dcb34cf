package io.streamssl.models.snapshot;

import java.util.Map;

/**
 * torchvision's ResNet-18/34 forward pass (basic blocks) in plain Java doubles, written from torchvision's
 * {@code resnet.py} with the CIFAR stem: conv1 3×3 stride 1 pad 1, bn1, ReLU (no max-pool); per block
 * {@code relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))}, conv1 carrying the stride, the shortcut
 * {@code downsample.1(downsample.0(x))} (1×1 conv with the stride, BN) where the state dict has one; eval-mode
 * BN {@code (x − running_mean) / sqrt(running_var + 1e-5) · weight + bias}; global average pooling. It reads
 * weights only by their torchvision names, so it checks the names as well as the values.
 */
final class TorchvisionResNetInDoubles {

    private static final double BN_EPS = 1e-5;
    private final Map<String, SafetensorsParser.Tensor> weights;

    TorchvisionResNetInDoubles(Map<String, SafetensorsParser.Tensor> weights) {
        this.weights = weights;
    }

    /** Embeds one normalised image [3][H][W]. */
    double[] embed(double[][][] x) {
        x = relu(bn(conv(x, "conv1.weight", 1, 1), "bn1"));
        for (int layer = 1; layer <= 4; layer++) {
            for (int b = 0; weights.containsKey("layer" + layer + "." + b + ".conv1.weight"); b++) {
                x = basicBlock(x, "layer" + layer + "." + b, layer > 1 && b == 0 ? 2 : 1);
            }
        }
        double[] out = new double[x.length];
        for (int c = 0; c < x.length; c++) {
            double sum = 0;
            for (double[] row : x[c]) {
                for (double v : row) {
                    sum += v;
                }
            }
            out[c] = sum / (x[c].length * x[c][0].length);
        }
        return out;
    }

    private double[][][] basicBlock(double[][][] x, String prefix, int stride) {
        double[][][] out = relu(bn(conv(x, prefix + ".conv1.weight", stride, 1), prefix + ".bn1"));
        out = bn(conv(out, prefix + ".conv2.weight", 1, 1), prefix + ".bn2");
        double[][][] shortcut = weights.containsKey(prefix + ".downsample.0.weight")
                ? bn(conv(x, prefix + ".downsample.0.weight", stride, 0), prefix + ".downsample.1")
                : x;
        for (int c = 0; c < out.length; c++) {
            for (int i = 0; i < out[c].length; i++) {
                for (int j = 0; j < out[c][i].length; j++) {
                    out[c][i][j] += shortcut[c][i][j];
                }
            }
        }
        return relu(out);
    }

    private double[][][] conv(double[][][] x, String name, int stride, int pad) {
        SafetensorsParser.Tensor t = weights.get(name);
        float[] w = t.floats();
        int outC = (int) t.shape()[0];
        int inC = (int) t.shape()[1];
        int k = (int) t.shape()[2];
        int h = x[0].length;
        int wd = x[0][0].length;
        int oh = (h + 2 * pad - k) / stride + 1;
        int ow = (wd + 2 * pad - k) / stride + 1;
        double[][][] out = new double[outC][oh][ow];
        for (int o = 0; o < outC; o++) {
            for (int c = 0; c < inC; c++) {
                for (int ki = 0; ki < k; ki++) {
                    for (int kj = 0; kj < k; kj++) {
                        double wv = w[((o * inC + c) * k + ki) * k + kj];
                        for (int i = 0; i < oh; i++) {
                            int yi = i * stride - pad + ki;
                            if (yi < 0 || yi >= h) {
                                continue;
                            }
                            for (int j = 0; j < ow; j++) {
                                int xj = j * stride - pad + kj;
                                if (xj >= 0 && xj < wd) {
                                    out[o][i][j] += wv * x[c][yi][xj];
                                }
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    private double[][][] bn(double[][][] x, String prefix) {
        float[] gamma = weights.get(prefix + ".weight").floats();
        float[] beta = weights.get(prefix + ".bias").floats();
        float[] mean = weights.get(prefix + ".running_mean").floats();
        float[] var = weights.get(prefix + ".running_var").floats();
        for (int c = 0; c < x.length; c++) {
            double scale = gamma[c] / Math.sqrt(var[c] + BN_EPS);
            for (double[] row : x[c]) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = (row[j] - mean[c]) * scale + beta[c];
                }
            }
        }
        return x;
    }

    private static double[][][] relu(double[][][] x) {
        for (double[][] plane : x) {
            for (double[] row : plane) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = Math.max(0, row[j]);
                }
            }
        }
        return x;
    }
}
