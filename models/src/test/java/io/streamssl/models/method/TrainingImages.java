package io.streamssl.models.method;

import io.streamssl.models.MultiCropBatch;
import io.streamssl.models.ViewBatch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Small 32 px RGB images for training tests: real CIFAR-10 from the shared directory when it is there, else
 * generated ones (coloured shapes on noisy backgrounds, so that views of one image resemble each other more
 * than other images). Views are made here with simple random-resized crops, flips and brightness jitter:
 * enough to give a method something to learn, not the real augmentation presets. A view of the {@code rotation}
 * preset is then turned and carries its quarter turns as its target, as the pipeline's: view v turned v mod 4
 * times when the group has a multiple of 4 views, else a random number of times.
 */
final class TrainingImages {

    static final int SIDE = 32;
    private static final int RECORD = 1 + 3 * SIDE * SIDE;

    private final List<byte[]> images = new ArrayList<>(); // HWC uint8
    private final int[] labels;
    private final boolean real;
    private final Random random;

    private TrainingImages(int count, long seed) {
        random = new Random(seed);
        Path cifar = cifarDir().resolve("data_batch_1.bin");
        real = Files.isReadable(cifar);
        labels = new int[count];
        if (real) {
            try (InputStream in = Files.newInputStream(cifar)) {
                for (int i = 0; i < count; i++) {
                    byte[] rec = in.readNBytes(RECORD);
                    labels[i] = rec[0];
                    byte[] hwc = new byte[SIDE * SIDE * 3];
                    for (int p = 0; p < SIDE * SIDE; p++) {
                        for (int c = 0; c < 3; c++) {
                            hwc[p * 3 + c] = rec[1 + c * SIDE * SIDE + p]; // CHW planes → HWC
                        }
                    }
                    images.add(hwc);
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + cifar, e);
            }
        } else {
            for (int i = 0; i < count; i++) {
                labels[i] = i % 10;
                images.add(generated(labels[i]));
            }
        }
    }

    /** {@code count} images: CIFAR-10 when present (the message says which), else generated. */
    static TrainingImages load(int count, long seed) {
        TrainingImages t = new TrainingImages(count, seed);
        if (!t.real) {
            System.out.println("CIFAR-10 not found under " + cifarDir() + ": training on generated images instead");
        }
        return t;
    }

    static Path cifarDir() {
        String shared = System.getProperty("streamssl.shared.dir", "/work/shared");
        return Path.of(shared, "datasets", "cifar10");
    }

    boolean real() {
        return real;
    }

    int size() {
        return images.size();
    }

    byte[] image(int i) {
        return images.get(i);
    }

