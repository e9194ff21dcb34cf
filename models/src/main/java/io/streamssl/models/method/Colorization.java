package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.encoder.StageFeatureMap;
import io.streamssl.models.head.PixelDecoder;
import io.streamssl.models.loss.PixelRegressionLoss;
import io.streamssl.models.tensor.CieLab;
import java.util.List;

/**
 * Colorization (Zhang et al. 2016, "Colorful Image Colorization"): predict an image's colour from its lightness.
 * The view (crop and flip, no colour change: the {@code mae} preset) is converted to CIE Lab ({@link CieLab}); the
 * encoder sees the L channel as a 3-channel grey image (the view with a = b = 0, normalised as every view, so the
 * encoder is the same backbone with the same input as everywhere), and a light {@link PixelDecoder} on its last
 * stage's feature map ({@link StageFeatureMap}) predicts a and b at 1/{@code output-stride} of the side (the paper
 * predicts at 1/4 too), against the view's ab average-pooled to that size, both scaled by 1/110.
 *
 * <p>Regression, not the paper's classification over 313 quantised ab bins with class rebalancing: the rebalancing
 * weights are ImageNet's empirical ab distribution, which a stream does not have up front, and the bins' table is
 * data from the paper's release; the paper's case for classification is vivid colour (L2 regression averages the
 * plausible colours of a pixel into a desaturated one), a graphics goal, while here only the encoder is kept, and
 * two output channels a pixel keep the decoder light on a CPU. The loss is
 * the mean squared error over pixels and both channels ({@link PixelRegressionLoss}, the paper's L2 baseline).
 *
 * <p>Grey input and ab target are derived here, deterministically from the coloured view, not made by an
 * augmentation op: they are a pure function of the view (nothing random to seed), and a per-pixel target cannot
 * ride in the sample's one integer target per view, while carrying it would add bytes to every view on the stream.
 * Undoing the trainer's normalisation needs its mean and std ({@link MethodSettings#normalization}).
 *
 * <p>Options: {@code decoder-hidden} (256), {@code output-stride} (4). ResNet encoders only (the map is a ResNet
 * stage's). The paper trains with Adam at 3e-5 for batch 40 (β 0.9, 0.99, weight decay 1e-3): AdamW here, scaled.
 */
public final class Colorization extends PixelPredictionMethod {

    public static final String NAME = "colorization";
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "Colorization (Zhang et al. 2016): predict the ab colour channels from L, L2 regression",
            OptimizerDefaults.scaled("adamw", 3e-5, 40), Colorization::new);

    /** a and b of sRGB colours lie within about ±110 (skimage's gamut: a in [−86, 98], b in [−108, 95]). */
    static final float AB_SCALE = 110f;

    private final int decoderHidden;
    private final int outputStride;
    private Block decoder;

    public Colorization(MethodSettings settings) {
        super(NAME, settings);
        decoderHidden = intOption("decoder-hidden", 256, 1);
        outputStride = intOption("output-stride", 4, 1);
        rejectUnknownOptions();
    }

    @Override
    protected void createHeads(Shape features) {
        Shape map = StageFeatureMap.shape(encoder(), viewShape());
        long side = viewShape().get(2);
        if (side % outputStride != 0 || (side / outputStride) % map.get(2) != 0) {
            throw new IllegalArgumentException(NAME + ": the prediction's side, image side " + side + " / option "
                    + "'output-stride' " + outputStride + ", must be a whole multiple of the feature map's side "
                    + map.get(2) + ": choose an output-stride that divides " + side / map.get(2));
        }
        int upscale = (int) (side / outputStride / map.get(2));
        decoder = addStudent("decoder", PixelDecoder.build(decoderHidden, 2, upscale), map);
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        requireViews(views);
        NDArray rgb = settings.normalization().toUnitRgb(views.get(0).stopGradient());
        NDArray grey = greyInput(rgb);
        NDArray target = abTarget(rgb);
        NDArray map = StageFeatureMap.of(encoder(), ps, grey, true);
        NDArray prediction = run(decoder, ps, map);
        NDArray loss = PixelRegressionLoss.compute(prediction, target, null);
        NDArray pooled = pooled(map); // the encoder's own pooled feature of the grey view
        return new Forward(loss, pooled, pooled);
    }

    /** The encoder's input: the L channel of {@code rgb} (N, 3, H, W in [0, 1]) as a grey image, normalised. */
    NDArray greyInput(NDArray rgb) {
        return settings.normalization().normalize(CieLab.grey(rgb));
    }

    /** The decoder's target: the ab of {@code rgb} pooled to 1/output-stride of the side, divided by 110. */
    NDArray abTarget(NDArray rgb) {
        return averagePool(CieLab.lab(rgb).get(":, 1:3"), outputStride).div(AB_SCALE);
    }

    /** (N, C, H, W) → (N, C, H/s, W/s), each output the mean of its s×s block. */
    static NDArray averagePool(NDArray x, int s) {
        if (s == 1) {
            return x;
        }
        Shape shape = x.getShape();
        long h = shape.get(2) / s;
        long w = shape.get(3) / s;
        return x.reshape(shape.get(0), shape.get(1), h, s, w, s).mean(new int[] {5}).mean(new int[] {3});
    }
}
