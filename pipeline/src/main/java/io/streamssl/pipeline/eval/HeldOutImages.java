package io.streamssl.pipeline.eval;

import io.streamssl.connectors.dataset.Cifar10Binary;
import io.streamssl.connectors.dataset.ImageDataset;
import io.streamssl.connectors.dataset.ImageFolder;
import io.streamssl.connectors.dataset.KafkaImageTopic;
import io.streamssl.connectors.dataset.LabeledImage;
import io.streamssl.connectors.decode.BadImageException;
import io.streamssl.connectors.decode.DecodeLimits;
import io.streamssl.connectors.decode.ImageDecoder;
import io.streamssl.connectors.decode.RgbImage;
import io.streamssl.models.eval.LabeledPixels;
import io.streamssl.pipeline.job.ProbeView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * The training (kNN bank, probe training set) and test (query) images of a held-out evaluation, decoded and resized to the encoder's input size.
 *
 * <ul>
 *   <li>CIFAR-10 binary: the first N images of the training files and the first M of {@code test_batch.bin}
 *       (the files are in random order, so these are random subsets).
 *   <li>An image folder with {@code train/} and {@code test/} (or {@code val/}) sub-folders of classes: a
 *       seeded random N of one and M of the other.
 *   <li>Any other image folder of classes: one seeded random permutation, the first M images for testing and
 *       the next N for training, so the two never share an image.
 *   <li>A Kafka topic of labelled images, read to its end once: the first N labelled records (partition by
 *       partition, in offset order) for training and the next M for testing.
 * </ul>
 *
 * <p>An image whose size is not the encoder's is resized whole (antialiased bilinear, no crop), as the online
 * probe sees it.
 */
public final class HeldOutImages {

    private final String name;
    private final ImageDataset train;
    private final ImageDataset test;
    private final BitSet trainSelection; // null: the first images
    private final BitSet testSelection;
    private final int trainCount;
    private final int testCount;
    private final ImageDecoder decoder = new ImageDecoder(DecodeLimits.DEFAULT);

    private HeldOutImages(String name, ImageDataset train, ImageDataset test, BitSet trainSelection,
            BitSet testSelection, int trainCount, int testCount) {
        this.name = name;
        this.train = train;
        this.test = test;
        this.trainSelection = trainSelection;
        this.testSelection = testSelection;
        this.trainCount = trainCount;
        this.testCount = testCount;
    }

