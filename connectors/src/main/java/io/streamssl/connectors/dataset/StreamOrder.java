package io.streamssl.connectors.dataset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The order in which the producer sends a data set's images: a scenario of a live, non-stationary stream to
 * rehearse continual pretraining on.
 *
 * <pre>{@code
 * ImageProducer.builder().setBootstrapServers("localhost:9092").setDataset(Cifar10Binary.train(dir))
 *         .optOrder(StreamOrder.classIncremental(2, 1))   // CIFAR-10: 5 phases of 2 classes, class order of seed 1
 *         .build().run();
 * }</pre>
 *
 * The orders, by their {@code streamssl produce --order} names:
 * <ul>
 *   <li>{@code dataset} (the default): data-set order, the same every pass.
 *   <li>{@code iid}: each pass a uniform random permutation, a new one per pass.
 *   <li>{@code class-incremental}: the classes arrive in phases of {@code K} classes and never come back; the
 *       class order is a seeded permutation or given; within a phase the images are shuffled. With
 *       {@code repeat R > 1} a phase's images are sent {@code R} times in a row (reshuffled each time, header
 *       {@code epoch} = 0 … R−1) before the next phase starts, so classes still never return. {@code repeat 0}
 *       (forever) is refused: the first phase would never end.
 *   <li>{@code blocks}: runs of same-class images, as from a video: each class's images, in data-set order, cut
 *       into blocks of {@code N} (a class's last block holds the remainder), the blocks shuffled anew each pass.
 *   <li>{@code imbalanced}: a long-tailed class distribution as CIFAR-10-LT (Cui et al., CVPR 2019): the class
 *       of rank {@code r} (0 = head; ranks a seeded permutation of the classes) keeps
 *       {@code n_r = max(1, floor(n_max · R^(−r/(C−1))))} of its images (a seeded choice), {@code n_max} the
 *       smallest class's size and {@code R} the imbalance ratio {@code n_head / n_tail}; the kept images are the
 *       same every pass, shuffled anew each pass.
 * </ul>
 *
 * An order is a pure function of the data set's labels, its options and its seed ({@link #schedule}): the same
 * inputs give the same sequence. It needs the labels alone ({@link ImageDataset#labels()}, an {@code int[]});
 * the producer then reads one image at a time ({@link ImageDataset#image}). The class-based orders refuse a
 * data set with an unlabelled image. The classes are the distinct labels the data set has.
 */
public final class StreamOrder {

    /** The kinds of order, with their command-line names. */
    public enum Kind {
        DATASET("dataset"), IID("iid"), CLASS_INCREMENTAL("class-incremental"), BLOCKS("blocks"),
        IMBALANCED("imbalanced");

        private final String cliName;

        Kind(String cliName) {
            this.cliName = cliName;
        }

        /** The name {@code --order} takes. */
        public String cliName() {
            return cliName;
        }

        /** The kind named {@code name} (as {@code --order} takes it). */
        public static Kind of(String name) {
            for (Kind k : values()) {
                if (k.cliName.equals(name)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("order (--order) must be one of " + names() + ", got '" + name + "'");
        }

        /** The command-line names, comma-separated. */
        public static String names() {
            return Arrays.stream(values()).map(Kind::cliName).collect(Collectors.joining(", "));
        }
    }

    public static final long DEFAULT_SEED = 1;
    public static final int DEFAULT_PHASE_CLASSES = 2;
    public static final int DEFAULT_BLOCK_SIZE = 32;
    public static final double DEFAULT_IMBALANCE_RATIO = 100;

    // salts that keep the random draws of different uses apart
    private static final long PASS_SHUFFLE = 1;
    private static final long CLASS_PERMUTATION = 2;
    private static final long CLASS_SUBSET = 3;

    private final Kind kind;
    private final long seed;
    private final int phaseClasses;
    private final List<Integer> classOrder; // empty: seeded
    private final int blockSize;
    private final double imbalanceRatio;

    private StreamOrder(Kind kind, long seed, int phaseClasses, List<Integer> classOrder, int blockSize,
            double imbalanceRatio) {
        this.kind = kind;
        this.seed = seed;
        this.phaseClasses = phaseClasses;
        this.classOrder = List.copyOf(classOrder);
        this.blockSize = blockSize;
        this.imbalanceRatio = imbalanceRatio;
    }

    /** Data-set order, every pass the same: what the producer does without an order. */
    public static StreamOrder dataset() {
        return new StreamOrder(Kind.DATASET, DEFAULT_SEED, 0, List.of(), 0, 0);
    }

    /** A uniform random permutation per pass, drawn from {@code seed} and the pass. */
    public static StreamOrder iid(long seed) {
        return new StreamOrder(Kind.IID, seed, 0, List.of(), 0, 0);
    }

    /** Phases of {@code phaseClasses} classes (which must divide the number of classes), in a seeded class order. */
    public static StreamOrder classIncremental(int phaseClasses, long seed) {
        return classIncremental(phaseClasses, List.of(), seed);
    }

    /**
     * Phases of {@code phaseClasses} classes in the given class order (each class of the data set once), or in a
     * seeded order when {@code classOrder} is empty. The images within a phase are shuffled with {@code seed}.
     */
    public static StreamOrder classIncremental(int phaseClasses, List<Integer> classOrder, long seed) {
        if (phaseClasses < 1) {
            throw new IllegalArgumentException("phase classes (--phase-classes) must be >= 1, got " + phaseClasses);
        }
        Objects.requireNonNull(classOrder, "class order");
        Set<Integer> seen = new HashSet<>();
        for (Integer c : classOrder) {
            if (c == null || c < 0) {
                throw new IllegalArgumentException("class order (--class-order) takes class indices >= 0, got "
                        + classOrder);
            }
            if (!seen.add(c)) {
                throw new IllegalArgumentException("class order (--class-order) lists class " + c + " twice: "
                        + classOrder);
            }
        }
        return new StreamOrder(Kind.CLASS_INCREMENTAL, seed, phaseClasses, classOrder, 0, 0);
    }

    /** Per-class blocks of {@code blockSize} images, shuffled per pass. */
    public static StreamOrder blocks(int blockSize, long seed) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("block size (--block-size) must be >= 1, got " + blockSize);
        }
        return new StreamOrder(Kind.BLOCKS, seed, 0, List.of(), blockSize, 0);
    }

    /** A long-tailed subset whose head class has {@code ratio} times the images of its tail class. */
    public static StreamOrder imbalanced(double ratio, long seed) {
        if (!(ratio >= 1) || Double.isInfinite(ratio)) {
            throw new IllegalArgumentException("imbalance ratio (--imbalance-ratio) must be a finite number >= 1"
                    + " (1 = balanced), got " + ratio);
        }
        return new StreamOrder(Kind.IMBALANCED, seed, 0, List.of(), 0, ratio);
    }

    public Kind kind() {
        return kind;
    }

    public long seed() {
        return seed;
    }

    /** What the order is, with its options, e.g. {@code class-incremental (2 classes a phase, seed 1)}. */
    @Override
    public String toString() {
        return kind.cliName + switch (kind) {
            case DATASET -> "";
            case IID -> " (seed " + seed + ")";
            case CLASS_INCREMENTAL -> " (" + phaseClasses + " classes a phase, "
                    + (classOrder.isEmpty() ? "seed " + seed : "class order " + classOrder + ", seed " + seed) + ")";
            case BLOCKS -> " (blocks of " + blockSize + ", seed " + seed + ")";
            case IMBALANCED -> String.format(Locale.ROOT, " (ratio %s, seed %d)", ratioText(), seed);
        };
    }

    private String ratioText() {
        return imbalanceRatio == Math.rint(imbalanceRatio) ? Long.toString((long) imbalanceRatio)
                : Double.toString(imbalanceRatio);
    }

    /**
     * The order for a data set with these labels (one per image, in data-set order; -1 = unlabelled).
     *
     * @throws IllegalArgumentException if a class-based order meets an unlabelled image, the class order does not
     *     list the data set's classes, or the phase size does not divide the number of classes
     */
    public StreamSchedule schedule(int[] labels) {
        Objects.requireNonNull(labels, "labels");
        if (kind == Kind.DATASET) {
            return StreamSchedule.passes(labels.length, pass -> IntStream.range(0, labels.length).toArray());
        }
        if (labels.length == 0) {
            throw new IllegalArgumentException("order " + kind.cliName + ": the data set has no images");
        }
        if (kind == Kind.IID) {
            return StreamSchedule.passes(labels.length,
                    pass -> shuffle(IntStream.range(0, labels.length).toArray(), random(PASS_SHUFFLE, pass)));
        }
        int[][] byClass = byClass(labels);
        List<Integer> classes = IntStream.range(0, byClass.length).filter(c -> byClass[c].length > 0).boxed()
                .toList();
        return switch (kind) {
            case CLASS_INCREMENTAL -> classIncremental(byClass, classes);
            case BLOCKS -> blocks(labels.length, byClass, classes);
            case IMBALANCED -> imbalanced(byClass, classes);
            default -> throw new IllegalStateException(kind.toString());
        };
    }

    private StreamSchedule classIncremental(int[][] byClass, List<Integer> classes) {
        List<Integer> order;
        if (classOrder.isEmpty()) {
            order = new ArrayList<>(classes);
            shuffle(order, random(CLASS_PERMUTATION, 0));
        } else {
            Set<Integer> missing = new TreeSet<>(classes);
            missing.removeAll(classOrder);
            Set<Integer> foreign = new TreeSet<>(classOrder);
            classes.forEach(foreign::remove);
            if (!missing.isEmpty() || !foreign.isEmpty()) {
                throw new IllegalArgumentException("class order (--class-order) " + classOrder
                        + " must list each class of the data set " + classes + " once"
                        + (missing.isEmpty() ? "" : "; missing " + missing)
                        + (foreign.isEmpty() ? "" : "; the data set has no image of " + foreign));
            }
            order = classOrder;
        }
        int c = classes.size();
        if (c % phaseClasses != 0) {
            List<Integer> divisors = IntStream.rangeClosed(1, c).filter(d -> c % d == 0).boxed().toList();
            throw new IllegalArgumentException("phase classes (--phase-classes) " + phaseClasses
                    + " does not divide the " + c + " classes of the data set; allowed: " + divisors);
        }
        int phases = c / phaseClasses;
        List<StreamSchedule.Phase> phaseList = new ArrayList<>();
        int[][] members = new int[phases][];
        for (int p = 0; p < phases; p++) {
            List<Integer> these = List.copyOf(order.subList(p * phaseClasses, (p + 1) * phaseClasses));
            phaseList.add(new StreamSchedule.Phase(p, phases, these));
            // data-set order within the phase, then shuffled per repeat
            members[p] = these.stream().flatMapToInt(k -> Arrays.stream(byClass[k])).sorted().toArray();
        }
        int length = Arrays.stream(members).mapToInt(m -> m.length).sum();
        return StreamSchedule.phased(length, phaseList,
                (phase, repeat) -> shuffle(members[phase].clone(), random(PASS_SHUFFLE, phase, repeat)));
    }

    private StreamSchedule blocks(int n, int[][] byClass, List<Integer> classes) {
        List<int[]> blocks = new ArrayList<>();
        for (int c : classes) {
            int[] images = byClass[c];
            for (int from = 0; from < images.length; from += blockSize) {
                blocks.add(Arrays.copyOfRange(images, from, Math.min(images.length, from + blockSize)));
            }
        }
        return StreamSchedule.passes(n, pass -> {
            List<int[]> shuffled = new ArrayList<>(blocks);
            shuffle(shuffled, random(PASS_SHUFFLE, pass));
            return shuffled.stream().flatMapToInt(Arrays::stream).toArray();
        });
    }

    private StreamSchedule imbalanced(int[][] byClass, List<Integer> classes) {
        int c = classes.size();
        List<Integer> byRank = new ArrayList<>(classes);
        shuffle(byRank, random(CLASS_PERMUTATION, 0));
        int nMax = classes.stream().mapToInt(k -> byClass[k].length).min().orElseThrow();
        List<int[]> kept = new ArrayList<>();
        for (int rank = 0; rank < c; rank++) {
            int k = byRank.get(rank);
            int keep = imbalancedCount(nMax, imbalanceRatio, rank, c);
            int[] chosen = shuffle(byClass[k].clone(), random(CLASS_SUBSET, k));
            kept.add(Arrays.copyOf(chosen, keep));
        }
        int[] subset = kept.stream().flatMapToInt(Arrays::stream).sorted().toArray();
        return StreamSchedule.passes(subset.length, pass -> shuffle(subset.clone(), random(PASS_SHUFFLE, pass)));
    }

    /** {@code max(1, floor(nMax · ratio^(−rank/(classes−1))))}: the images kept of the class of this rank. */
    static int imbalancedCount(int nMax, double ratio, int rank, int classes) {
        double exponent = classes == 1 ? 0 : -(double) rank / (classes - 1);
        // the epsilon keeps a count that is whole in exact arithmetic (100 · 10^−1) from rounding down to 9
        return Math.max(1, (int) Math.floor(nMax * Math.pow(ratio, exponent) + 1e-9));
    }

    /** Image indices by label, each in data-set order; fails on an unlabelled image. */
    private int[][] byClass(int[] labels) {
        int max = -1;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                throw new IllegalArgumentException("order " + kind.cliName + " needs a label on every image, but"
                        + " image " + i + " has none; use --order iid or dataset for unlabelled images");
            }
            max = Math.max(max, labels[i]);
        }
        int[] counts = new int[max + 1];
        for (int label : labels) {
            counts[label]++;
        }
        int[][] byClass = new int[max + 1][];
        for (int c = 0; c <= max; c++) {
            byClass[c] = new int[counts[c]];
        }
        int[] filled = new int[max + 1];
        for (int i = 0; i < labels.length; i++) {
            byClass[labels[i]][filled[labels[i]]++] = i;
        }
        return byClass;
    }

    /** A generator drawn from the seed and the salts alone, so each use has its own independent stream. */
    private SplittableRandom random(long... salts) {
        long h = mix64(seed);
        for (long s : salts) {
            h = mix64(h ^ mix64(s + 0x9E3779B97F4A7C15L));
        }
        return new SplittableRandom(h);
    }

    /** Stafford's variant 13 of the MurmurHash3 finaliser, as SplittableRandom mixes its seeds. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Fisher–Yates, in place. */
    private static int[] shuffle(int[] a, SplittableRandom r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** Fisher–Yates, in place (not Collections.shuffle, whose use of the generator is not specified). */
    private static <T> void shuffle(List<T> a, SplittableRandom r) {
        for (int i = a.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            a.set(i, a.set(j, a.get(i)));
        }
    }
}
