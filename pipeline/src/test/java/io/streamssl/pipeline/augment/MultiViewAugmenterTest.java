package io.streamssl.pipeline.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.connectors.decode.RgbImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class MultiViewAugmenterTest {

    private static final int IMAGES = 24;

    @Test
    void sameRunSeedImageEpochAndViewGiveTheSameBytesInAnyThread() throws Exception {
        List<RgbImage> images = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            images.add(BilinearResamplerTest.randomImage(40 + i, 36, i));
        }
        // sequential reference, from one augmenter
        MultiViewAugmenter reference = AugmentationPresets.create("byol", 7, Map.of("size", "24"));
        byte[][][] expected = new byte[IMAGES][][];
        for (int i = 0; i < IMAGES; i++) {
            expected[i] = bytes(reference.apply(images.get(i), "id-" + i, 3));
        }
        // four threads, each with its own augmenter instance (as separate subtasks would have), in reverse order
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<byte[][][]>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    MultiViewAugmenter own = AugmentationPresets.create("byol", 7, Map.of("size", "24"));
                    byte[][][] out = new byte[IMAGES][][];
                    for (int i = IMAGES - 1; i >= 0; i--) {
                        out[i] = bytes(own.apply(images.get(i), "id-" + i, 3));
                    }
                    return out;
                }));
            }
            for (Future<byte[][][]> result : results) {
                byte[][][] got = result.get();
                for (int i = 0; i < IMAGES; i++) {
                    assertThat(Arrays.deepEquals(got[i], expected[i])).as("image %d", i).isTrue();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void reusedPerThreadBuffersDoNotLeakBetweenViewsOfDifferentSizes() throws Exception {
        // multi-crop views of several sizes on one thread (its scratch buffers grow and are reused) must equal
        // the same views made each on a fresh thread (fresh buffers)
        MultiViewAugmenter dino = AugmentationPresets.create("dino", 3,
                Map.of("size", "40", "local-size", "17", "local-crops", "3"));
        List<RgbImage> images = List.of(BilinearResamplerTest.randomImage(64, 50, 1),
                BilinearResamplerTest.randomImage(9, 7, 2), BilinearResamplerTest.randomImage(120, 90, 3));
        byte[][][] sameThread = new byte[images.size()][][];
        for (int i = 0; i < images.size(); i++) {
            sameThread[i] = bytes(dino.apply(images.get(i), "id-" + i, 0));
        }
        for (int i = 0; i < images.size(); i++) {
            int index = i;
            byte[][][] fresh = new byte[1][][];
            Thread thread = new Thread(() -> fresh[0] = bytes(dino.apply(images.get(index), "id-" + index, 0)));
            thread.start();
            thread.join();
            assertThat(Arrays.deepEquals(fresh[0], sameThread[i])).as("image %d", i).isTrue();
        }
    }

    @Test
    void anotherEpochViewOrRunSeedGivesDifferentViews() {
        RgbImage image = BilinearResamplerTest.randomImage(64, 48, 1);
        MultiViewAugmenter augmenter = AugmentationPresets.create("simclr", 7, Map.of("size", "32"));
        byte[][] epoch0 = bytes(augmenter.apply(image, "cat.jpg", 0));
        byte[][] epoch1 = bytes(augmenter.apply(image, "cat.jpg", 1));
        assertThat(epoch0[0]).isNotEqualTo(epoch1[0]);
        assertThat(epoch0[1]).isNotEqualTo(epoch1[1]);
        assertThat(epoch0[0]).as("the two views of one sample differ").isNotEqualTo(epoch0[1]);
        byte[][] otherRun = bytes(AugmentationPresets.create("simclr", 8, Map.of("size", "32"))
                .apply(image, "cat.jpg", 0));
        assertThat(otherRun[0]).isNotEqualTo(epoch0[0]);
        assertThat(bytes(augmenter.apply(image, "cat.jpg", 0))[0]).isEqualTo(epoch0[0]);
    }

    @Test
    void seedIsTheFirstEightBytesOfSha256OfSeedEpochViewAndId() throws Exception {
        // the replay contract: changing this formula changes every view of every restored job
        MultiViewAugmenter augmenter = new MultiViewAugmenter(0x0102030405060708L,
                List.of(ViewPipeline.builder().setSize(8).build()));
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] prefix = {1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 2};
        sha.update(prefix);
        sha.update("img/é".getBytes(StandardCharsets.UTF_8));
        long expected = ByteBuffer.wrap(sha.digest()).getLong();
        assertThat(augmenter.seed("img/é", 5, 2)).isEqualTo(expected);
    }

    @Test
    void viewSizesFollowTheTransforms() {
        MultiViewAugmenter augmenter = new MultiViewAugmenter(1, List.of(ViewPipeline.builder().setSize(20).build(),
                ViewPipeline.builder().setSize(9).build()));
        assertThat(augmenter.views()).isEqualTo(2);
        assertThat(augmenter.viewSizes()).containsExactly(20, 9);
        RgbImage[] views = augmenter.apply(BilinearResamplerTest.randomImage(30, 30, 2), "x", 0);
        assertThat(views[0].width()).isEqualTo(20);
        assertThat(views[1].height()).isEqualTo(9);
        assertThatThrownBy(() -> new MultiViewAugmenter(1, List.of())).hasMessageContaining("at least one");
    }

    private static byte[][] bytes(RgbImage[] views) {
        byte[][] out = new byte[views.length][];
        for (int v = 0; v < views.length; v++) {
            out[v] = views[v].pixels();
        }
        return out;
    }
}
