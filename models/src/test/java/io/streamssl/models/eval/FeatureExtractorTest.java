package io.streamssl.models.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamssl.models.encoder.EncoderSpec;
import io.streamssl.models.encoder.Stem;
import io.streamssl.models.snapshot.SnapshotEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Batched features in inference mode: the same as one image at a time, in order, with their labels. */
class FeatureExtractorTest {

    private static final float[] MEAN = {0.5f, 0.5f, 0.5f};
    private static final float[] STD = {0.25f, 0.25f, 0.25f};

    @Test
    void batchesGiveEachImageTheFeaturesItHasAlone() {
        EncoderSpec spec = new EncoderSpec("resnet18", Stem.CIFAR, 8);
        Random r = new Random(1);
        List<LabeledPixels> images = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int side = i < 3 ? 32 : 24; // a size change ends a batch
            byte[] px = new byte[side * side * 3];
            r.nextBytes(px);
            images.add(new LabeledPixels(px, side, side, i % 3));
        }
        try (SnapshotEncoder encoder = SnapshotEncoder.randomlyInitialized(spec, MEAN, STD, 32, 7)) {
            List<Integer> progress = new ArrayList<>();
            FeatureSet set = new FeatureExtractor(encoder, 2).extract(images.iterator(), 10, 3,
                    (done, total) -> progress.add(done));
            assertThat(set.count()).isEqualTo(5);
            assertThat(set.dim()).isEqualTo(spec.featureDim());
            assertThat(set.labels()).containsExactly(0, 1, 2, 0, 1);
            assertThat(progress).containsExactly(2, 3, 5);
            for (int i = 0; i < 5; i++) {
                LabeledPixels image = images.get(i);
                float[] alone = encoder.embed(image.rgb(), image.height(), image.width());
                float[] row = set.row(i);
                for (int j = 0; j < row.length; j++) {
                    assertThat(row[j]).as("image %d feature %d", i, j).isCloseTo(alone[j], within(1e-4f));
                }
            }
            FeatureSet firstTwo = new FeatureExtractor(encoder, 8).extract(images.iterator(), 2, 3, (d, t) -> {});
            assertThat(firstTwo.count()).isEqualTo(2);
        }
    }

    @Test
    void aRandomlyInitialisedEncoderIsReproducibleFromItsSeed() {
        EncoderSpec spec = new EncoderSpec("resnet18", Stem.CIFAR, 8);
        byte[] px = new byte[32 * 32 * 3];
        new Random(2).nextBytes(px);
        float[] a;
        float[] b;
        float[] c;
        try (SnapshotEncoder e = SnapshotEncoder.randomlyInitialized(spec, MEAN, STD, 32, 7)) {
            a = e.embed(px, 32, 32);
            assertThat(e.manifest().method()).isEqualTo(SnapshotEncoder.RANDOM_METHOD);
            assertThat(e.encoderSpec()).isEqualTo(spec);
        }
        try (SnapshotEncoder e = SnapshotEncoder.randomlyInitialized(spec, MEAN, STD, 32, 7)) {
            b = e.embed(px, 32, 32);
        }
        try (SnapshotEncoder e = SnapshotEncoder.randomlyInitialized(spec, MEAN, STD, 32, 8)) {
            c = e.embed(px, 32, 32);
        }
        assertThat(b).containsExactly(a);
        assertThat(Arrays.equals(a, c)).as("another seed, other weights").isFalse();
    }
}
