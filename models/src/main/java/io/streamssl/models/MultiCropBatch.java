package io.streamssl.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A batch whose views have different sizes (multi-crop: e.g. 2 global 32 px crops and 6 local 16 px crops of
 * each image): one {@link ViewBatch} per size group, in the method's view order, all for the same N images
 * with the same labels. A single {@link ViewBatch} is the one-group case.
 *
 * @param groups same-sized views per group, e.g. [(N, 2, 32, 32, 3), (N, 6, 16, 16, 3)]
 */
public record MultiCropBatch(List<ViewBatch> groups) {

    public MultiCropBatch {
        groups = List.copyOf(groups);
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("a multi-crop batch needs at least one group of views");
        }
        ViewBatch first = groups.get(0);
        for (ViewBatch g : groups) {
            if (g.size() != first.size() || !Arrays.equals(g.labels(), first.labels())) {
                throw new IllegalArgumentException("every group of a multi-crop batch must hold the same " + first.size()
                        + " images with the same labels, got a group of " + g.size());
            }
            if (g.instanceIds() != null && !Arrays.equals(g.instanceIds(), first.instanceIds())) {
                throw new IllegalArgumentException("a group of a multi-crop batch that has instance ids must have "
                        + "the first group's ids: they are the same images");
            }
        }
    }

    public static MultiCropBatch of(ViewBatch... groups) {
        return new MultiCropBatch(List.of(groups));
    }

    /** Images in the batch. */
    public int size() {
        return groups.get(0).size();
    }

    public int[] labels() {
        return groups.get(0).labels();
    }

    /** The first group's 64-bit image ids, one per image, or {@code null} when unknown. */
    public long[] instanceIds() {
        return groups.get(0).instanceIds();
    }

    /**
     * The pretext targets per view over all groups, in view order: {@code [v][i]} is view v of image i, or
     * {@link ViewBatch#NO_TARGET}; {@code null} when no group has targets.
     */
    public int[][] viewTargets() {
        if (groups.stream().allMatch(g -> g.viewTargets() == null)) {
            return null;
        }
        int n = size();
        int[][] out = new int[views()][];
        int v = 0;
        for (ViewBatch g : groups) {
            for (int gv = 0; gv < g.views(); gv++, v++) {
                out[v] = new int[n];
                for (int i = 0; i < n; i++) {
                    out[v][i] = g.viewTargets() == null ? ViewBatch.NO_TARGET : g.viewTargets()[i * g.views() + gv];
                }
            }
        }
        return out;
    }

    /** Views per image over all groups. */
    public int views() {
        return groups.stream().mapToInt(ViewBatch::views).sum();
    }

    /** Side of each view in order, or -1 for a non-square group. */
    public List<Integer> sizes() {
        List<Integer> out = new ArrayList<>();
        for (ViewBatch g : groups) {
            for (int v = 0; v < g.views(); v++) {
                out.add(g.height() == g.width() ? g.height() : -1);
            }
        }
        return out;
    }
}
