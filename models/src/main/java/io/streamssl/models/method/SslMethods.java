package io.streamssl.models.method;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** The methods users can select by name. */
public final class SslMethods {

    private static final Map<String, Function<MethodSettings, SslMethod>> FACTORIES =
            new TreeMap<>(Map.of(Byol.NAME, Byol::new));

    private SslMethods() {}

    public static java.util.Set<String> names() {
        return FACTORIES.keySet();
    }

    public static SslMethod create(String name, MethodSettings settings) {
        Function<MethodSettings, SslMethod> f = FACTORIES.get(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown method '" + name + "': allowed are " + names());
        }
        return f.apply(settings);
    }
}
