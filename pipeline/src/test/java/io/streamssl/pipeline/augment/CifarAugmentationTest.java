package io.streamssl.pipeline.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamssl.connectors.decode.RgbImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Augment real CIFAR-10 images (skipped when the shared data set is absent). */
class CifarAugmentationTest {

    private static final int IMAGES = 64;
    private static final List<byte[]> RAW = new ArrayList<>();

    @BeforeAll
    static void readCifar() throws IOException {
        Path batch = Path.of(System.getProperty("streamssl.shared.dir", "../shared"),
                "datasets/cifar10/data_batch_1.bin");
        assumeTrue(Files.isReadable(batch), "CIFAR-10 not found at " + batch.toAbsolutePath()
                + " (set -Dstreamssl.shared.dir): skipping the real-image tests");
        byte[] record = new byte[3073];
        try (InputStream in = Files.newInputStream(batch)) {
            for (int i = 0; i < IMAGES; i++) {
                assertThat(in.readNBytes(record, 0, record.length)).isEqualTo(record.length);
                byte[] px = new byte[3072];
                for (int p = 0; p < 1024; p++) { // CIFAR stores planes R, G, B; RAW_RGB8 is interleaved
                    px[p * 3] = record[1 + p];
                    px[p * 3 + 1] = record[1025 + p];
                    px[p * 3 + 2] = record[2049 + p];
                }
                RAW.add(px);
            }
        }
    }

    @Test
    void aWholeImageCropWithoutColourOpsReturnsTheImageOrItsMirror() {
        ViewPipeline identity = ViewPipeline.builder().setSize(32).optScale(1, 1).optRatio(1, 1).build();
        SplittableRandom random = new SplittableRandom(1);
        for (byte[] raw : RAW) {
            RgbImage image = new RgbImage(32, 32, raw);
            RgbImage view = identity.apply(image, random);
            boolean same = java.util.Arrays.equals(view.pixels(), raw);
            boolean mirrored = true;
            for (int y = 0; y < 32 && mirrored; y++) {
                for (int x = 0; x < 32 && mirrored; x++) {
                    for (int c = 0; c < 3; c++) {
                        mirrored &= view.get(x, y, c) == image.get(31 - x, y, c);
                    }
                }
            }
            assertThat(same || mirrored).isTrue();
        }
    }

    @Test
    void cifarPresetsMakeDistinctDeterministicViews() {
        for (String preset : new String[] {"cifar-asymmetric", "cifar-symmetric"}) {
            MultiViewAugmenter augmenter = AugmentationPresets.create(preset, 2024, Map.of());
            int differingFromSource = 0;
            for (int i = 0; i < RAW.size(); i++) {
                RgbImage image = new RgbImage(32, 32, RAW.get(i));
                RgbImage[] views = augmenter.apply(image, "cifar-train-" + i, 0);
                assertThat(views).hasSize(2);
                assertThat(views[0].width()).isEqualTo(32);
                assertThat(views[1].height()).isEqualTo(32);
                assertThat(views[0].pixels()).isNotEqualTo(views[1].pixels());
                assertThat(augmenter.apply(image, "cifar-train-" + i, 0)[1].pixels()).isEqualTo(views[1].pixels());
                differingFromSource += java.util.Arrays.equals(views[0].pixels(), RAW.get(i)) ? 0 : 1;
            }
            assertThat(differingFromSource).as(preset).isEqualTo(RAW.size());
        }
    }
}
