package io.streamssl.pipeline.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.models.method.SslMethods;
import io.streamssl.models.method.ViewPlan;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AugmentationPresetsTest {

    @Test
    void namesAreThePublishedPresets() {
        assertThat(AugmentationPresets.names()).containsExactly("simclr", "mocov2", "byol", "dino",
                "cifar-asymmetric", "cifar-symmetric", "mae", "jigsaw", "rotation", "relative-patch");
    }

    @Test
    void maeCropsAndFlipsWithoutColour() {
        ViewPipeline mae = view("mae", Map.of(), 0);
        assertView(mae, 0.2, 0, 0, 0, 0, 0, 0);
        assertThat(mae.probability(ColorJitter.class)).isZero();
        assertThat(mae.probability(Grayscale.class)).isZero();
        assertThat(mae.flipProbability()).isEqualTo(0.5);
    }

    @Test
    void simclrAndMocoAreSymmetricWithTheirPapersNumbers() {
        ViewPipeline simclr = view("simclr", Map.of(), 0);
        assertThat(simclr.outputSize()).isEqualTo(224);
        assertView(simclr, 0.08, 0.8, 0.8, 0.8, 0.2, 0.5, 0);
        assertThat(view("simclr", Map.of(), 1).toString()).isEqualTo(simclr.toString());
        ViewPipeline moco = view("mocov2", Map.of(), 1);
        assertView(moco, 0.2, 0.4, 0.4, 0.4, 0.1, 0.5, 0);
    }

    @Test
    void byolViewsAreAsymmetricInBlurAndSolarize() {
        assertView(view("byol", Map.of(), 0), 0.08, 0.4, 0.4, 0.2, 0.1, 1.0, 0);
        assertView(view("byol", Map.of(), 1), 0.08, 0.4, 0.4, 0.2, 0.1, 0.1, 0.2);
        assertThat(view("byol", Map.of(), 0).op(GaussianBlur.class).kernelSize()).isEqualTo(23);
    }

    @Test
    void dinoIsTwoGlobalAndEightLocalCrops() {
        MultiViewAugmenter dino = AugmentationPresets.create("dino", 1, Map.of());
        assertThat(dino.viewSizes()).containsExactly(224, 224, 96, 96, 96, 96, 96, 96, 96, 96);
        assertView(view("dino", Map.of(), 0), 0.4, 0.4, 0.4, 0.2, 0.1, 1.0, 0);
        assertView(view("dino", Map.of(), 1), 0.4, 0.4, 0.4, 0.2, 0.1, 0.1, 0.2);
        ViewPipeline local = view("dino", Map.of(), 5);
        assertView(local, 0.05, 0.4, 0.4, 0.2, 0.1, 0.5, 0);
        assertThat(local.crop().maxScale()).isEqualTo(0.4);
        assertThat(local.op(GaussianBlur.class).kernelSize()).isEqualTo(9);
    }

    @Test
    void cifarPresetsAre32PixelsWithoutBlur() {
        assertView(view("cifar-asymmetric", Map.of(), 0), 0.08, 0.4, 0.4, 0.2, 0.1, 0, 0);
        assertView(view("cifar-asymmetric", Map.of(), 1), 0.08, 0.4, 0.4, 0.2, 0.1, 0, 0.2);
        assertView(view("cifar-symmetric", Map.of(), 1), 0.08, 0.8, 0.8, 0.8, 0.2, 0, 0);
        assertThat(AugmentationPresets.create("cifar-symmetric", 1, Map.of()).viewSizes()).containsExactly(32, 32);
    }

    @Test
    void everyViewFlipsAtOneHalfWithGrayscaleAtPointTwoAndTorchvisionRatios() {
        for (String name : AugmentationPresets.names()) {
            MultiViewAugmenter augmenter = AugmentationPresets.create(name, 1, Map.of());
            for (ViewTransform t : augmenter.transforms()) {
                ViewPipeline v = t instanceof JigsawView j ? j.region() : t instanceof RotationView r ? r.view()
                        : t instanceof RelativePatchView p ? p.region() : (ViewPipeline) t;
                assertThat(v.flipProbability()).as(name).isEqualTo(0.5);
                // MAE's view: crop and flip only; relative patches drop colour channels instead
                boolean colour = !name.equals("mae") && !name.equals("relative-patch");
                assertThat(v.probability(Grayscale.class)).as(name).isEqualTo(colour ? 0.2 : 0);
                assertThat(v.probability(ColorJitter.class)).as(name).isEqualTo(colour ? 0.8 : 0);
                assertThat(v.op(GaussianBlur.class).minSigma()).isEqualTo(0.1);
                assertThat(v.op(GaussianBlur.class).maxSigma()).isEqualTo(2.0);
                assertThat(v.crop().minRatio()).isEqualTo(3.0 / 4);
                assertThat(v.crop().maxRatio()).isEqualTo(4.0 / 3);
            }
        }
    }

    @Test
    void sizesAndCountsAreOverridable() {
        MultiViewAugmenter dino = AugmentationPresets.create("dino", 1,
                Map.of("size", "160", "local-size", "64", "global-crops", "3", "local-crops", "2"));
        assertThat(dino.viewSizes()).containsExactly(160, 160, 160, 64, 64);
        // the third global view takes the first view's settings again
        assertThat(((ViewPipeline) dino.transforms().get(2)).probability(GaussianBlur.class)).isEqualTo(1.0);
        assertThat(AugmentationPresets.create("dino", 1, Map.of("local-crops", "0")).viewSizes())
                .containsExactly(224, 224);
        assertThat(AugmentationPresets.create("byol", 1, Map.of("size", "64")).viewSizes()).containsExactly(64, 64);
    }

    @Test
    void unknownPresetsKeysAndBadValuesNameTheAllowedChoices() {
        assertThatThrownBy(() -> AugmentationPresets.create("swav", 1, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("swav").hasMessageContaining("simclr").hasMessageContaining("cifar-symmetric");
        assertThatThrownBy(() -> AugmentationPresets.create("byol", 1, Map.of("local-crops", "4")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("local-crops").hasMessageContaining("[size, global-crops]");
        assertThatThrownBy(() -> AugmentationPresets.create("dino", 1, Map.of("sise", "4")))
                .hasMessageContaining("sise").hasMessageContaining("local-size");
        assertThatThrownBy(() -> AugmentationPresets.create("simclr", 1, Map.of("size", "big")))
                .hasMessageContaining("'size' must be an integer");
        assertThatThrownBy(() -> AugmentationPresets.create("simclr", 1, Map.of("global-crops", "0")))
                .hasMessageContaining("'global-crops' must be >= 1");
    }

    @Test
    void theAugmentationFollowsTheMethodsViewPlanIncludingMultiCrop() {
        assertThat(augmenter(Map.of()).viewSizes()).containsExactly(32, 32);
        assertThat(augmenter(Map.of("trainer.method", "simclr", "augment.size", "64")).viewSizes())
                .containsExactly(64, 64);
        // DINO and SwAV at 32 px: 2 global crops of 32 px and 6 local crops of 16 px
        for (String method : new String[] {"dino", "swav"}) {
            assertThat(augmenter(Map.of("trainer.method", method)).viewSizes())
                    .containsExactly(32, 32, 16, 16, 16, 16, 16, 16);
        }
        assertThat(augmenter(Map.of("trainer.method", "dino", "method.local-views", "2"))
                .viewSizes()).containsExactly(32, 32, 16, 16);
    }

    @Test
    void everyMethodsViewPlanGetsViewsOfItsSizes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws java.io.IOException {
        // SEED needs a teacher to pass the config check; the view plan never reads it, so a manifest file will do
        java.nio.file.Files.writeString(tmp.resolve("manifest.json"), "{}");
        for (String method : SslMethods.names()) {
            for (String size : new String[] {"32", "64", "96", "224"}) {
                Map<String, String> keys = new java.util.HashMap<>(Map.of("trainer.method", method, "augment.size",
                        size));
                if (method.equals("seed")) {
                    keys.put("method.teacher", tmp.toString());
                }
                if (method.equals("mae") || method.equals("ibot")) {
                    keys.put("trainer.encoder", "vit-tiny"); // it refuses a ResNet
                }
                ViewPlan plan = JobConfig.of(keys).viewPlan();
                assertThat(AugmentationPresets.forViewPlan(plan, 1).viewSizes()).as("%s at %s px", method, size)
                        .containsExactly(plan.sizes().stream().mapToInt(Integer::intValue).toArray());
            }
        }
    }

    /** The augmenter the job makes for a config. */
    private static MultiViewAugmenter augmenter(Map<String, String> config) {
        JobConfig c = JobConfig.of(config);
        return AugmentationPresets.forViewPlan(c.viewPlan(), c.get(StreamsslOptions.SEED));
    }

    private static ViewPipeline view(String preset, Map<String, String> overrides, int index) {
        return (ViewPipeline) AugmentationPresets.create(preset, 1, overrides).transforms().get(index);
    }

    private static void assertView(ViewPipeline v, double minScale, double b, double c, double s, double h,
            double blur, double solarize) {
        assertThat(v.crop().minScale()).as("min scale of %s", v).isEqualTo(minScale);
        assertThat(v.op(ColorJitter.class).brightness()).as("brightness of %s", v).isEqualTo(b);
        assertThat(v.op(ColorJitter.class).contrast()).as("contrast of %s", v).isEqualTo(c);
        assertThat(v.op(ColorJitter.class).saturation()).as("saturation of %s", v).isEqualTo(s);
        assertThat(v.op(ColorJitter.class).hue()).as("hue of %s", v).isEqualTo(h);
        assertThat(v.probability(GaussianBlur.class)).as("blur of %s", v).isEqualTo(blur);
        assertThat(v.probability(Solarization.class)).as("solarize of %s", v).isEqualTo(solarize);
    }
}
