package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.streamssl.models.encoder.StageFeatureMap;
import java.util.List;

/**
 * A method that predicts pixels (colorization's ab, a context encoder's removed region) from the encoder's
 * last-stage feature map through a {@link io.streamssl.models.head.PixelDecoder}: ResNet encoders only (a ViT has
 * no such map), one view cropped and flipped without colour operations (colour is what one of them predicts, and
 * the other's target would change under them).
 */
abstract class PixelPredictionMethod extends BaseMethod {

    private Shape viewShape;

    PixelPredictionMethod(String name, MethodSettings settings) {
        super(name, settings);
        if (!StageFeatureMap.supports(settings.encoder())) {
            throw new IllegalArgumentException(name + " needs a ResNet encoder (its decoder reads the last stage's"
                    + " spatial feature map), got " + settings.encoder().arch() + ": use resnet18, resnet34 or resnet50");
        }
    }

    @Override
    protected ViewPlan defaultViewPlan(int imageSize) {
        return ViewPlan.of(1, imageSize, AugmentationPresetName.MAE.configName(), List.of()); // crop, flip, no colour
    }

    @Override
    protected Block createEncoder(Shape viewShape) {
        this.viewShape = viewShape;
        return super.createEncoder(viewShape);
    }

    /** The shape (N, C, H, W) of the views the encoder was built for. */
    protected Shape viewShape() {
        return viewShape;
    }

    /** The encoder's own pooled feature of {@code map} (N, C, h, w): the snapshot's and the probe's. */
    static NDArray pooled(NDArray map) {
        return map.mean(new int[] {3}).mean(new int[] {2});
    }
}
