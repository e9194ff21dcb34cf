package io.streamssl.models.method;

import io.streamssl.models.encoder.EncoderSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** The methods users can select by name, and {@link #describe()} of each with its defaults and views. */
public final class SslMethods {

    private static final Map<String, Function<MethodSettings, SslMethod>> FACTORIES = new LinkedHashMap<>();

    static {
        FACTORIES.put(SimClr.NAME, SimClr::new);
        FACTORIES.put(MocoV2.NAME, MocoV2::new);
        FACTORIES.put(MocoV3.NAME, MocoV3::new);
        FACTORIES.put(Byol.NAME, Byol::new);
        FACTORIES.put(SimSiam.NAME, SimSiam::new);
        FACTORIES.put(Dino.NAME, Dino::new);
        FACTORIES.put(Swav.NAME, Swav::new);
        FACTORIES.put(BarlowTwins.NAME, BarlowTwins::new);
        FACTORIES.put(Vicreg.NAME, Vicreg::new);
    }

    /** One line of summary per method, for {@link #describe()}. */
    private static final Map<String, String> SUMMARIES = Map.of(
            SimClr.NAME, "SimCLR (Chen et al. 2020): NT-Xent over the batch",
            MocoV2.NAME, "MoCo v2 (Chen et al. 2020): InfoNCE against a queue of teacher keys",
            MocoV3.NAME, "MoCo v3 (Chen, Xie & He 2021): symmetric in-batch InfoNCE with a predictor",
            Byol.NAME, "BYOL (Grill et al. 2020): predict the momentum teacher's projection",
            SimSiam.NAME, "SimSiam (Chen & He 2021): negative cosine with stop-gradient",
            Dino.NAME, "DINO (Caron et al. 2021): self-distillation, centred and sharpened teacher, multi-crop",
            Swav.NAME, "SwAV (Caron et al. 2020): swapped prediction of Sinkhorn-Knopp codes, multi-crop",
            BarlowTwins.NAME, "Barlow Twins (Zbontar et al. 2021): cross-correlation to identity",
            Vicreg.NAME, "VICReg (Bardes et al. 2022): variance-invariance-covariance");

    private SslMethods() {}

    public static Set<String> names() {
        return FACTORIES.keySet();
    }

    public static SslMethod create(String name, MethodSettings settings) {
        Function<MethodSettings, SslMethod> f = FACTORIES.get(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown method '" + name + "': allowed are " + names());
        }
        return f.apply(settings);
    }

    /**
     * A readable list of every method with its options at their defaults (for ResNet-18 on 32 px and a schedule
     * of 100,000 steps) and its view plan at 32 and 224 px: what {@code streamssl methods} prints.
     */
    public static String describe() {
        StringBuilder out = new StringBuilder();
        out.append("Self-supervised methods: select one by NAME and override any option with KEY=VALUE.\n"
                + "Every method also takes augmentation=PRESET, one preset for all its views\n  ("
                + String.join(", ", new java.util.TreeSet<>(ViewPlan.PRESETS)) + ").\n");
        MethodSettings defaults = new MethodSettings(EncoderSpec.resnet18Cifar(), 100_000, Map.of());
        for (String name : names()) {
            SslMethod m = create(name, defaults); // constructing allocates no tensors
            out.append('\n').append(name).append(" — ").append(SUMMARIES.get(name)).append('\n');
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
