package io.streamssl.cli;

import io.streamssl.connectors.dataset.Cifar10Binary;
import io.streamssl.connectors.dataset.ImageDataset;
import io.streamssl.connectors.dataset.ImageFolder;
import io.streamssl.connectors.dataset.LabeledImage;
import io.streamssl.connectors.decode.BadImageException;
import io.streamssl.connectors.decode.DecodeLimits;
import io.streamssl.connectors.decode.ImageDecoder;
import io.streamssl.connectors.decode.RgbImage;
import io.streamssl.models.eval.LabeledPixels;
import io.streamssl.pipeline.job.ProbeView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * The training and test images of an evaluation, decoded and resized to the encoder's input size.
 *
 * <ul>
 *   <li>CIFAR-10 binary: the first N images of the training files and the first M of {@code test_batch.bin}
 *       (the files are in random order, so these are random subsets).
 *   <li>An image folder with {@code train/} and {@code test/} (or {@code val/}) sub-folders of classes: a
 *       seeded random N of one and M of the other.
 *   <li>Any other image folder of classes: one seeded random permutation, the first M images for testing and
 *       the next N for training, so the two never share an image.
 * </ul>
 *
 * <p>An image whose size is not the encoder's is resized whole (antialiased bilinear, no crop), as the online
 * probe sees it.
 */
final class EvaluationImages {

    private final String name;
    private final ImageDataset train;
    private final ImageDataset test;
    private final BitSet trainSelection; // null: the first images
    private final BitSet testSelection;
    private final int trainCount;
    private final int testCount;
    private final ImageDecoder decoder = new ImageDecoder(DecodeLimits.DEFAULT);

    private EvaluationImages(String name, ImageDataset train, ImageDataset test, BitSet trainSelection,
            BitSet testSelection, int trainCount, int testCount) {
        this.name = name;
        this.train = train;
        this.test = test;
        this.trainSelection = trainSelection;
        this.testSelection = testSelection;
        this.trainCount = trainCount;
        this.testCount = testCount;
    }

    static EvaluationImages cifar10(Path dir, int trainN, int testN) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("CIFAR-10 directory " + dir + " does not exist: give --cifar10 the"
                    + " directory of the binary version (data_batch_1.bin … data_batch_5.bin, test_batch.bin)");
        }
        if (!Cifar10Binary.present(dir) || !Files.isRegularFile(dir.resolve(Cifar10Binary.TEST_FILE))) {
            throw new IllegalArgumentException("no CIFAR-10 binary files in " + dir + ": --cifar10 needs "
                    + Cifar10Binary.TRAIN_FILES + " and " + Cifar10Binary.TEST_FILE);
        }
        Cifar10Binary train = Cifar10Binary.train(dir);
        Cifar10Binary test = Cifar10Binary.test(dir);
        return new EvaluationImages("cifar10", train, test, null, null, (int) Math.min(trainN, train.size()),
                (int) Math.min(testN, test.size()));
    }

    static EvaluationImages folder(Path dir, int trainN, int testN, long seed) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("image folder " + dir + " does not exist: give --folder a directory"
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
            return new EvaluationImages(dir.getFileName() + "", train, test,
                    range(permutation((int) train.size(), random), 0, n), range(permutation((int) test.size(),
                            random), 0, m), n, m);
        }
        ImageFolder all = new ImageFolder(dir);
        int size = (int) all.size();
        if (size < 2 || testN >= size) {
            throw new IllegalArgumentException("image folder " + dir + " has " + size + " images: --test-n " + testN
                    + " leaves none for training (or split it as DIR/train and DIR/test)");
        }
        int m = testN;
        int n = Math.min(trainN, size - m);
        int[] order = permutation(size, new SplittableRandom(seed));
        return new EvaluationImages(dir.getFileName() + "", all, all, range(order, m, m + n), range(order, 0, m), n,
                m);
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

    String name() {
        return name;
    }

    List<String> classes() {
        return train.classes();
    }

    /** Training images that will be used (at most the N asked for). */
    int trainCount() {
        return trainCount;
    }

    int testCount() {
        return testCount;
    }

    Iterator<LabeledPixels> train(int size) {
        return pixels(train, trainSelection, trainCount, size);
    }

    Iterator<LabeledPixels> test(int size) {
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
