package io.streamssl.connectors.dataset;

import io.streamssl.connectors.ImageRecordHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * CIFAR-10 in its binary distribution format: files of 3,073-byte records, one label byte (0–9) then 1,024
 * red, 1,024 green and 1,024 blue bytes of a 32×32 image (row-major, planar). Images come out as raw RGB8,
 * interleaved (HWC), labelled, with ids {@code cifar10/<file>/<index>}.
 */
public final class Cifar10Binary implements ImageDataset {

    public static final int SIDE = 32;
    public static final int RECORD_BYTES = 1 + 3 * SIDE * SIDE;
    public static final List<String> TRAIN_FILES =
            List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    public static final String TEST_FILE = "test_batch.bin";
    /** The class names by label when the directory has no batches.meta.txt (as in its distribution). */
    public static final List<String> DEFAULT_CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer",
            "dog", "frog", "horse", "ship", "truck");

    private final List<Path> files;
    private final List<String> classes;

    private Cifar10Binary(List<Path> files, List<String> classes) {
        this.files = files;
        this.classes = classes;
    }

    /** The training split (5 files, 50,000 images) of a CIFAR-10 binary directory. */
    public static Cifar10Binary train(Path dir) {
        return open(dir, TRAIN_FILES);
    }

    /** The test split (10,000 images). */
    public static Cifar10Binary test(Path dir) {
        return open(dir, List.of(TEST_FILE));
    }

    /** True when {@code dir} holds the CIFAR-10 training files. */
    public static boolean present(Path dir) {
        return dir != null && TRAIN_FILES.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)));
    }

    private static Cifar10Binary open(Path dir, List<String> names) {
        List<Path> files = new ArrayList<>();
        for (String n : names) {
            Path f = dir.resolve(n);
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException("not a CIFAR-10 binary directory: " + f + " is missing "
                        + "(expected " + names + ")");
            }
            try {
                if (Files.size(f) % RECORD_BYTES != 0) {
                    throw new IllegalArgumentException(f + " is not a whole number of " + RECORD_BYTES
                            + "-byte CIFAR-10 records (" + Files.size(f) + " bytes)");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            files.add(f);
        }
        List<String> classes = DEFAULT_CLASSES;
        Path meta = dir.resolve("batches.meta.txt");
        try {
            if (Files.isRegularFile(meta)) {
                List<String> lines = Files.readAllLines(meta).stream().map(String::trim).filter(s -> !s.isEmpty())
                        .toList();
                if (lines.size() == 10) {
                    classes = lines;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Cifar10Binary(files, classes);
    }

    @Override
    public String name() {
        return "cifar10";
    }

    @Override
    public long size() {
        long n = 0;
        for (Path f : files) {
            n += records(f);
        }
        return n;
    }

    @Override
    public List<String> classes() {
        return classes;
    }

    @Override
    public LabeledImage image(long index) {
        long first = 0;
        for (Path f : files) {
            long n = records(f);
            if (index >= first && index < first + n) {
                long record = index - first;
                ByteBuffer buf = ByteBuffer.allocate(RECORD_BYTES);
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                    readFully(ch, buf, record * RECORD_BYTES, f);
                } catch (IOException e) {
                    throw new UncheckedIOException("reading " + f + ": " + e.getMessage(), e);
                }
                return toImage(f, record, buf.array());
            }
            first += n;
        }
        throw new IndexOutOfBoundsException("image " + index + " of " + first + " in " + files);
    }

    /** The label bytes alone: one byte read per record, the pixels skipped. */
    @Override
    public int[] labels() {
        int[] labels = new int[ImageDataset.arrayLength(this)];
        int i = 0;
        ByteBuffer one = ByteBuffer.allocate(1);
        for (Path f : files) {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                long n = ch.size() / RECORD_BYTES;
                for (long r = 0; r < n; r++) {
                    one.clear();
                    readFully(ch, one, r * RECORD_BYTES, f);
                    labels[i++] = one.get(0) & 0xFF;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + f + ": " + e.getMessage(), e);
            }
        }
        return labels;
    }

    private static long records(Path f) {
        try {
            return Files.size(f) / RECORD_BYTES;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path f) throws IOException {
        long at = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, at);
            if (n < 0) {
                throw new IOException(f + " ended at byte " + at + ", inside a record");
            }
            at += n;
        }
    }

    private static LabeledImage toImage(Path file, long record, byte[] buf) {
        String name = file.getFileName().toString().replace(".bin", "");
        return new LabeledImage("cifar10/" + name + "/" + record, toHwc(buf, 1), ImageRecordHeaders.RAW_RGB8, SIDE,
                SIDE, buf[0] & 0xFF);
    }

    /** Planar CIFAR record (without its label byte) to interleaved RGB. */
    public static byte[] toHwc(byte[] record, int offset) {
        int plane = SIDE * SIDE;
        byte[] hwc = new byte[3 * plane];
        for (int i = 0; i < plane; i++) {
            hwc[i * 3] = record[offset + i];
            hwc[i * 3 + 1] = record[offset + plane + i];
            hwc[i * 3 + 2] = record[offset + 2 * plane + i];
        }
        return hwc;
    }

    @Override
    public Iterator<LabeledImage> iterator() {
        return new Iterator<>() {
            private int fileIndex = -1;
            private InputStream in;
            private int recordIndex;
            private LabeledImage next;
            private final byte[] buf = new byte[RECORD_BYTES];

            @Override
            public boolean hasNext() {
                if (next != null) {
                    return true;
                }
                try {
                    while (true) {
                        if (in == null) {
                            if (++fileIndex >= files.size()) {
                                return false;
                            }
                            in = Files.newInputStream(files.get(fileIndex));
                            recordIndex = 0;
                        }
                        int n = in.readNBytes(buf, 0, RECORD_BYTES);
                        if (n == RECORD_BYTES) {
                            next = toImage(files.get(fileIndex), recordIndex++, buf);
                            return true;
                        }
                        in.close();
                        in = null;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("reading " + files.get(fileIndex) + ": " + e.getMessage(), e);
                }
            }

            @Override
            public LabeledImage next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                LabeledImage r = next;
                next = null;
                return r;
            }
        };
    }
}
