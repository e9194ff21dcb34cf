package io.streamssl.pipeline.augment;

import io.streamssl.connectors.decode.RgbImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Makes the V views of one image, view {@code v} with {@code transforms.get(v)}. The randomness of each view
 * is seeded from (run seed, image id, epoch, view index) through SHA-256, so a replayed record gets the same
 * bytes in any thread and any subtask, and another epoch of the same image gets different views. Nothing else
 * (no clock, no thread-local or shared generator) feeds a view, which is what lets a restored job replay
 * identically. The arithmetic is reproducible too: Java float/double operations are IEEE-exact (no fused
 * multiply-add unless asked for, and C2's vector code gives the same bits as scalar code for element-wise loops),
 * reductions run in a fixed order, and the few transcendental functions use {@code StrictMath}, so the bytes do
 * not depend on the JVM, the CPU or which JIT tier ran.
 *
 * <pre>{@code
 * MultiViewAugmenter augmenter = AugmentationPresets.create("byol", runSeed, Map.of());
 * RgbImage[] views = augmenter.apply(image, imageId, epoch);   // views[v] is viewSizes()[v] pixels square
 * }</pre>
 *
 * Immutable and thread-safe when its transforms are (all of this package's are).
 */
public final class MultiViewAugmenter {

    /**
     * Cloned per seed: {@code MessageDigest.getInstance} takes a JVM-wide lock in the provider lookup, which
     * threads making small views at thousands per second contend on.
     */
    private static final MessageDigest SHA256_PROTOTYPE = newSha256();

    private final long runSeed;
    private final List<ViewTransform> transforms;

    public MultiViewAugmenter(long runSeed, List<ViewTransform> transforms) {
        if (transforms == null || transforms.isEmpty()) {
            throw new IllegalArgumentException("at least one view transform is needed");
        }
        for (int v = 0; v < transforms.size(); v++) {
            int from = transforms.get(v).seedView(v);
            if (from < 0 || from > v) {
                throw new IllegalArgumentException("view " + v + " cannot be made from view " + from + "'s seed");
            }
        }
        this.runSeed = runSeed;
        this.transforms = List.copyOf(transforms);
    }

    public int views() {
        return transforms.size();
    }

    /** The side length of each view, in view order (multi-crop views differ: e.g. 224, 224, 96 × 8). */
    public int[] viewSizes() {
        int[] sizes = new int[transforms.size()];
        for (int v = 0; v < sizes.length; v++) {
            sizes[v] = transforms.get(v).outputSize();
        }
        return sizes;
    }

    /** The transform of each view, in view order. */
    public List<ViewTransform> transforms() {
        return transforms;
    }

    public long runSeed() {
        return runSeed;
    }

    /** The views, in view order. */
    public RgbImage[] apply(RgbImage image, String imageId, long epoch) {
        return apply(image, imageId, epoch, 0);
    }

    /**
     * The views of the {@code use}-th reuse of an image (a replay from the buffer or a repeated fresh use): use 0
     * is {@link #apply(RgbImage, String, long)}; every other use count gives other views, still a pure function
     * of (run seed, image id, epoch, use count, view), so a replay after a restore is the same replay.
     */
    public RgbImage[] apply(RgbImage image, String imageId, long epoch, int use) {
        if (use < 0) {
            throw new IllegalArgumentException("use count must be >= 0, got " + use);
        }
        RgbImage[] out = new RgbImage[transforms.size()];
        for (int v = 0; v < out.length; v++) {
            out[v] = transforms.get(v).apply(image, new SplittableRandom(viewSeed(imageId, epoch, use, v)));
        }
        return out;
    }

    /**
     * The pretext target of each view of the {@code use}-th use ({@link ViewTransform#target}), in view order, -1
     * for a view without one; {@code null} when no transform makes targets. A function of the views' seeds alone,
     * so a replay re-made from its seed has its first use's targets.
     */
    public int[] targets(String imageId, long epoch, int use) {
        if (transforms.stream().noneMatch(ViewTransform::hasTarget)) {
            return null;
        }
        int[] out = new int[transforms.size()];
        for (int v = 0; v < out.length; v++) {
            ViewTransform t = transforms.get(v);
            out[v] = t.hasTarget() ? t.target(viewSeed(imageId, epoch, use, v)) : -1;
        }
        return out;
    }

    /** The seed view {@code v} is made with: {@link #seed} of the view its transform names ({@link ViewTransform#seedView}). */
    private long viewSeed(String imageId, long epoch, int use, int v) {
        return seed(imageId, epoch, use, transforms.get(v).seedView(v));
    }

    /**
     * The seed of one view: the first 8 bytes (big-endian) of SHA-256(runSeed ‖ epoch ‖ view ‖ UTF-8 imageId),
     * the numbers big-endian. A cryptographic hash, so that neighbouring ids, epochs and views give unrelated
     * generators (two SplittableRandom seeds that differ by its internal increment give the same sequence shifted by one).
     */
    public long seed(String imageId, long epoch, int view) {
        return seed(imageId, epoch, 0, view);
    }

    /**
     * The seed of one view of the {@code use}-th use: for use 0 as {@link #seed(String, long, int)}; for use ≥ 1
     * the hash also covers the use count (24 bytes before the id instead of 20, so no use-0 input collides).
     */
    public long seed(String imageId, long epoch, int use, int view) {
        MessageDigest sha = sha256();
        ByteBuffer numbers = use == 0 ? ByteBuffer.allocate(20).putLong(runSeed).putLong(epoch).putInt(view)
                : ByteBuffer.allocate(24).putLong(runSeed).putLong(epoch).putInt(view).putInt(use);
        sha.update(numbers.array());
        sha.update(imageId.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(sha.digest()).getLong();
    }

    private static MessageDigest sha256() {
        try {
            return (MessageDigest) SHA256_PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            return newSha256(); // a provider whose digests cannot be cloned: fall back to the lookup
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
