package io.streamssl.pipeline.job;

import io.streamssl.models.MultiCropBatch;
import io.streamssl.models.ViewBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Lays out the samples of one step as the trainer takes them: consecutive views of one size form a group
 * {@code (N, V_g, S_g, S_g, 3)}, image-major as {@link ViewBatch} wants; the probe images (where present) and the
 * labels go with the first group. Every group carries the images' 64-bit ids ({@link #instanceId}), which a method
 * with a per-instance memory looks its bank up by; a replay of an image has the id of its first use, on purpose:
 * it is the same instance.
 */
final class BatchAssembler {

    private BatchAssembler() {}

    /** @throws IllegalStateException if the samples differ in their views or a sample's bytes do not fit them */
    static MultiCropBatch assemble(List<TrainingSample> samples) {
        TrainingSample first = samples.get(0);
        int n = samples.size();
        int[] labels = new int[n];
        long[] ids = samples.stream().allMatch(s -> s.id != null) ? new long[n] : null;
        int probeBytes = first.size * first.size * 3;
        byte[] probe = samples.stream().anyMatch(s -> s.probe != null) ? new byte[probeBytes * n] : null;
        for (int i = 0; i < n; i++) {
            TrainingSample s = samples.get(i);
            if (!Arrays.equals(s.viewSizes, first.viewSizes)) {
                throw new IllegalStateException("samples of one batch must have the same views: " + s.id + " has "
                        + Arrays.toString(s.viewSizes) + ", " + first.id + " has " + Arrays.toString(first.viewSizes));
            }
            labels[i] = s.label;
            if (ids != null) {
                ids[i] = instanceId(s.id);
            }
            if (probe != null && s.probe != null) {
                System.arraycopy(s.probe, 0, probe, i * probeBytes, probeBytes);
            }
        }
        boolean targeted = samples.stream().anyMatch(s -> s.viewTargets != null);
        List<ViewBatch> groups = new ArrayList<>();
        int[] sizes = first.viewSizes;
        int sampleBytes = first.pixels.length;
        for (int start = 0, offset = 0; start < sizes.length; ) {
            int end = start;
            while (end < sizes.length && sizes[end] == sizes[start]) {
                end++;
            }
            int groupBytes = (end - start) * sizes[start] * sizes[start] * 3;
            byte[] pixels = new byte[groupBytes * n];
            for (int i = 0; i < n; i++) {
                System.arraycopy(samples.get(i).pixels, offset, pixels, i * groupBytes, groupBytes);
            }
            // the probe images are of the image size: a first group of other sizes (jigsaw grids, relative patches)
            // leaves the probe to the method's features of its views
            groups.add(new ViewBatch(n, end - start, sizes[start], sizes[start], pixels, labels,
                    groups.isEmpty() && sizes[start] == first.size ? probe : null, ids,
                    targeted ? targets(samples, start, end) : null));
            offset += groupBytes;
            start = end;
            if (start == sizes.length && offset != sampleBytes) {
                throw new IllegalStateException("sample " + first.id + " has " + sampleBytes + " bytes for views "
                        + Arrays.toString(sizes) + ", which need " + offset);
            }
        }
        return new MultiCropBatch(groups);
    }

    /** Views {@code start..end} of each sample's pretext targets, image-major; -1 where a sample has none. */
    private static int[] targets(List<TrainingSample> samples, int start, int end) {
        int views = end - start;
        int[] out = new int[samples.size() * views];
        Arrays.fill(out, ViewBatch.NO_TARGET);
        for (int i = 0; i < samples.size(); i++) {
            int[] t = samples.get(i).viewTargets;
            if (t != null) {
                System.arraycopy(t, start, out, i * views, views);
            }
        }
        return out;
    }

    /**
     * The 64-bit id of the image whose record key (or position, for a keyless record) is {@code id}: the high half
     * of its name-based UUID (MD5), so equal keys give equal ids in every process and run, and two of a million
     * keys collide with odds of about 3e-8.
     */
    static long instanceId(String id) {
        return UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8)).getMostSignificantBits();
    }
}
