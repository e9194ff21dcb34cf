package io.streamssl.cli.bench;

import io.streamssl.connectors.decode.DecodeLimits;
import io.streamssl.connectors.decode.ImageDecoder;
import io.streamssl.connectors.decode.RgbImage;
import io.streamssl.pipeline.augment.AugmentationPresets;
import io.streamssl.pipeline.augment.BilinearResampler;
import io.streamssl.pipeline.augment.CropBox;
import io.streamssl.pipeline.augment.MultiViewAugmenter;
import io.streamssl.pipeline.augment.ViewPipeline;
import io.streamssl.pipeline.augment.ViewTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Throughput of decode + augment, the work of the pipeline's decode and augment operators for one record.
 *
 * <pre>
 * java -cp pipeline/target/classes:$(cat pipeline/target/classpath-runtime.txt) \
 *     io.streamssl.cli.bench.AugmentBenchmark --preset byol --size 224 --threads 1 --seconds 10
 * </pre>
 *
 * Sources: at 32 px, real CIFAR-10 images (the first 2,000 records of {@code datasets/cifar10/data_batch_1.bin}
 * under the shared directory, from system property {@code streamssl.shared.dir}, default {@code ../shared}),
 * PNG-encoded so that decoding is measured; larger sizes use 256/224 × size square sources (CIFAR images
 * upscaled with mild noise so the codecs see texture), alternately JPEG (quality 0.9) and PNG. Without CIFAR-10,
 * generated images (gradients plus noise) are used and a message says so. Each worker thread loops over the
 * sources with its own epoch counter; the first part of the run warms the JIT and is not counted.
 *
 * <p>"Per core" is views per second of CPU time the JVM consumed while counting (workers, GC and JIT threads),
 * which is what dedicated cores would do even when the machine is shared; the wall-clock rates and the JVM's CPU
 * share are printed beside it. A single-thread per-stage profile (wall time per stage, decode split by format)
 * follows.
 */
public final class AugmentBenchmark {

    private static final int SOURCES = 2000;
    private static final int LARGE_SOURCES = 256;

    /** What one run measured; {@code viewsPerSecondPerCore} is per CPU-second of the JVM. */
    public record Result(String preset, int size, int threads, int viewsPerSample, double samplesPerSecond,
            double viewsPerSecond, double viewsPerSecondPerCore) {
    }

    /** A source record: its encoded bytes and content type. */
    private record Source(String id, byte[] bytes, String contentType) {
    }

    private AugmentBenchmark() {
    }

