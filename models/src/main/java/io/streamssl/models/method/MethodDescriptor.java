package io.streamssl.models.method;

import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A method as users select it: the name they give, one line saying what it does and which paper it follows, and
 * how to build it from {@link MethodSettings}. Each method class declares its own ({@code Byol.DESCRIPTOR}), so
 * registering a method is one entry in {@link SslMethods}.
 *
 * <p>The options and their defaults are not repeated here: the constructor is their one source (it reads each
 * option with its default, see {@link BaseMethod}), and {@link #options} asks a method built with the given
 * settings. Some defaults depend on the settings, e.g. DINO's warm-up is 30 % of the schedule.
 *
 * @param name what users select it by, e.g. {@code byol}
 * @param summary one line: the paper (authors and year) and the method's idea
 * @param optimizerDefaults the optimiser and learning rate it trains with unless the user sets them; the method's
 *     class says where they come from
 * @param factory builds the method; constructing allocates no tensors and validates every option
 */
public record MethodDescriptor(String name, String summary, OptimizerDefaults optimizerDefaults,
        Function<MethodSettings, SslMethod> factory) {

    /**
     * The trainer's general default, for methods that train well with it: SGD with momentum at 0.05 whatever the
     * batch size (SimSiam's recipe at batch 256, Chen &amp; He 2021; MoCo v2's is 0.03).
     */
    public static final OptimizerDefaults SGD_DEFAULTS = OptimizerDefaults.fixed("sgd", 0.05);

    public MethodDescriptor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(optimizerDefaults, "optimizerDefaults");
        Objects.requireNonNull(factory, "factory");
    }

    /** The method with {@code settings}; fails on a bad or unknown option, naming it and what is allowed. */
    public SslMethod create(MethodSettings settings) {
        return factory.apply(settings);
    }

    /** Every option with the value in effect under {@code settings} (their defaults where none is set). */
    public Map<String, String> options(MethodSettings settings) {
        return create(settings).options();
    }
}
