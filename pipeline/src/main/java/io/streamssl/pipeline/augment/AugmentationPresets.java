package io.streamssl.pipeline.augment;

import java.util.ArrayList;
import io.streamssl.models.method.AugmentationPresetName;
import io.streamssl.models.method.ViewPlan;
import io.streamssl.models.pretext.PermutationSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The augmentation pipelines of the published SSL methods, one per {@link AugmentationPresetName}.
 *
 * <pre>{@code
 * MultiViewAugmenter augmenter = AugmentationPresets.create("dino", runSeed, Map.of("local-crops", "6"));
 * }</pre>
 *
 * Every view: RandomResizedCrop with ratio (3/4, 4/3), flip p 0.5, ColorJitter with p 0.8, grayscale p 0.2,
 * blur σ ∈ [0.1, 2.0] with a kernel of 10 % of the size (see {@link ViewPipeline}). Per preset:
 *
 * <table>
 *   <caption>presets</caption>
 *   <tr><th>preset</th><th>size</th><th>crop scale</th><th>jitter (b, c, s, h)</th><th>blur p</th>
 *       <th>solarize p</th><th>source</th></tr>
 *   <tr><td>{@code simclr}</td><td>224</td><td>0.08–1</td><td>0.8, 0.8, 0.8, 0.2</td><td>0.5</td><td>0</td>
 *       <td>SimCLR (Chen et al. 2020), appendix A, s = 1</td></tr>
 *   <tr><td>{@code mocov2}</td><td>224</td><td>0.2–1</td><td>0.4, 0.4, 0.4, 0.1</td><td>0.5</td><td>0</td>
 *       <td>MoCo v2 (Chen et al. 2020), main_moco.py {@code --aug-plus}</td></tr>
 *   <tr><td>{@code byol}</td><td>224</td><td>0.08–1</td><td>0.4, 0.4, 0.2, 0.1</td><td>1.0 / 0.1</td>
 *       <td>0 / 0.2</td><td>BYOL (Grill et al. 2020), table 6: view 1 / view 2</td></tr>
 *   <tr><td>{@code dino}</td><td>224 global, 96 local</td><td>0.4–1 global, 0.05–0.4 local</td>
 *       <td>0.4, 0.4, 0.2, 0.1</td><td>1.0 / 0.1 / local 0.5</td><td>0 / 0.2 / local 0</td>
 *       <td>DINO (Caron et al. 2021), main_dino.py {@code DataAugmentationDINO}: 2 global + 8 local crops</td></tr>
 *   <tr><td>{@code cifar-asymmetric}</td><td>32</td><td>0.08–1</td><td>0.4, 0.4, 0.2, 0.1</td><td>0</td>
 *       <td>0 / 0.2</td><td>BYOL's views without blur, as solo-learn's asymmetric CIFAR config</td></tr>
 *   <tr><td>{@code cifar-symmetric}</td><td>32</td><td>0.08–1</td><td>0.8, 0.8, 0.8, 0.2</td><td>0</td><td>0</td>
 *       <td>SimCLR's CIFAR-10 setting (no blur at 32 px), as solo-learn's symmetric CIFAR config</td></tr>
 *   <tr><td>{@code mae}</td><td>224</td><td>0.2–1</td><td>none (no grayscale either)</td><td>0</td><td>0</td>
 *       <td>MAE (He et al. 2022), main_pretrain.py: crop and flip only</td></tr>
 *   <tr><td>{@code jigsaw}</td><td>192 (9 tiles of 64)</td><td>0.2–1</td><td>0.4, 0.4, 0.4, 0.1</td><td>0</td>
 *       <td>0</td><td>PIRL's jigsaw view (Misra &amp; van der Maaten 2019): a {@link JigsawView} over a region of
 *       3 × 85 px for 64 px tiles, {@link PermutationSet#standard()}; MoCo v2's crop and colour</td></tr>
 *   <tr><td>{@code relative-patch}</td><td>96 (the patch)</td><td>0.5–1</td><td>none: colour dropping</td>
 *       <td>0</td><td>0</td><td>Context prediction (Doersch et al. 2015): pairs of {@link RelativePatchView}s, a
 *       centre patch and one of its 8 neighbours, half a patch apart, jittered 7/96 of a patch</td></tr>
 *   <tr><td>{@code rotation}</td><td>32</td><td>0.2–1</td><td>0.4, 0.4, 0.4, 0.1</td><td>0</td><td>0</td>
 *       <td>RotNet (Gidaris et al. 2018): a {@link RotationView}, turned 0/90/180/270°; with a multiple of 4 views
 *       view v turned v mod 4 times (every image in all four rotations, the paper's batch), else drawn per view</td></tr>
 * </table>
 *
 * <p>Override keys (values are decimal integers):
 * <ul>
 *   <li>{@value #SIZE}: side of the main (global) views, default 224 or 32 as above; for {@code jigsaw} the side
 *       of the tiled view, a multiple of 3 (tiles of size/3);</li>
 *   <li>{@value #GLOBAL_CROPS}: number of main views, default 2, ≥ 1; view {@code i} takes the settings of the
 *       preset's view {@code i mod 2} (so asymmetric presets alternate);</li>
 *   <li>{@value #LOCAL_CROPS} ({@code dino} only): number of local views, default 8, ≥ 0;</li>
 *   <li>{@value #LOCAL_SIZE} ({@code dino} only): side of the local views, default 96.</li>
 * </ul>
 * Views are ordered global first, then local. Unknown presets and keys, and bad values, are rejected with an
 * {@link IllegalArgumentException} that lists the valid choices.
 */
public final class AugmentationPresets {

    public static final String SIZE = "size";
    public static final String GLOBAL_CROPS = "global-crops";
    public static final String LOCAL_CROPS = "local-crops";
    public static final String LOCAL_SIZE = "local-size";

    private static final ColorJitter SIMCLR_JITTER = new ColorJitter(0.8, 0.8, 0.8, 0.2);
    private static final ColorJitter MOCO_JITTER = new ColorJitter(0.4, 0.4, 0.4, 0.1);
    private static final ColorJitter BYOL_JITTER = new ColorJitter(0.4, 0.4, 0.2, 0.1);
    private static final double JITTER_P = 0.8;
    private static final double GRAYSCALE_P = 0.2;
    private static final Grayscale GRAYSCALE = new Grayscale();
    private static final ColorJitter NO_JITTER = new ColorJitter(0, 0, 0, 0);
    private static final Solarization SOLARIZATION = new Solarization();

    /**
     * One preset: the two main-view settings (equal for symmetric presets) and, for multi-crop, the local ones.
     */
    private record Preset(int size, double minScale, double maxScale, ColorJitter jitter, double blur1, double blur2,
            double solarize1, double solarize2, boolean multiCrop, boolean jigsaw, boolean rotation) {
    }

    /** A switch, not a map: a name added to {@link AugmentationPresetName} without its preset does not compile. */
    private static Preset preset(AugmentationPresetName name) {
        return switch (name) {
            case SIMCLR -> new Preset(224, 0.08, 1.0, SIMCLR_JITTER, 0.5, 0.5, 0, 0, false, false, false);
            case MOCOV2 -> new Preset(224, 0.2, 1.0, MOCO_JITTER, 0.5, 0.5, 0, 0, false, false, false);
            case BYOL -> new Preset(224, 0.08, 1.0, BYOL_JITTER, 1.0, 0.1, 0, 0.2, false, false, false);
            case DINO -> new Preset(224, 0.4, 1.0, BYOL_JITTER, 1.0, 0.1, 0, 0.2, true, false, false);
            case CIFAR_ASYMMETRIC -> new Preset(32, 0.08, 1.0, BYOL_JITTER, 0, 0, 0, 0.2, false, false, false);
            case CIFAR_SYMMETRIC -> new Preset(32, 0.08, 1.0, SIMCLR_JITTER, 0, 0, 0, 0, false, false, false);
            case MAE -> new Preset(224, 0.2, 1.0, null, 0, 0, 0, 0, false, false, false); // null: no colour ops
            case JIGSAW -> new Preset(3 * 64, 0.2, 1.0, MOCO_JITTER, 0, 0, 0, 0, false, true, false);
            // RotNet's input is the image itself (random crop and flip); a crop of 0.2–1 and MoCo v2's jitter
            // keep colour from being the only cue the head needs not to look past
            case ROTATION -> new Preset(32, 0.2, 1.0, MOCO_JITTER, 0, 0, 0, 0, false, false, true);
            // size: the patch's (the paper's 96 px); no colour ops, the patches drop colour instead (relativePatch)
            case RELATIVE_PATCH -> new Preset(96, 0.5, 1.0, null, 0, 0, 0, 0, false, false, false);
        };
    }

    // DINO's local crops (main_dino.py defaults)
    private static final int DINO_LOCAL_CROPS = 8;
    private static final int DINO_LOCAL_SIZE = 96;
    private static final double DINO_LOCAL_MIN_SCALE = 0.05;
    private static final double DINO_LOCAL_MAX_SCALE = 0.4;
    private static final double DINO_LOCAL_BLUR = 0.5;

    private AugmentationPresets() {
    }

    /** The preset names, in a stable order ({@link AugmentationPresetName#configNames()}). */
    public static Set<String> names() {
        return AugmentationPresetName.configNames();
    }

    /** The override keys {@code presetName} accepts. */
    public static Set<String> overrideKeys(String presetName) {
        Preset preset = preset(presetName);
        Set<String> keys = new LinkedHashSet<>(List.of(SIZE, GLOBAL_CROPS));
        if (preset.multiCrop()) {
            keys.add(LOCAL_CROPS);
            keys.add(LOCAL_SIZE);
        }
        return Collections.unmodifiableSet(keys);
    }

    /**
     * The augmenter of {@code presetName} with {@code overrides} applied.
     *
     * @param overrides keys from {@link #overrideKeys(String)}; may be empty, not null
     * @throws IllegalArgumentException for an unknown preset or key, or a value that is not a valid count/size
     */
    public static MultiViewAugmenter create(String presetName, long runSeed, Map<String, String> overrides) {
        Preset preset = preset(presetName);
        if (overrides == null) {
            throw new IllegalArgumentException("overrides must not be null: pass Map.of() for none");
        }
        Set<String> allowed = overrideKeys(presetName);
        Set<String> unknown = new TreeSet<>(overrides.keySet());
        unknown.removeAll(allowed);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown override " + unknown + " for augmentation preset '"
                    + presetName + "': allowed keys are " + allowed);
        }
        int size = intOverride(overrides, SIZE, preset.size(), 1);
        int globalCrops = intOverride(overrides, GLOBAL_CROPS, 2, 1);
        int localCrops = intOverride(overrides, LOCAL_CROPS, preset.multiCrop() ? DINO_LOCAL_CROPS : 0, 0);
        int localSize = intOverride(overrides, LOCAL_SIZE, DINO_LOCAL_SIZE, 1);

        List<ViewTransform> views = new ArrayList<>();
        if (AugmentationPresetName.of(presetName) == AugmentationPresetName.RELATIVE_PATCH) {
            return relativePatch(size, globalCrops, preset, runSeed);
        }
        if (preset.jigsaw()) {
            if (size % JigsawView.GRID != 0) {
                throw new IllegalArgumentException("augmentation override '" + SIZE + "' of the jigsaw preset must"
                        + " be a multiple of 3 (3×3 tiles of size/3), got " + size);
            }
            int tile = size / JigsawView.GRID;
            ViewPipeline region = view(JigsawView.GRID * JigsawView.cellFor(tile), preset.minScale(),
                    preset.maxScale(), preset.jitter(), 0, 0);
            for (int v = 0; v < globalCrops; v++) {
                views.add(new JigsawView(region, tile, PermutationSet.standard()));
            }
            return new MultiViewAugmenter(runSeed, views);
        }
        if (preset.rotation()) {
            // a multiple of 4 views: view v turned v mod 4 times, each image in all four rotations (the paper's
            // batch); otherwise each view's turns drawn from its seed
            for (int v = 0; v < globalCrops; v++) {
                views.add(new RotationView(view(size, preset.minScale(), preset.maxScale(), preset.jitter(), 0, 0),
                        globalCrops % RotationView.ROTATIONS == 0 ? v % RotationView.ROTATIONS : -1));
            }
            return new MultiViewAugmenter(runSeed, views);
        }
        for (int v = 0; v < globalCrops; v++) {
            boolean second = v % 2 == 1;
            views.add(view(size, preset.minScale(), preset.maxScale(), preset.jitter(),
                    second ? preset.blur2() : preset.blur1(), second ? preset.solarize2() : preset.solarize1()));
        }
        for (int v = 0; v < localCrops; v++) {
            views.add(view(localSize, DINO_LOCAL_MIN_SCALE, DINO_LOCAL_MAX_SCALE, preset.jitter(), DINO_LOCAL_BLUR, 0));
        }
        return new MultiViewAugmenter(runSeed, views);
    }

    /**
     * Pairs of views, a centre patch then one of its neighbours cut from the same region ({@link RelativePatchView}):
     * {@code views} must be even. The paper's gap (half a patch) and jitter (7 of 96 px), colour dropping.
     */
    private static MultiViewAugmenter relativePatch(int patch, int views, Preset preset, long runSeed) {
        if (views % 2 != 0) {
            throw new IllegalArgumentException("augmentation override '" + GLOBAL_CROPS + "' of the relative-patch"
                    + " preset must be even (pairs of a centre and a neighbour patch), got " + views);
        }
        int gap = RelativePatchView.gapFor(patch);
        int jitter = RelativePatchView.jitterFor(patch);
        ViewPipeline region = view(RelativePatchView.regionSide(patch, gap, jitter), preset.minScale(),
                preset.maxScale(), preset.jitter(), 0, 0);
        List<ViewTransform> out = new ArrayList<>();
        for (int v = 0; v < views; v += 2) {
            out.add(new RelativePatchView(region, patch, gap, jitter, RelativePatchView.Role.CENTRE, true));
            out.add(new RelativePatchView(region, patch, gap, jitter, RelativePatchView.Role.NEIGHBOUR, true));
        }
        return new MultiViewAugmenter(runSeed, out);
    }

    /**
     * The augmentation of a method's view plan: its presets, the run's seed, the plan's sizes and counts. A
     * multi-crop plan (a global and a local group) takes its local views from DINO's local-crop pipeline
     * (scale 0.05–0.4, the DINO colour and blur settings) at the plan's local size, the only local-crop pipeline
     * the presets define. A second group of the {@code jigsaw} preset (PIRL) gets jigsaw views of its size.
     *
     * @throws IllegalArgumentException for a plan of more than two groups (the job's config rejects those first,
     *     naming {@code trainer.method})
     */
    public static MultiViewAugmenter forViewPlan(ViewPlan plan, long runSeed) {
        if (plan.groups().size() > 2) {
            throw new IllegalArgumentException("the augmentation makes at most two view sizes (global and local"
                    + " crops), the plan wants " + plan.groups().size() + ": " + plan.describe());
        }
        ViewPlan.CropGroup global = plan.groups().get(0);
        Map<String, String> globalOverrides = new HashMap<>(Map.of(
                SIZE, Integer.toString(global.size()),
                GLOBAL_CROPS, Integer.toString(global.views())));
        if (global.preset().equals(AugmentationPresetName.DINO.configName())) {
            globalOverrides.put(LOCAL_CROPS, "0"); // local views come from the plan's group
        }
        MultiViewAugmenter globals = create(global.preset(), runSeed, globalOverrides);
        if (plan.groups().size() == 1) {
            return globals;
        }
        ViewPlan.CropGroup local = plan.groups().get(1);
        if (AugmentationPresetName.of(local.preset()) == AugmentationPresetName.JIGSAW) {
            List<ViewTransform> all = new ArrayList<>(globals.transforms());
            all.addAll(create(local.preset(), runSeed, Map.of(SIZE, Integer.toString(local.size()),
                    GLOBAL_CROPS, Integer.toString(local.views()))).transforms());
            return new MultiViewAugmenter(runSeed, all);
        }
        MultiViewAugmenter dino = create(AugmentationPresetName.DINO.configName(), runSeed, Map.of(
                SIZE, Integer.toString(global.size()),
                GLOBAL_CROPS, "1",
                LOCAL_CROPS, Integer.toString(local.views()),
                LOCAL_SIZE, Integer.toString(local.size())));
        List<ViewTransform> all = new ArrayList<>(globals.transforms());
        all.addAll(dino.transforms().subList(1, dino.transforms().size()));
        return new MultiViewAugmenter(runSeed, all);
    }

    /**
     * One view of any preset: its ops, in order, with their probabilities. An op added here (and to the table in
     * the class doc) reaches every preset; one drawn with probability 0 still consumes its draw. A {@code null}
     * jitter (MAE's view) turns off jitter and grayscale.
     */
    private static ViewPipeline view(int size, double minScale, double maxScale, ColorJitter jitter, double blur,
            double solarize) {
        boolean colour = jitter != null;
        return ViewPipeline.builder()
                .setSize(size)
                .optScale(minScale, maxScale)
                .add(colour ? jitter : NO_JITTER, colour ? JITTER_P : 0)
                .add(GRAYSCALE, colour ? GRAYSCALE_P : 0)
                .add(GaussianBlur.forViewSize(size), blur)
                .add(SOLARIZATION, solarize)
                .build();
    }

    private static Preset preset(String name) {
        return preset(AugmentationPresetName.of(name));
    }

    private static int intOverride(Map<String, String> overrides, String key, int defaultValue, int min) {
        String raw = overrides.get(key);
        if (raw == null) {
            return defaultValue;
        }
        int value;
        try {
            value = Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("augmentation override '" + key + "' must be an integer >= " + min
                    + ", got '" + raw + "'", e);
        }
        if (value < min) {
            throw new IllegalArgumentException("augmentation override '" + key + "' must be >= " + min + ", got "
                    + value);
        }
        return value;
    }
}
