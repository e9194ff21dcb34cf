package io.streamssl.models.method;

import io.streamssl.models.MultiCropBatch;
import io.streamssl.models.ViewBatch;
import io.streamssl.models.pretext.PermutationSet;
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
 * times when the group has a multiple of 4 views, else a random number of times. A view of the {@code jigsaw}
 * preset is a shuffled 3×3 grid of tiles with its permutation index as its target, as the pipeline's; the views
 * of the {@code relative-patch} preset come in pairs, a centre patch and a neighbour whose target is its position.
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
            boolean jigsaw = g.preset().equals(AugmentationPresetName.JIGSAW.configName());
            boolean relativePatch = g.preset().equals(AugmentationPresetName.RELATIVE_PATCH.configName());
            int[] targets = rotation || jigsaw || relativePatch ? new int[n * g.views()] : null;
            for (int i = 0; i < n; i++) {
                for (int v = 0; v < g.views(); v++) {
                    int offset = (i * g.views() + v) * s * s * 3;
                    if (relativePatch) {
                        if (v % 2 == 0) { // the pair: this centre and the neighbour after it
                            targets[i * g.views() + v] = -1;
                            targets[i * g.views() + v + 1] = relativePatch(images.get(picked[i]), s, px, offset);
                        }
                        continue;
                    }
                    if (jigsaw) {
                        targets[i * g.views() + v] = jigsaw(images.get(picked[i]), s, px, offset);
                        continue;
                    }
                    crop(images.get(picked[i]), s, global ? 0.3 : 0.1, global ? 1.0 : 0.4, px, offset);
                    if (rotation) {
                        int turns = g.views() % 4 == 0 ? v % 4 : random.nextInt(4);
                        rotate(px, offset, s, turns);
                        targets[i * g.views() + v] = turns;
                    }
                }
            }
            groups.add(new ViewBatch(n, g.views(), s, s, px, batchLabels, null, ids, targets));
        }
        return new MultiCropBatch(groups);
    }

    /**
     * A jigsaw view of side {@code side} (3 tiles of side/3) at {@code offset}, as the pipeline's {@code JigsawView}
     * makes it: a crop to a region of 3 cells (the paper's 85 px cell for a 64 px tile), a tile at a random offset
     * inside each cell, laid out in the order of a permutation of {@link PermutationSet#standard()}, position i
     * showing cell {@code permutation[i]}. Returns the permutation's index, the view's target.
     */
    private int jigsaw(byte[] image, int side, byte[] px, int offset) {
        int tile = side / 3;
        int cell = cellFor(tile);
        int regionSide = 3 * cell;
        byte[] region = new byte[regionSide * regionSide * 3];
        crop(image, regionSide, 0.3, 1.0, region, 0);
        PermutationSet set = PermutationSet.standard();
        int index = random.nextInt(set.size());
        byte[] order = set.permutation(index);
        for (int i = 0; i < 9; i++) {
            int from = order[i];
            int top = (from / 3) * cell + random.nextInt(cell - tile + 1);
            int left = (from % 3) * cell + random.nextInt(cell - tile + 1);
            for (int y = 0; y < tile; y++) {
                System.arraycopy(region, ((top + y) * regionSide + left) * 3, px,
                        offset + (((i / 3) * tile + y) * side + (i % 3) * tile) * 3, tile * 3);
            }
        }
        return index;
    }

    /**
     * A relative-patch pair of side {@code patch} at {@code offset} (the centre) and right after it (the neighbour),
     * as the pipeline's {@code RelativePatchView} makes it: a crop to a region holding a 3×3 grid of patches with
     * the paper's gap (half a patch) and jitter (7/96 of a patch, at least 1) between them, the centre and a random
     * neighbour cut out, each keeping one colour channel (the others 127..129). Returns the neighbour's position.
     */
    private int relativePatch(byte[] image, int patch, byte[] px, int offset) {
        int gap = Math.round(patch / 2f);
        int jitter = Math.max(1, (int) Math.round(patch * 7.0 / 96));
        int regionSide = 3 * patch + 2 * gap + 2 * jitter;
        byte[] region = new byte[regionSide * regionSide * 3];
        crop(image, regionSide, 0.5, 1.0, region, 0);
        int position = random.nextInt(8);
        int cell = position < 4 ? position : position + 1;
        int[] cells = {4, cell};
        for (int j = 0; j < 2; j++) {
            int top = jitter + (cells[j] / 3) * (patch + gap) + random.nextInt(2 * jitter + 1) - jitter;
            int left = jitter + (cells[j] % 3) * (patch + gap) + random.nextInt(2 * jitter + 1) - jitter;
            int kept = random.nextInt(3);
            int out = offset + j * patch * patch * 3;
            for (int y = 0; y < patch; y++) {
                System.arraycopy(region, ((top + y) * regionSide + left) * 3, px, out + y * patch * 3, patch * 3);
            }
            for (int p = 0; p < patch * patch; p++) {
                for (int c = 0; c < 3; c++) {
                    if (c != kept) {
                        px[out + p * 3 + c] = (byte) (127 + random.nextInt(3));
                    }
                }
            }
        }
        return position;
    }

    /** The jigsaw's cell side for a tile, at the paper's ratio 85:64 (the pipeline's {@code JigsawView.cellFor}). */
    static int cellFor(int tile) {
        return Math.max(tile, (int) Math.round(tile * 85.0 / 64));
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