    private byte[] generated(int cls) {
        byte[] px = new byte[SIDE * SIDE * 3];
        int[] colour = {(cls * 70) % 256, (cls * 130 + 60) % 256, (cls * 40 + 120) % 256};
        int cx = 8 + random.nextInt(16);
        int cy = 8 + random.nextInt(16);
        int radius = 4 + cls % 5 + random.nextInt(4);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                boolean inside = cls % 2 == 0 ? (x - cx) * (x - cx) + (y - cy) * (y - cy) < radius * radius
                        : Math.abs(x - cx) < radius && Math.abs(y - cy) < radius;
                for (int c = 0; c < 3; c++) {
                    int v = inside ? colour[c] : 40 + random.nextInt(40);
                    px[(y * SIDE + x) * 3 + c] = (byte) v;
                }
            }
        }
        return px;
    }

    /**
     * A batch of {@code n} random images, each with the views of {@code plan}: groups of crops of the plan's
     * sizes, global crops with area scale [0.3, 1], smaller ones [0.1, 0.4]; each image's id is its index.
     */
    MultiCropBatch batch(int n, ViewPlan plan) {
        int[] picked = new int[n];
        int[] batchLabels = new int[n];
        long[] ids = new long[n]; // the image's index: a repeat of an image is a hit in an id-keyed bank
        for (int i = 0; i < n; i++) {
            picked[i] = random.nextInt(images.size());
            batchLabels[i] = labels[picked[i]];
            ids[i] = picked[i];
        }
        List<ViewBatch> groups = new ArrayList<>();
        for (ViewPlan.CropGroup g : plan.groups()) {
            int s = g.size();
            boolean global = s >= SIDE;
            byte[] px = new byte[n * g.views() * s * s * 3];
            boolean rotation = g.preset().equals(AugmentationPresetName.ROTATION.configName());
            int[] targets = rotation ? new int[n * g.views()] : null;
            for (int i = 0; i < n; i++) {
                for (int v = 0; v < g.views(); v++) {
                    boolean jigsaw = g.preset().equals(AugmentationPresetName.JIGSAW.configName());
                    crop(images.get(picked[i]), s, global || jigsaw ? 0.3 : 0.1, global || jigsaw ? 1.0 : 0.4, px,
                            (i * g.views() + v) * s * s * 3);
                    if (jigsaw) {
                        shuffleTiles(px, (i * g.views() + v) * s * s * 3, s);
                    }
                    if (rotation) {
                        int turns = g.views() % 4 == 0 ? v % 4 : random.nextInt(4);
                        rotate(px, (i * g.views() + v) * s * s * 3, s, turns);
                        targets[i * g.views() + v] = turns;
                    }
                }
            }
            groups.add(new ViewBatch(n, g.views(), s, s, px, batchLabels, null, ids, targets));
        }
        return new MultiCropBatch(groups);
    }

    /** PIRL's jigsaw view, simply: the 3×3 tiles of a crop of side {@code side} in a random order, in place. */
    private void shuffleTiles(byte[] px, int offset, int side) {
        int t = side / 3;
        int[] order = {0, 1, 2, 3, 4, 5, 6, 7, 8};
        for (int i = 8; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int k = order[i];
            order[i] = order[j];
            order[j] = k;
        }
        byte[] copy = java.util.Arrays.copyOfRange(px, offset, offset + side * side * 3);
        for (int i = 0; i < 9; i++) {
            int from = order[i];
            for (int y = 0; y < t; y++) {
                System.arraycopy(copy, (((from / 3) * t + y) * side + (from % 3) * t) * 3, px,
                        offset + (((i / 3) * t + y) * side + (i % 3) * t) * 3, t * 3);
            }
        }
    }

    /** Turns the view at {@code offset} counter-clockwise by {@code turns} quarter turns, in place. */
    static void rotate(byte[] px, int offset, int side, int turns) {
        for (int t = 0; t < turns; t++) {
            byte[] copy = java.util.Arrays.copyOfRange(px, offset, offset + side * side * 3);
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    // one counter-clockwise turn: output (y, x) is input (x, side − 1 − y)
                    System.arraycopy(copy, (x * side + side - 1 - y) * 3, px, offset + (y * side + x) * 3, 3);
                }
            }
        }
    }

    /** Random-resized crop (nearest neighbour) to side {@code out}, random flip, random brightness. */
    private void crop(byte[] src, int out, double minScale, double maxScale, byte[] dst, int offset) {
        double scale = minScale + random.nextDouble() * (maxScale - minScale);
        int side = Math.max(4, (int) Math.round(SIDE * Math.sqrt(scale)));
        int x0 = random.nextInt(SIDE - side + 1);
        int y0 = random.nextInt(SIDE - side + 1);
        boolean flip = random.nextBoolean();
        double gain = 0.6 + 0.8 * random.nextDouble();
        for (int y = 0; y < out; y++) {
            for (int x = 0; x < out; x++) {
                int sx = x0 + x * side / out;
                int sy = y0 + y * side / out;
                if (flip) {
                    sx = x0 + side - 1 - (x * side / out);
                }
                for (int c = 0; c < 3; c++) {
                    int v = (int) Math.min(255, (src[(sy * SIDE + sx) * 3 + c] & 0xff) * gain);
                    dst[offset + (y * out + x) * 3 + c] = (byte) v;
                }
            }
        }
    }
}
