package io.streamssl.models.method;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The augmentation presets, by the name methods and config use: the one list that the methods' view plans and
 * the pipeline's implementation (pipeline {@code augment.AugmentationPresets}, one preset per name) agree on.
 */
public enum AugmentationPresetName {

    SIMCLR("simclr"),
    MOCOV2("mocov2"),
    BYOL("byol"),
    DINO("dino"),
    CIFAR_ASYMMETRIC("cifar-asymmetric"),
    CIFAR_SYMMETRIC("cifar-symmetric"),
    /** MAE's view (He et al. 2022): a random resized crop and a flip, no colour. */
    MAE("mae"),
    /** A 3×3 grid of shuffled tiles (PIRL's jigsaw view; the Jigsaw pretext task's input): a pretext view. */
    JIGSAW("jigsaw", true),
    /** A crop turned by 0, 90, 180 or 270 degrees (Gidaris et al. 2018, the Rotation task's input): a pretext view. */
    ROTATION("rotation", true),
    /** A centre patch and one of its 8 neighbours, in pairs of views (Doersch et al. 2015): a pretext view. */
    RELATIVE_PATCH("relative-patch", true);

    private static final Set<String> CONFIG_NAMES = Collections.unmodifiableSet(new LinkedHashSet<>(
            Arrays.stream(values()).map(AugmentationPresetName::configName).toList()));
    private static final Set<String> VIEW_NAMES = Collections.unmodifiableSet(new LinkedHashSet<>(
            Arrays.stream(values()).filter(n -> !n.pretext).map(AugmentationPresetName::configName).toList()));

    private final String configName;
    private final boolean pretext;

    AugmentationPresetName(String configName) {
        this(configName, false);
    }

    AugmentationPresetName(String configName, boolean pretext) {
        this.configName = configName;
        this.pretext = pretext;
    }

    /**
     * Whether this preset makes a pretext task's input (a jigsaw grid), which only a method that plans it for its
     * own view group can use, rather than the crop-and-colour views any method's {@code augmentation} option can
     * select for all its views.
     */
    public boolean pretext() {
        return pretext;
    }

    /** The config names of the crop-and-colour presets (not {@link #pretext()}), in declaration order. */
    public static Set<String> viewConfigNames() {
        return VIEW_NAMES;
    }

    /** The name in config and in {@link ViewPlan.CropGroup#preset()}, e.g. {@code cifar-asymmetric}. */
    public String configName() {
        return configName;
    }

    /** Every config name, in declaration order. */
    public static Set<String> configNames() {
        return CONFIG_NAMES;
    }

    /**
     * The preset called {@code configName}.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static AugmentationPresetName of(String configName) {
        for (AugmentationPresetName name : values()) {
            if (name.configName.equals(configName)) {
                return name;
            }
        }
        throw new IllegalArgumentException("unknown augmentation preset '" + configName + "': use one of "
                + CONFIG_NAMES);
    }

    @Override
    public String toString() {
        return configName;
    }
}
