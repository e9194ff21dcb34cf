package io.streamssl.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.connectors.ConfigRedaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kafka.properties.*}: Kafka client settings from the config, and secrets kept out of what is shown. */
class JobConfigKafkaPropertiesTest {

    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"alice\" password=\"s3cr3t-pw\";";

    @TempDir
    Path tmp;

    @Test
    void nestedYamlAndFlatOverridesBecomeClientPropertiesWithoutThePrefix() throws Exception {
        Path yaml = tmp.resolve("job.yaml");
        Files.writeString(yaml, """
                kafka:
                  bootstrap-servers: broker:9093
                  properties:
                    security.protocol: SASL_SSL
                    sasl:
                      mechanism: PLAIN
                      jaas.config: 'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cr3t-pw";'
                """);
        JobConfig c = JobConfig.load(yaml, Map.of("kafka.properties.ssl.truststore.password", "tspw",
                "properties.client.dns.lookup", "use_all_dns_ips"));
        assertThat(c.kafkaClientProperties()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", JAAS,
                "ssl.truststore.password", "tspw",
                "client.dns.lookup", "use_all_dns_ips"));
        assertThat(JobConfig.of(Map.of()).kafkaClientProperties()).isEmpty();
    }

    @Test
    void redactedHidesEverySecretAndKeepsTheRest() {
        JobConfig c = JobConfig.of(Map.of("kafka.bootstrap-servers", "broker:9093",
                "kafka.properties.sasl.jaas.config", JAAS,
                "kafka.properties.ssl.key.password", "kpw",
                "kafka.properties.ssl.keystore.location", "/etc/ks.jks",
                "properties.sasl.oauthbearer.token.endpoint.url", "https://idp/token",
                "kafka.images-topic", "photos"));
        Map<String, String> shown = c.redacted();
        assertThat(shown).containsEntry("kafka.properties.sasl.jaas.config", ConfigRedaction.MASK)
                .containsEntry("kafka.properties.ssl.key.password", ConfigRedaction.MASK)
                .containsEntry("properties.sasl.oauthbearer.token.endpoint.url", ConfigRedaction.MASK)
                .containsEntry("kafka.properties.ssl.keystore.location", "/etc/ks.jks")
                .containsEntry("kafka.images-topic", "photos")
                .containsEntry("kafka.bootstrap-servers", "broker:9093");
        assertThat(shown.toString()).doesNotContain("s3cr3t-pw").doesNotContain("kpw");
        // the client still gets the real values
        assertThat(c.kafkaClientProperties()).containsEntry("sasl.jaas.config", JAAS);
    }

    @Test
    void noOptionOfTheJobIsTakenForASecret() {
        // the rule matches key segments: "key" in a harmless option name would hide it from manifests
        for (ConfigOption<?> o : StreamsslOptions.all()) {
            assertThat(ConfigRedaction.isSecret(o.key())).as(o.key()).isFalse();
        }
    }

    @Test
    void badPropertyKeysFailNamingTheKey() {
        assertThatThrownBy(() -> JobConfig.of(Map.of("kafka.properties.bootstrap.servers", "x:1")))
                .hasMessageContaining("'kafka.properties.bootstrap.servers'")
                .hasMessageContaining("kafka.bootstrap-servers");
        assertThatThrownBy(() -> JobConfig.of(Map.of("properties.group.id", "g")))
                .hasMessageContaining("'properties.group.id'").hasMessageContaining("kafka.group-id");
        assertThatThrownBy(() -> JobConfig.of(Map.of("kafka.properties.", "x")))
                .hasMessageContaining("'kafka.properties.'").hasMessageContaining("names no Kafka client property");
        assertThatThrownBy(() -> JobConfig.of(Map.of("kafka.properties.sasl.mechanism", "PLAIN",
                "properties.sasl.mechanism", "SCRAM-SHA-512")))
                .hasMessageContaining("'kafka.properties.sasl.mechanism'")
                .hasMessageContaining("'properties.sasl.mechanism'");
        // the same value under both prefixes is no conflict
        assertThat(JobConfig.of(Map.of("kafka.properties.sasl.mechanism", "PLAIN", "properties.sasl.mechanism",
                "PLAIN")).kafkaClientProperties()).containsEntry("sasl.mechanism", "PLAIN");
    }
}