    /**
     * Runs {@code preset} with its main views at {@code size} px on {@code threads} threads for {@code seconds}
     * (after a warm-up), prints views/s per core and a per-stage profile to {@code out}, and returns the figures.
     */
    public static Result run(String preset, int size, int threads, double seconds, PrintStream out) {
        if (threads <= 0 || !(seconds > 0)) {
            throw new IllegalArgumentException("threads and seconds must be positive, got " + threads + ", "
                    + seconds);
        }
        MultiViewAugmenter augmenter = AugmentationPresets.create(preset, 42L, Map.of(AugmentationPresets.SIZE,
                Integer.toString(size)));
        List<Source> sources = sources(size, out);
        ImageDecoder decoder = new ImageDecoder(DecodeLimits.DEFAULT);
        int cores = Runtime.getRuntime().availableProcessors();
        int[] viewSizes = augmenter.viewSizes();
        out.printf(Locale.ROOT, "augment benchmark: preset=%s view sizes=%s (%d views/sample), %d sources, "
                + "threads=%d, cores available=%d%n", preset, describe(viewSizes), viewSizes.length, sources.size(),
                threads, cores);

        double warmup = Math.min(3.0, seconds / 2);
        LongAdder samples = new LongAdder();
        AtomicBoolean counting = new AtomicBoolean(false);
        AtomicBoolean stop = new AtomicBoolean(false);
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int offset = t * sources.size() / threads;
            Thread worker = new Thread(() -> {
                try {
                    long epoch = 0;
                    int i = offset;
                    while (!stop.get()) {
                        Source s = sources.get(i);
                        RgbImage image = decoder.decode(s.bytes(), s.contentType(), 0, 0);
                        augmenter.apply(image, s.id(), epoch);
                        if (counting.get()) {
                            samples.increment();
                        }
                        if (++i == sources.size()) {
                            i = 0;
                            epoch++;
                        }
                    }
                } finally {
                    done.countDown();
                }
            }, "augment-bench-" + t);
            worker.setDaemon(true);
            worker.start();
        }
        sleep(warmup);
        counting.set(true);
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        sleep(seconds);
        counting.set(false);
        long cpuNanos = processCpuNanos() - cpuStart;
        double elapsed = (System.nanoTime() - start) / 1e9;
        stop.set(true);
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the benchmark threads", e);
        }
        double samplesPerSecond = samples.sum() / elapsed;
        double viewsPerSecond = samplesPerSecond * viewSizes.length;
        double wallPerCore = viewsPerSecond / Math.min(threads, cores);
        // per core = per second of CPU time this JVM used (workers, GC, JIT): the machine may be shared, and then
        // wall-clock rates understate what a dedicated core does
        double perCore = cpuNanos <= 0 ? 0 : samples.sum() * viewSizes.length / (cpuNanos / 1e9);
        out.printf(Locale.ROOT, "throughput: %.0f views/s per core (views per CPU-second of the JVM, GC and JIT "
                + "included); wall clock: %.0f samples/s, %.0f views/s, %.0f views/s per thread (%d thread%s on %d "
                + "cores, %.1f s measured after %.1f s warm-up, JVM CPU %.0f%% of %d thread%s)%n", perCore,
                samplesPerSecond, viewsPerSecond, wallPerCore, threads, threads == 1 ? "" : "s", cores, elapsed,
                warmup, 100 * cpuNanos / 1e9 / (elapsed * threads), threads, threads == 1 ? "" : "s");
        profile(augmenter, decoder, sources, Math.max(1.0, seconds / 3), out);
        return new Result(preset, size, threads, viewSizes.length, samplesPerSecond, viewsPerSecond, perCore);
    }

    /** Times each stage on one thread: decode, seeding, and the view stages summed over all views. */
    private static void profile(MultiViewAugmenter augmenter, ImageDecoder decoder, List<Source> sources,
            double seconds, PrintStream out) {
        List<ViewTransform> transforms = augmenter.transforms();
        long[] stages = new long[ViewPipeline.Stage.values().length];
        long decodeNanos = 0;
        Map<String, long[]> decodeByType = new java.util.TreeMap<>(); // content type → {nanos, count}
        long seedNanos = 0;
        long count = 0;
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long cpuStart = cpu.getCurrentThreadCpuTime();
        long wallStart = System.nanoTime();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        for (int i = 0; System.nanoTime() < end; i = (i + 1) % sources.size()) {
            Source s = sources.get(i);
            long t0 = System.nanoTime();
            RgbImage image = decoder.decode(s.bytes(), s.contentType(), 0, 0);
            long t1 = System.nanoTime();
            decodeNanos += t1 - t0;
            long[] byType = decodeByType.computeIfAbsent(s.contentType(), k -> new long[2]);
            byType[0] += t1 - t0;
            byType[1]++;
            for (int v = 0; v < transforms.size(); v++) {
                long ts = System.nanoTime();
                SplittableRandom random = new SplittableRandom(augmenter.seed(s.id(), 1000, v));
                seedNanos += System.nanoTime() - ts;
                if (transforms.get(v) instanceof ViewPipeline view) {
                    view.apply(image, random, stages);
                } else {
                    transforms.get(v).apply(image, random);
                }
            }
            count++;
        }
        double cpuShare = (cpu.getCurrentThreadCpuTime() - cpuStart) / (double) (System.nanoTime() - wallStart);
        long total = decodeNanos + seedNanos;
        for (long n : stages) {
            total += n;
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "profile (1 thread, %d samples, wall µs per sample, CPU share %.0f%%): total %.0f = decode %s, seed %s",
                count, 100 * cpuShare, total / 1e3 / count, part(decodeNanos, total, count),
                part(seedNanos, total, count)));
        for (ViewPipeline.Stage stage : ViewPipeline.Stage.values()) {
            line.append(", ").append(stage.name().toLowerCase(Locale.ROOT).replace('_', ' ')).append(' ')
                    .append(part(stages[stage.ordinal()], total, count));
        }
        out.println(line);
        StringBuilder decode = new StringBuilder("decode per image:");
        decodeByType.forEach((type, nc) -> decode.append(String.format(Locale.ROOT, " %s %.0f µs", type,
                nc[0] / 1e3 / nc[1])));
        out.println(decode);
    }

    /** CPU time of the whole JVM, or of this thread where the JVM does not report it. */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static String part(long nanos, long total, long count) {
        return String.format(Locale.ROOT, "%.0f (%.0f%%)", nanos / 1e3 / count, 100.0 * nanos / total);
    }

    private static String describe(int[] sizes) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < sizes.length; ) {
            int j = i;
            while (j < sizes.length && sizes[j] == sizes[i]) {
                j++;
            }
            b.append(b.length() == 0 ? "" : "+").append(j - i).append('x').append(sizes[i]);
            i = j;
        }
        return b.toString();
    }

    private static List<Source> sources(int size, PrintStream out) {
        List<RgbImage> cifar = cifar(out);
        boolean small = size <= 64;
        int side = small ? 32 : Math.round(size * 256f / 224f);
        int n = small ? SOURCES : LARGE_SOURCES;
        SplittableRandom random = new SplittableRandom(7);
        List<Source> sources = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            RgbImage base = cifar.isEmpty() ? generated(side, random) : cifar.get(i % cifar.size());
            RgbImage image = base.width() == side ? base : textured(upscale(base, side), random);
            boolean jpeg = !small && i % 2 == 0;
            sources.add(new Source("img-" + i, jpeg ? encode(image, "jpeg") : encode(image, "png"),
                    jpeg ? ImageDecoder.JPEG : ImageDecoder.PNG));
        }
        long bytes = sources.stream().mapToLong(s -> s.bytes().length).sum();
        out.printf(Locale.ROOT, "sources: %d images %dx%d, %s, mean %.1f KB encoded%n", n, side, side,
                small ? "PNG" : "alternately JPEG (q 0.9) and PNG", bytes / 1024.0 / n);
        return sources;
    }

    private static List<RgbImage> cifar(PrintStream out) {
        Path shared = Path.of(System.getProperty("streamssl.shared.dir", "../shared"));
        Path batch = shared.resolve("datasets/cifar10/data_batch_1.bin");
        List<RgbImage> images = new ArrayList<>();
        if (!Files.isReadable(batch)) {
            out.println("CIFAR-10 not found at " + batch.toAbsolutePath()
                    + " (set -Dstreamssl.shared.dir): using generated images");
            return images;
        }
        byte[] record = new byte[3073];
        try (InputStream in = Files.newInputStream(batch)) {
            for (int i = 0; i < SOURCES && in.readNBytes(record, 0, record.length) == record.length; i++) {
                byte[] px = new byte[32 * 32 * 3];
                for (int p = 0; p < 1024; p++) { // planar R, G, B → interleaved
                    px[p * 3] = record[1 + p];
                    px[p * 3 + 1] = record[1 + 1024 + p];
                    px[p * 3 + 2] = record[1 + 2048 + p];
                }
                images.add(new RgbImage(32, 32, px));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + batch, e);
        }
        out.println("CIFAR-10: " + images.size() + " images from " + batch.toAbsolutePath().normalize());
        return images;
    }

    private static RgbImage upscale(RgbImage image, int side) {
        float[] px = new float[side * side * 3];
        BilinearResampler.resizeCrop(image, new CropBox(0, 0, image.height(), image.width()), side, false, px);
        byte[] out = new byte[px.length];
        for (int i = 0; i < px.length; i++) {
            out[i] = (byte) Math.round(px[i]);
        }
        return new RgbImage(side, side, out);
    }

    /** Adds ±8 noise, so that the upscaled image compresses like a photograph rather than like a gradient. */
    private static RgbImage textured(RgbImage image, SplittableRandom random) {
        byte[] px = image.pixels().clone();
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) Math.max(0, Math.min(255, (px[i] & 0xFF) + random.nextInt(17) - 8));
        }
        return new RgbImage(image.width(), image.height(), px);
    }

    private static RgbImage generated(int side, SplittableRandom random) {
        byte[] px = new byte[side * side * 3];
        int[] a = {random.nextInt(256), random.nextInt(256), random.nextInt(256)};
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                for (int c = 0; c < 3; c++) {
                    int v = a[c] + (c == 0 ? x : c == 1 ? y : x + y) * 255 / side / 2 + random.nextInt(17) - 8;
                    px[(y * side + x) * 3 + c] = (byte) Math.max(0, Math.min(255, v));
                }
            }
        }
        return new RgbImage(side, side, px);
    }

    private static byte[] encode(RgbImage image, String format) {
        BufferedImage buffered = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] dst = ((java.awt.image.DataBufferByte) buffered.getRaster().getDataBuffer()).getData();
        byte[] src = image.pixels();
        for (int i = 0; i < src.length; i += 3) { // RGB → BGR
            dst[i] = src[i + 2];
            dst[i + 1] = src[i + 1];
            dst[i + 2] = src[i];
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (format.equals("jpeg")) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(0.9f);
            }
            writer.write(null, new IIOImage(buffered, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a benchmark image as " + format, e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static void sleep(double seconds) {
        try {
            Thread.sleep((long) (seconds * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("benchmark interrupted", e);
        }
    }
}
