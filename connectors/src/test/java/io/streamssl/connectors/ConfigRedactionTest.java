package io.streamssl.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigRedactionTest {

    @Test
    void secretKeysAreMatchedBySegment() {
        for (String secret : new String[] {"sasl.jaas.config", "ssl.key.password", "ssl.keystore.password",
                "ssl.truststore.password", "ssl.keystore.key", "sasl.oauthbearer.token.endpoint.url",
                "basic.auth.credentials.source", "client-secret", "API_KEY", "schema.registry.apikey",
                "kafka.properties.sasl.jaas.config"}) {
            assertThat(ConfigRedaction.isSecret(secret)).as(secret).isTrue();
        }
        for (String plain : new String[] {"kafka.images-topic", "ssl.keystore.location", "ssl.keystore.type",
                "security.protocol", "sasl.mechanism", "trainer.model-name", "monkey-business.size", "keystore",
                "augment.max-image-bytes"}) {
            assertThat(ConfigRedaction.isSecret(plain)).as(plain).isFalse();
        }
    }

    @Test
    void redactMasksOnlySecretValues() {
        Map<String, String> out = ConfigRedaction.redact(Map.of("sasl.jaas.config", "password=\"pw\"",
                "security.protocol", "SASL_SSL"));
        assertThat(out).containsExactlyInAnyOrderEntriesOf(Map.of("sasl.jaas.config", ConfigRedaction.MASK,
                "security.protocol", "SASL_SSL"));
    }
}
