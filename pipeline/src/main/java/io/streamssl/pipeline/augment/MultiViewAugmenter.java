package io.streamssl.pipeline.augment;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Makes the V views of one image, view {@code v} with {@code transforms.get(v)}. The randomness of each view
 * is seeded from (run seed, image id, epoch, view index) through SHA-256, so a replayed record gets the same
 * bytes in any thread and any subtask, and another epoch of the same image gets different views.
 */
public final class MultiViewAugmenter {

    private final long runSeed;
    private final List<ViewTransform> transforms;

    public MultiViewAugmenter(long runSeed, List<ViewTransform> transforms) {
        if (transforms.isEmpty()) {
            throw new IllegalArgumentException("at least one view transform is needed");
        }
        this.runSeed = runSeed;
        this.transforms = List.copyOf(transforms);
    }

    public int views() {
        return transforms.size();
    }

    /** The views, in view order. */
    public RgbImage[] apply(RgbImage image, String imageId, long epoch) {
        RgbImage[] out = new RgbImage[transforms.size()];
        for (int v = 0; v < out.length; v++) {
            out[v] = transforms.get(v).apply(image, new SplittableRandom(seed(imageId, epoch, v)));
        }
        return out;
    }

    /** The seed of one view. */
    public long seed(String imageId, long epoch, int view) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
        sha.update(ByteBuffer.allocate(20).putLong(runSeed).putLong(epoch).putInt(view).array());
        sha.update(imageId.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(sha.digest()).getLong();
    }
}
