package io.streamssl.connectors.dataset;

import io.streamssl.connectors.ImageRecordHeaders;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * A generated, labelled data set that needs no download: ten visually distinct classes, each a shape or
 * texture of its own drawn at a random position and scale over a noisy, weakly coloured background. A class
 * also has its own band of foreground hue (36° wide, random saturation and brightness), so even an untrained
 * encoder's features separate the classes a little and a probe shows learning within a few hundred images;
 * the shape keeps the classes apart when colour jitter or grayscale removes the hue. Image {@code i} has label
 * {@code i mod 10} and is a pure function of (seed, i). Raw RGB8.
 */
public final class GeneratedShapes implements ImageDataset {

    public static final List<String> CLASSES = List.of("disc", "square", "triangle", "ring", "horizontal-stripes",
            "vertical-stripes", "diagonal-stripes", "checkerboard", "plus", "cross");

    private final long count;
    private final long seed;
    private final int size;

    /**
     * @param count images in one pass
     * @param seed selects the set
     * @param size side in pixels (at least 16)
     */
    public GeneratedShapes(long count, long seed, int size) {
        if (count <= 0) {
            throw new IllegalArgumentException("generated set size must be positive, got " + count);
        }
        if (size < 16 || size > 1024) {
            throw new IllegalArgumentException("generated image size must be in [16, 1024], got " + size);
        }
        this.count = count;
        this.seed = seed;
        this.size = size;
    }

    @Override
    public String name() {
        return "generated-shapes";
    }

    @Override
    public long size() {
        return count;
    }

    @Override
    public List<String> classes() {
        return CLASSES;
    }

    /** Image {@code index} as HWC RGB8. */
    public byte[] pixels(long index) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        int label = (int) (index % CLASSES.size());
        int[] fg = hsv(label * 36 + r.nextDouble() * 30 - 15, 0.65 + 0.35 * r.nextDouble(), 0.55 + 0.45 * r.nextDouble());
        int[] bg = background(fg, r);
        byte[] px = new byte[size * size * 3];
        double cx = size * (0.3 + 0.4 * r.nextDouble());
        double cy = size * (0.3 + 0.4 * r.nextDouble());
        double radius = size * (0.22 + 0.15 * r.nextDouble());
        double period = size * (0.12 + 0.08 * r.nextDouble());
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                boolean in = inside(label, x + 0.5 - cx, y + 0.5 - cy, radius, period);
                int[] c = in ? fg : bg;
                int noise = (int) Math.round(r.nextGaussian() * 12);
                int i = (y * size + x) * 3;
                for (int k = 0; k < 3; k++) {
                    px[i + k] = (byte) Math.max(0, Math.min(255, c[k] + noise));
                }
            }
        }
        return px;
    }

    private static boolean inside(int label, double dx, double dy, double r, double period) {
        double d = Math.hypot(dx, dy);
        boolean box = Math.abs(dx) <= r && Math.abs(dy) <= r;
        double bar = r * 0.3;
        return switch (label) {
            case 0 -> d <= r;
            case 1 -> Math.abs(dx) <= r * 0.85 && Math.abs(dy) <= r * 0.85;
            case 2 -> dy <= r * 0.8 && dy >= -r && Math.abs(dx) <= (dy + r) * 0.6;
            case 3 -> d <= r && d >= r * 0.55;
            case 4 -> box && Math.floorMod((int) Math.floor(dy / (period / 2)), 2) == 0;
            case 5 -> box && Math.floorMod((int) Math.floor(dx / (period / 2)), 2) == 0;
            case 6 -> box && Math.floorMod((int) Math.floor((dx + dy) / period), 2) == 0;
            case 7 -> box && Math.floorMod((int) Math.floor(dx / (period / 2)) + (int) Math.floor(dy / (period / 2)),
                    2) == 0;
            case 8 -> box && (Math.abs(dx) <= bar || Math.abs(dy) <= bar);
            case 9 -> box && (Math.abs(dx - dy) <= bar * 1.4 || Math.abs(dx + dy) <= bar * 1.4);
            default -> throw new IllegalStateException("label " + label);
        };
    }

    /** HSV (hue in degrees, s and v in [0, 1]) to RGB, the standard hexcone formula. */
    static int[] hsv(double hueDegrees, double s, double v) {
        double h = ((hueDegrees % 360) + 360) % 360 / 60;
        double c = v * s;
        double x = c * (1 - Math.abs(h % 2 - 1));
        double m = v - c;
        double[] rgb = switch ((int) h) {
            case 0 -> new double[] {c, x, 0};
            case 1 -> new double[] {x, c, 0};
            case 2 -> new double[] {0, c, x};
            case 3 -> new double[] {0, x, c};
            case 4 -> new double[] {x, 0, c};
            default -> new double[] {c, 0, x};
        };
        return new int[] {(int) Math.round(255 * (rgb[0] + m)), (int) Math.round(255 * (rgb[1] + m)),
                (int) Math.round(255 * (rgb[2] + m))};
    }

    /** A weakly saturated colour whose luma differs from {@code fg}'s by at least 90: visible in grayscale. */
    private static int[] background(int[] fg, SplittableRandom r) {
        double fgLuma = luma(fg);
        while (true) {
            int[] c = hsv(r.nextDouble() * 360, 0.3 * r.nextDouble(), r.nextDouble());
            if (Math.abs(luma(c) - fgLuma) >= 90) {
                return c;
            }
        }
    }

    private static double luma(int[] c) {
        return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
    }

    @Override
    public Iterator<LabeledImage> iterator() {
        return new Iterator<>() {
            private long i;

            @Override
            public boolean hasNext() {
                return i < count;
            }

            @Override
            public LabeledImage next() {
                if (i >= count) {
                    throw new NoSuchElementException();
                }
                return image(i++);
            }
        };
    }

    @Override
    public LabeledImage image(long index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("image " + index + " of a generated set of " + count);
        }
        return new LabeledImage("generated/" + seed + "/" + index, pixels(index), ImageRecordHeaders.RAW_RGB8, size,
                size, (int) (index % CLASSES.size()));
    }

    /** Label {@code i mod 10}, computed without drawing an image. */
    @Override
    public int[] labels() {
        int[] labels = new int[ImageDataset.arrayLength(this)];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % CLASSES.size();
        }
        return labels;
    }
}