    public static HeldOutImages cifar10(Path dir, int trainN, int testN) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("CIFAR-10 directory " + dir + " does not exist: it must be"
                    + " the directory of the binary version (data_batch_1.bin … data_batch_5.bin, test_batch.bin)");
        }
        if (!Cifar10Binary.present(dir) || !Files.isRegularFile(dir.resolve(Cifar10Binary.TEST_FILE))) {
            throw new IllegalArgumentException("no CIFAR-10 binary files in " + dir + ": it needs "
                    + Cifar10Binary.TRAIN_FILES + " and " + Cifar10Binary.TEST_FILE);
        }
        Cifar10Binary train = Cifar10Binary.train(dir);
        Cifar10Binary test = Cifar10Binary.test(dir);
        return new HeldOutImages("cifar10", train, test, null, null, (int) Math.min(trainN, train.size()),
                (int) Math.min(testN, test.size()));
    }

    public static HeldOutImages folder(Path dir, int trainN, int testN, long seed) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("image folder " + dir + " does not exist: it must be a directory"
                    + " of class sub-folders (DIR/<class>/<image>.png|jpg), optionally split as DIR/train and"
                    + " DIR/test");
        }
        Path trainDir = dir.resolve("train");
        Path testDir = Files.isDirectory(dir.resolve("test")) ? dir.resolve("test") : dir.resolve("val");
        if (Files.isDirectory(trainDir) && Files.isDirectory(testDir)) {
            ImageFolder train = new ImageFolder(trainDir);
            ImageFolder test = new ImageFolder(testDir);
            if (!train.classes().equals(test.classes())) {
                throw new IllegalArgumentException("the class folders of " + trainDir + " " + train.classes()
                        + " and of " + testDir + " " + test.classes() + " differ: they must be the same");
            }
            int n = (int) Math.min(trainN, train.size());
            int m = (int) Math.min(testN, test.size());
            SplittableRandom random = new SplittableRandom(seed);
            return new HeldOutImages(dir.getFileName() + "", train, test,
                    range(permutation((int) train.size(), random), 0, n), range(permutation((int) test.size(),
                            random), 0, m), n, m);
        }
        ImageFolder all = new ImageFolder(dir);
        int size = (int) all.size();
        if (size < 2 || testN >= size) {
            throw new IllegalArgumentException("image folder " + dir + " has " + size + " images: " + testN + " test images"
                    + " leave none for training (or split it as DIR/train and DIR/test)");
        }
        int m = testN;
        int n = Math.min(trainN, size - m);
        int[] order = permutation(size, new SplittableRandom(seed));
        return new HeldOutImages(dir.getFileName() + "", all, all, range(order, m, m + n), range(order, 0, m), n,
                m);
    }

    /**
     * The first {@code trainN} labelled images of {@code topic} for training and the next {@code testN} for testing;
     * labels outside {@code [0, classes)} are skipped.
     */
    public static HeldOutImages topic(String bootstrapServers, Map<String, String> clientProperties, String topic,
            int classes, int trainN, int testN, Duration timeout) {
        KafkaImageTopic all = KafkaImageTopic.read(bootstrapServers, clientProperties, topic, classes, trainN + testN,
                timeout);
        if (all.size() < 2) {
            throw new IllegalArgumentException("held-out topic '" + topic + "' has " + all.size() + " labelled images"
                    + " (label in [0, " + classes + ")): it needs at least 2, one to train the probe and one to score");
        }
        int n = (int) Math.min(trainN, all.size() - 1);
        int m = (int) Math.min(testN, all.size() - n);
        return new HeldOutImages(all.name(), all.slice(0, n), all.slice(n, n + m), null, null, n, m);
    }

    /** All training images at {@code size}, decoded: a bank kept in memory. */
    public List<LabeledPixels> trainList(int size) {
        return list(train(size), trainCount);
    }

    /** All test images at {@code size}, decoded. */
    public List<LabeledPixels> testList(int size) {
        return list(test(size), testCount);
    }

    private static List<LabeledPixels> list(Iterator<LabeledPixels> images, int count) {
        List<LabeledPixels> out = new ArrayList<>(count);
        images.forEachRemaining(out::add);
        return out;
    }

    private static int[] permutation(int size, SplittableRandom random) {
        int[] p = new int[size];
        for (int i = 0; i < size; i++) {
            p[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static BitSet range(int[] order, int from, int to) {
        BitSet s = new BitSet();
        for (int i = from; i < to; i++) {
            s.set(order[i]);
        }
        return s;
    }

    public String name() {
        return name;
    }

    public List<String> classes() {
        return train.classes();
    }

    /** Training images that will be used (at most the N asked for). */
    public int trainCount() {
        return trainCount;
    }

    public int testCount() {
        return testCount;
    }

    public Iterator<LabeledPixels> train(int size) {
        return pixels(train, trainSelection, trainCount, size);
    }

    public Iterator<LabeledPixels> test(int size) {
        return pixels(test, testSelection, testCount, size);
    }

    private Iterator<LabeledPixels> pixels(ImageDataset dataset, BitSet selection, int count, int size) {
        Iterator<LabeledImage> images = dataset.iterator();
        return new Iterator<>() {
            private int index = -1;
            private int delivered;
            private LabeledImage next;

            @Override
            public boolean hasNext() {
                while (next == null && delivered < count && images.hasNext()) {
                    LabeledImage image = images.next();
                    index++;
                    if (selection == null || selection.get(index)) {
                        next = image;
                    }
                }
                return next != null;
            }

            @Override
            public LabeledPixels next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                LabeledImage image = next;
                next = null;
                delivered++;
                RgbImage rgb;
                try {
                    rgb = decoder.decode(image.data(), image.contentType(), image.width(), image.height());
                } catch (BadImageException e) {
                    throw new IllegalArgumentException("image " + image.id() + " of " + name
                            + " cannot be decoded (" + e.getMessage() + "): remove it or replace it", e);
                }
                return new LabeledPixels(ProbeView.of(rgb, size), size, size, image.label());
            }
        };
    }
}
