package io.streamssl.connectors;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Which configuration values are secrets, so that logs, metrics and the config copy in snapshot manifests show
 * {@value #MASK} instead. A key is secret when one of its <em>segments</em> (the key split at {@code .}, {@code -}
 * and {@code _}, case-insensitive) contains {@code password}, {@code passwd}, {@code secret}, {@code jaas},
 * {@code token} or {@code credential}, or is {@code key}, {@code keys} or ends with {@code apikey},
 * {@code privatekey} or {@code accesskey}: {@code kafka.properties.sasl.jaas.config},
 * {@code kafka.properties.ssl.key.password}, {@code ssl.keystore.key}, {@code api-key} are secret;
 * {@code kafka.images-topic}, {@code ssl.keystore.location}, {@code trainer.model-name} and {@code monkey.count}
 * are not. Matching segments rather than substrings keeps harmless keys readable ({@code keystore.type} holds no
 * secret) while catching every Kafka client setting that does.
 */
public final class ConfigRedaction {

    /** What a secret value is replaced with. */
    public static final String MASK = "***";

    private static final Pattern SEGMENT_SEPARATORS = Pattern.compile("[._-]");
    private static final Pattern SECRET_SEGMENT =
            Pattern.compile(".*(password|passwd|secret|jaas|token|credential).*|keys?|.*(api|private|access)keys?");

    private ConfigRedaction() {}

    /** Whether the value of {@code key} is a secret (see the class comment for the rule). */
    public static boolean isSecret(String key) {
        for (String segment : SEGMENT_SEPARATORS.split(key.toLowerCase(Locale.ROOT))) {
            if (SECRET_SEGMENT.matcher(segment).matches()) {
                return true;
            }
        }
        return false;
    }

    /** A sorted copy of {@code values} with every secret value replaced by {@value #MASK}. */
    public static Map<String, String> redact(Map<String, String> values) {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> out.put(k, isSecret(k) ? MASK : v));
        return out;
    }
}
