package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.encoder.StageFeatureMap;
import io.streamssl.models.head.PixelDecoder;
import io.streamssl.models.loss.PixelRegressionLoss;
import java.util.List;
import java.util.Locale;

/**
 * Context encoder (Pathak et al. 2016, "Context Encoders: Feature Learning by Inpainting"): a region of each view is
 * removed, the encoder sees the rest, and a decoder reconstructs the removed pixels; the loss is the squared error
 * on the removed region only ({@link PixelRegressionLoss} with the mask), against the view as the trainer normalised
 * it. Removed pixels are set to 0, the data set's mean colour after normalisation (the paper fills with the mean).
 *
 * <p>The region ({@link RegionMask}): by default random blocks covering up to a quarter of the image, the paper's
 * random-block variant (§3.3): with the central square the paper finds the features latch onto the fixed square's
 * boundary, and its "random region" masks are PASCAL segmentation shapes, a data set this stream does not have. {@code mask=central} selects the paper's central square (side/2). The mask is drawn
 * from the step, so a resumed run masks alike; the view itself is an ordinary crop and flip (the {@code mae} preset):
 * the target is the unmasked view, so the mask cannot be painted in by the augmentation.
 *
 * <p>Only the reconstruction (L2) term: the paper's adversarial term needs a discriminator trained in alternation
 * with its own optimiser, which the single-optimiser trainer has not, and the paper motivates it by sharper
 * inpaintings (it handles the several plausible fillings L2 averages), an output this method throws away. No 7-pixel overlap band with a 10× weight. The decoder is a light one
 * ({@link PixelDecoder}: 3×3 conv, BN, ReLU, 1×1 conv, pixel shuffle to the full side) on the encoder's last stage
 * map ({@link StageFeatureMap}), not the paper's channel-wise fully connected layer and up-convolutions; it
 * predicts every pixel and only the removed ones count. ResNet encoders only.
 *
 * <p>Options: {@code mask} (random-blocks | central), {@code mask-coverage} (0.25), {@code block-fraction} (0.25:
 * a block's side over the image's), {@code decoder-hidden} (256). The paper's optimiser: Adam at 2e-4 for batch 64
 * (β₁ 0.5): AdamW here, scaled.
 */
public final class ContextEncoder extends PixelPredictionMethod {

    public static final String NAME = "context-encoder";
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "Context encoder (Pathak et al. 2016): inpaint random blocks, L2 on the removed pixels",
            OptimizerDefaults.scaled("adamw", 2e-4, 64), ContextEncoder::new);

    static final List<String> MASKS = List.of("random-blocks", "central");

    private final String mask;
    private final double coverage;
    private final double blockFraction;
    private final int decoderHidden;
    private Block decoder;

    public ContextEncoder(MethodSettings settings) {
        super(NAME, settings);
        mask = stringOption("mask", "random-blocks").toLowerCase(Locale.ROOT);
        if (!MASKS.contains(mask)) {
            throw new IllegalArgumentException(NAME + ": option 'mask' must be one of " + MASKS + ", got '" + mask + "'");
        }
        coverage = doubleOption("mask-coverage", 0.25, 0.01, 0.9);
        blockFraction = doubleOption("block-fraction", 0.25, 0.01, 1);
        decoderHidden = intOption("decoder-hidden", 256, 1);
        rejectUnknownOptions();
    }

    @Override
    protected void createHeads(Shape features) {
        Shape map = StageFeatureMap.shape(encoder(), viewShape());
        long side = viewShape().get(2);
        if (side % map.get(2) != 0) {
            throw new IllegalArgumentException(NAME + ": the image side " + side + " must be a multiple of the "
                    + "encoder's feature map side " + map.get(2));
        }
        decoder = addStudent("decoder", PixelDecoder.build(decoderHidden, 3, (int) (side / map.get(2))), map);
    }

    /** The regions removed at {@code step} from {@code images} views of side {@code side}. */
    RegionMask regions(int images, int side, long step) {
        if (mask.equals("central")) {
            return RegionMask.central(images, side);
        }
        int block = Math.max(1, (int) Math.round(blockFraction * side));
        return RegionMask.randomBlocks(images, side, block, coverage, step);
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        requireViews(views);
        NDArray view = views.get(0).stopGradient();
        int n = (int) view.getShape().get(0);
        NDArray removed = regions(n, (int) view.getShape().get(2), step).toArray(view.getManager())
                .toDevice(view.getDevice(), false);
        NDArray context = view.mul(removed.neg().add(1f)); // removed pixels at 0: the mean colour
        NDArray map = StageFeatureMap.of(encoder(), ps, context, true);
        NDArray prediction = run(decoder, ps, map);
        NDArray loss = PixelRegressionLoss.compute(prediction, view, removed);
        NDArray pooled = pooled(map); // the encoder's own pooled feature
        return new Forward(loss, pooled, pooled);
    }
}
