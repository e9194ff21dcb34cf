package io.streamssl.models.method;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * What views of each image a method trains on: groups of same-sized crops, each made with a named augmentation
 * preset (implemented by the pipeline), in the order the method receives them, and which of those views are
 * the targets' inputs: the teacher's (BYOL, MoCo, DINO) or the views SwAV computes codes for.
 *
 * @param groups crop groups in view order, e.g. 2 global then 6 local crops
 * @param teacherViews indices into the views, ascending; empty for methods without targets
 */
public record ViewPlan(List<CropGroup> groups, List<Integer> teacherViews) {

    /** The augmentation presets the pipeline implements: {@link AugmentationPresetName#configNames()}. */
    public static final Set<String> PRESETS = AugmentationPresetName.configNames();

    /**
     * @param views how many crops
     * @param size side of the square crop, in pixels
     * @param preset augmentation preset name, one of {@link #PRESETS}
     */
    public record CropGroup(int views, int size, String preset) {
        public CropGroup {
            if (views < 1 || size < 8) {
                throw new IllegalArgumentException("a crop group needs >= 1 view of >= 8 px, got " + views + " of "
                        + size);
            }
            if (!PRESETS.contains(preset)) {
                throw new IllegalArgumentException("unknown augmentation preset '" + preset + "': allowed are "
                        + new java.util.TreeSet<>(PRESETS));
            }
        }
    }

    public ViewPlan {
        groups = List.copyOf(groups);
        teacherViews = List.copyOf(teacherViews);
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("a view plan needs at least one crop group");
        }
        int total = groups.stream().mapToInt(CropGroup::views).sum();
        for (int v : teacherViews) {
            if (v < 0 || v >= total) {
                throw new IllegalArgumentException("teacher view " + v + " is not one of the " + total + " views");
            }
        }
    }

    /** {@code count} views of one size and preset; {@code teacherViews} as for the record. */
    public static ViewPlan of(int count, int size, String preset, List<Integer> teacherViews) {
        return new ViewPlan(List.of(new CropGroup(count, size, preset)), teacherViews);
    }

    /**
     * Multi-crop (Caron et al. 2020, used by SwAV and DINO): {@code globalViews} crops of side {@code imageSize},
     * then {@code localViews} crops of side {@code localSize} ({@code 0}: {@link #localCropSize}), all with
     * {@code preset}. The global crops are the targets' inputs (DINO's teacher, SwAV's codes).
     */
    public static ViewPlan multiCrop(int globalViews, int imageSize, int localViews, int localSize, String preset) {
        List<CropGroup> groups = new ArrayList<>();
        groups.add(new CropGroup(globalViews, imageSize, preset));
        if (localViews > 0) {
            groups.add(new CropGroup(localViews, localSize > 0 ? localSize : localCropSize(imageSize), preset));
        }
        return new ViewPlan(groups, IntStream.range(0, globalViews).boxed().toList());
    }

    /** Multi-crop's local crop side: 96/224 of the global side (DINO, SwAV), rounded up to a multiple of 4. */
    public static int localCropSize(int imageSize) {
        return Math.max(8, (int) Math.ceil(imageSize * 96.0 / 224 / 4) * 4);
    }

    /** Total views per image. */
    public int views() {
        return groups.stream().mapToInt(CropGroup::views).sum();
    }

    /** The side of every view, in view order. */
    public List<Integer> sizes() {
        List<Integer> out = new ArrayList<>();
        for (CropGroup g : groups) {
            for (int i = 0; i < g.views(); i++) {
                out.add(g.size());
            }
        }
        return out;
    }

    /** E.g. {@code 2×32px cifar-asymmetric; teacher: 0,1}. */
    public String describe() {
        String crops = groups.stream().map(g -> g.views() + "×" + g.size() + "px " + g.preset())
                .collect(Collectors.joining(" + "));
        String targets = teacherViews.isEmpty() ? "none"
                : teacherViews.stream().map(String::valueOf).collect(Collectors.joining(","));
        return crops + "; teacher: " + targets;
    }
}
