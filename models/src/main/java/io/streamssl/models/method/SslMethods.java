package io.streamssl.models.method;

import io.streamssl.models.encoder.EncoderSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The methods users can select by name, and {@link #describe()} of each with its defaults and views. */
public final class SslMethods {

    /** Every method, in the order {@link #names()} and {@link #describe()} list them. */
    private static final List<MethodDescriptor> METHODS = List.of(
            SimClr.DESCRIPTOR,
            SimClrV2.DESCRIPTOR,
            MocoV2.DESCRIPTOR,
            MocoV1.DESCRIPTOR,
            MocoV3.DESCRIPTOR,
            Nnclr.DESCRIPTOR,
            Byol.DESCRIPTOR,
            SimSiam.DESCRIPTOR,
            Dino.DESCRIPTOR,
            Swav.DESCRIPTOR,
            BarlowTwins.DESCRIPTOR,
            Vicreg.DESCRIPTOR,
            DeepClusterV2.DESCRIPTOR,
            Sela.DESCRIPTOR, InstDisc.DESCRIPTOR,
            Pirl.DESCRIPTOR, Seed.DESCRIPTOR, Obow.DESCRIPTOR,
            ExemplarCnn.DESCRIPTOR,
            Rotation.DESCRIPTOR, Mae.DESCRIPTOR,
            Jigsaw.DESCRIPTOR, RelativePatchLocation.DESCRIPTOR,
            Colorization.DESCRIPTOR, ContextEncoder.DESCRIPTOR,
            Ibot.DESCRIPTOR);

    private static final Map<String, MethodDescriptor> BY_NAME = new LinkedHashMap<>();

    static {
        for (MethodDescriptor d : METHODS) {
            if (BY_NAME.put(d.name(), d) != null) {
                throw new IllegalStateException("two methods are named '" + d.name() + "'");
            }
        }
    }

    private SslMethods() {}

    public static Set<String> names() {
        return Collections.unmodifiableSet(BY_NAME.keySet());
    }

    /** The method named {@code name}; fails on an unknown name, listing the known ones. */
    public static MethodDescriptor descriptor(String name) {
        MethodDescriptor d = BY_NAME.get(name);
        if (d == null) {
            throw new IllegalArgumentException("unknown method '" + name + "': allowed are " + names());
        }
        return d;
    }

    public static SslMethod create(String name, MethodSettings settings) {
        return descriptor(name).create(settings);
    }

    /**
     * A readable list of every method with its default optimiser and learning rate, its options at their defaults
     * (for ResNet-18 on 32 px, a batch of 256 and a schedule of 100,000 steps) and its view plan at 32 and 224 px:
     * what {@code streamssl methods} prints.
     */
    public static String describe() {
        StringBuilder out = new StringBuilder();
        out.append("Self-supervised methods: select one by NAME and override any option with KEY=VALUE.\n"
                + "Every method also takes augmentation=PRESET, one preset for all its views\n  ("
                + String.join(", ", new java.util.TreeSet<>(AugmentationPresetName.viewConfigNames()))
                + ").\n");
        MethodSettings defaults = new MethodSettings(EncoderSpec.resnet18Cifar(), 100_000, 256, Map.of());
        for (MethodDescriptor d : METHODS) {
            SslMethod m = d.create(defaults); // constructing allocates no tensors
            out.append('\n').append(d.name()).append(" — ").append(d.summary()).append('\n');
            out.append("  optimizer:       ").append(d.optimizerDefaults().describe())
                    .append(" (unless trainer.optimizer / trainer.learning-rate are set)\n");
            if (!d.optimizerDefaults().describeDecayAndBetas().isEmpty()) {
                out.append("  decay/betas:     ").append(d.optimizerDefaults().describeDecayAndBetas())
                        .append(" (unless trainer.weight-decay/adamw-betas are set)\n");
            }
            out.append("  views at 32 px:  ").append(m.viewPlan(32).describe()).append('\n');
            out.append("  views at 224 px: ").append(m.viewPlan(224).describe()).append('\n');
            out.append("  options:");
            int width = 11;
            for (Map.Entry<String, String> e : m.options().entrySet()) {
                String item = " " + e.getKey() + "=" + e.getValue();
                if (width + item.length() > 110) {
                    out.append("\n          ");
                    width = 10;
                }
                out.append(item);
                width += item.length();
            }
            out.append('\n');
        }
        return out.toString();
    }
}
