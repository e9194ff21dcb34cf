package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.streamssl.models.encoder.VisionTransformer;
import io.streamssl.models.head.MaeDecoder;
import io.streamssl.models.loss.MaskedPixelLoss;
import java.util.List;

/**
 * MAE (He et al. 2022): masked autoencoding. Each image loses a random 75 % of its patches ({@link PatchMask}, a
 * different subset per image); the ViT encoder sees the visible patches only, a light {@link MaeDecoder} fills in
 * mask tokens and predicts the pixels of every patch, and the loss ({@link MaskedPixelLoss}) is the squared error
 * to the per-patch normalised pixels, on the masked patches. One view per image, cropped and flipped (the
 * {@code mae} augmentation preset).
 *
 * <p>Options: {@code mask-ratio} (0.75), {@code decoder-width} (128), {@code decoder-depth} (2),
 * {@code decoder-heads} (4), {@code augmentation}. The paper's and solo-learn's decoder is 512 wide, 8 deep, 16
 * heads; the default here is small so that a CPU trains it (set the three options for the published one). ViT
 * encoders only ({@code trainer.encoder} vit-tiny or vit-small).
 */
public final class Mae extends BaseMethod {

    public static final String NAME = "mae";
    // Published: AdamW at 1.5e-4 × batch/256, weight decay 0.05, betas (0.9, 0.95) (He et al. 2022); solo-learn's
    // CIFAR config: the same at 2e-4 × batch/256, which is the default here
    public static final MethodDescriptor DESCRIPTOR = new MethodDescriptor(NAME,
            "MAE (He et al. 2022): masked autoencoder, ViT on 25 % of patches, normalised-pixel loss",
            OptimizerDefaults.scaled("adamw", 2e-4, 256).withWeightDecay(0.05).withAdamBetas(0.9, 0.95), Mae::new);

    private final double maskRatio;
    private final int decoderWidth;
    private final int decoderDepth;
    private final int decoderHeads;
    private VisionTransformer vit;
    private Block decoder;
    private int patches;

    public Mae(MethodSettings settings) {
        super(NAME, settings);
        maskRatio = doubleOption("mask-ratio", 0.75, 0, 0.99);
        decoderWidth = intOption("decoder-width", 128, 1);
        decoderDepth = intOption("decoder-depth", 2, 1);
        decoderHeads = intOption("decoder-heads", 4, 1);
        if (decoderWidth % decoderHeads != 0) {
            throw new IllegalArgumentException(NAME + ": option 'decoder-width' (" + decoderWidth
                    + ") must be a multiple of 'decoder-heads' (" + decoderHeads + ")");
        }
        rejectUnknownOptions();
    }

    /** Fails unless the encoder is a vision transformer: masking drops patch tokens, which a ResNet has not. */
    @Override
    public void requireReadyToTrain() {
        settings.encoder().requireTransformerFor(NAME);
    }

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return ViewPlan.of(1, imageSize, "mae", List.of()); // crop (scale 0.2-1) and flip, at every size
    }

    @Override
    protected Block createEncoder(Shape viewShape) {
        requireReadyToTrain();
        Block encoder = super.createEncoder(viewShape);
        vit = (VisionTransformer) encoder;
        long side = viewShape.get(2) / vit.patchSize();
        patches = (int) (side * side);
        return encoder;
    }

    @Override
    protected void createHeads(Shape features) {
        int patch = vit.patchSize();
        int visible = PatchMask.visibleCount(patches, maskRatio);
        decoder = addStudent("decoder", new MaeDecoder(decoderWidth, decoderDepth, decoderHeads, patches,
                patch * patch * 3), new Shape(features.get(0), 1 + visible, vit.dim()), new Shape(features.get(0),
                patches));
    }

    @Override
    public Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        requireViews(views);
        NDArray image = views.get(0);
        int n = (int) image.getShape().get(0);
        PatchMask mask = PatchMask.random(n, patches, maskRatio, step);
        NDManager arrays = image.getManager();
        NDArray visible = arrays.create(mask.visible()).toDevice(image.getDevice(), false);
        NDArray restore = arrays.create(mask.restore()).toDevice(image.getDevice(), false);
        NDArray masked = arrays.create(mask.masked()).toDevice(image.getDevice(), false);
        NDArray tokens = vit.forwardVisible(ps, image, visible, true);
        NDArray prediction = decoder.forward(ps, new NDList(tokens, restore), true).singletonOrThrow();
        NDArray loss = MaskedPixelLoss.compute(prediction, image, masked, vit.patchSize());
        NDArray cls = tokens.get(":, 0");
        return new Forward(loss, cls, cls); // the class token of the visible patches: the probe's and collapse watch's
    }
}
