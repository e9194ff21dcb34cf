package io.streamssl.pipeline.augment;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.connectors.decode.RgbImage;
import io.streamssl.models.method.ViewPlan;
import io.streamssl.pipeline.config.JobConfig;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the bytes every preset makes: the replay contract of a restored job (see {@link MultiViewAugmenter}) and
 * the guard of any refactoring of the view operations, which must keep both the arithmetic and the order in
 * which random numbers are drawn.
 */
class PresetViewBytesTest {

    /** SHA-256 of every view of three images over two epochs, per preset, at small sizes to stay fast. */
    private static final Map<String, String> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put("simclr", "7ab2dd978da6c35511827e649c95fbab3a5836c597e776ee34a740d09df13ebb");
        EXPECTED.put("mocov2", "d7fc9ec942438f02a7104b5ad865af14dea12387f8fd2a46025c077cddcac367");
        EXPECTED.put("byol", "270ab88de4506afe43ccfd5cf5c9d08afb75297c51f5704709b2e6fc9c7e4125");
        EXPECTED.put("dino", "56c767a07f02f7a4171fe6f4a2b6dbf23b2eff62ef9992b695a5dcfb86d10f4f");
        EXPECTED.put("cifar-asymmetric", "5116a97772ba9a3dfa23d01be0a1584a1d33de64d4791b8635d39d4c99e1a059");
        EXPECTED.put("cifar-symmetric", "a47e20ec8d1e1cc21c70c63abc05d2cd0ef1503bd9b78485278e4944651aaaca");
        EXPECTED.put("mae", "c3f7ba0dc76838a59694b04f97c981518353368cc5385f7e40af936140f77b94");
        EXPECTED.put("jigsaw", "ad9b8b210a4acfaf74296854dd1af785ee0b026d76534c8b2559673e9f08dab0");
        EXPECTED.put("rotation", "c7c4fb5c2ca08fbc77e96de8ebfb3ced42dd94c08c937947ef6895bf1656ab33");
        EXPECTED.put("relative-patch", "3de52183c3b68940422fa484861af673b150c72a2e1fac44d175460b0d7e87de");
    }

    /** The same for the augmenter the job makes from a method's view plan at {@code augment.size}, seed 11. */
    private static final Map<String, String> EXPECTED_BY_METHOD = new LinkedHashMap<>();

    static {
        EXPECTED_BY_METHOD.put("dino@32", "04ed4f0cf3ae9806f8fb29046e7106f57dbdc929133441843899d53a5450398a");
        EXPECTED_BY_METHOD.put("dino@72", "0bd683b82d40fca42163d2948adc1580ffda44a6803f800df391856541efa7d3");
        EXPECTED_BY_METHOD.put("swav@32", "7085130acd9e21a373d984611b45eb40585e449001d30b814f01cc75261ece0f");
        EXPECTED_BY_METHOD.put("swav@72", "bc74bcfa4e6c0ce14a14da04eaa8ff95d2288e93bd36e0be944890f4e92512db");
        EXPECTED_BY_METHOD.put("byol@32", "939adf7577ad85bf2de725aa380751ba97243e9a5debdd563dbd25dd441781aa");
        EXPECTED_BY_METHOD.put("byol@72", "6505cd40e75a688964d9014910e051c053b21954ac096dcad3e1f827aea4a75c");
        EXPECTED_BY_METHOD.put("simclr@32", "1677793958a0d63a3b845ea1b88f2532dd2d8408dd7ce328bffc558177b607de");
        EXPECTED_BY_METHOD.put("simclr@72", "e8de9aad8f217011086be86125317c6ae21aa40aa082d38578e88e8ac3ed4c90");
        EXPECTED_BY_METHOD.put("mocov2@32", "1677793958a0d63a3b845ea1b88f2532dd2d8408dd7ce328bffc558177b607de");
        EXPECTED_BY_METHOD.put("mocov2@72", "befa0ace50514f1066f8661d25bb2e26892b3b548a0a8672763933d75ecd9019");
        // PIRL: two plain views and a jigsaw view (27 px at 32: tiles of 9)
        EXPECTED_BY_METHOD.put("pirl@32", "eed787d8444dbb217a9b8a3eb265c646403d633e6663ff283448e0016c741c59");
        EXPECTED_BY_METHOD.put("pirl@72", "39296c2fab67217637e2c48ac0be6b979967ddb9e62d9c8ffeeb223b47a951e6");
    }

    @Test
    void everyPresetMakesThePinnedBytes() throws Exception {
        List<RgbImage> images = List.of(BilinearResamplerTest.randomImage(53, 41, 1), gradient(48, 64),
                BilinearResamplerTest.randomImage(20, 30, 3));
        Map<String, String> actual = new LinkedHashMap<>();
        for (String preset : EXPECTED.keySet()) {
            Map<String, String> overrides = switch (preset) {
                case "dino" -> Map.of("size", "40", "local-size", "16", "local-crops", "3", "global-crops", "3");
                case "jigsaw" -> Map.of("size", "39", "global-crops", "3"); // 3×3 tiles of 13 px
                case "relative-patch" -> Map.of("size", "12", "global-crops", "4"); // 2 pairs of 12 px patches
                default -> Map.of("size", "40", "global-crops", "3");
            };
            MultiViewAugmenter augmenter = AugmentationPresets.create(preset, 2024, overrides);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < images.size(); i++) {
                for (long epoch = 0; epoch < 40; epoch++) {
                    for (RgbImage view : augmenter.apply(images.get(i), "image-" + i, epoch)) {
                        sha.update(view.pixels());
                    }
                }
            }
            actual.put(preset, HexFormat.of().formatHex(sha.digest()));
        }
        assertThat(actual).isEqualTo(EXPECTED);
    }

    @Test
    void theAugmentationOfEveryMethodsViewPlanMakesThePinnedBytes() throws Exception {
        List<RgbImage> images = List.of(BilinearResamplerTest.randomImage(53, 41, 1), gradient(48, 64));
        Map<String, String> actual = new LinkedHashMap<>();
        for (String methodAtSize : EXPECTED_BY_METHOD.keySet()) {
            String[] parts = methodAtSize.split("@");
            ViewPlan plan = JobConfig.of(Map.of("trainer.method", parts[0], "augment.size", parts[1])).viewPlan();
            MultiViewAugmenter augmenter = AugmentationPresets.forViewPlan(plan, 11);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < images.size(); i++) {
                for (long epoch = 0; epoch < 10; epoch++) {
                    for (RgbImage view : augmenter.apply(images.get(i), "image-" + i, epoch)) {
                        sha.update(view.pixels());
                    }
                }
            }
            actual.put(methodAtSize, HexFormat.of().formatHex(sha.digest()));
        }
        assertThat(actual).isEqualTo(EXPECTED_BY_METHOD);
    }

    /** Smooth colours, so that hue and saturation shifts and the blur act on structure, not on noise. */
    private static RgbImage gradient(int width, int height) {
        byte[] px = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = (y * width + x) * 3;
                px[p] = (byte) (x * 255 / (width - 1));
                px[p + 1] = (byte) (y * 255 / (height - 1));
                px[p + 2] = (byte) ((x + y) * 2);
            }
        }
        return new RgbImage(width, height, px);
    }
}
