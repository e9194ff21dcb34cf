package io.streamssl.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml and every manifest under deploy/k8s against the schemas of the projects that read them
 * ({@link UpstreamSchema}): the Compose specification, the Flink Kubernetes Operator's FlinkDeployment CRD (the
 * 1.15.0 release, the first for Flink 2.2, and the operator's main branch) and Strimzi's KafkaTopic CRD (1.2.0).
 * Each check is also shown to refuse the kind of defect it is there for (an apiVersion no longer served, a
 * misspelled key, a value out of range), on a copy of our own file.
 */
class UpstreamSchemasTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("..")
            .normalize();
    private static final YAMLMapper YAML = new YAMLMapper();
    /** Kinds Kubernetes itself defines: their schema is the API server's, not vendored here. */
    private static final List<String> CORE_KINDS = List.of("PersistentVolumeClaim");

    private static UpstreamSchema compose;
    private static List<UpstreamSchema> flinkDeployment;
    private static UpstreamSchema kafkaTopic;
    private static JsonNode composeFile;
    private static Map<String, List<JsonNode>> manifests;

    @BeforeAll
    static void load() throws IOException {
        compose = UpstreamSchema.composeSpec();
        flinkDeployment = List.of(UpstreamSchema.crd("flinkdeployments.flink.apache.org-v1-1.15.0.yml"),
                UpstreamSchema.crd("flinkdeployments.flink.apache.org-v1-main.yml"));
        kafkaTopic = UpstreamSchema.crd("kafkatopics.kafka.strimzi.io-1.2.0.yaml");
        composeFile = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
        manifests = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(ROOT.resolve("deploy/k8s"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                manifests.put(ROOT.relativize(file).toString(),
                        YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile()).readAll());
            }
        }
    }

    @Test
    void theComposeFileIsValidCompose() {
        assertThat(compose.problems(composeFile)).isEmpty();
    }

    @Test
    void theComposeSchemaRefusesAMisspelledKeyAndAWronglyTypedValue() {
        ObjectNode misspelled = composeFile.deepCopy();
        ObjectNode kafka = (ObjectNode) misspelled.path("services").path("kafka");
        kafka.set("healtcheck", kafka.remove("healthcheck"));
        assertThat(compose.problems(misspelled)).anyMatch(p -> p.contains("healtcheck"));

        ObjectNode wrongType = composeFile.deepCopy();
        ((ObjectNode) wrongType.path("services").path("taskmanager")).put("profiles", "gpu");
        assertThat(compose.problems(wrongType)).anyMatch(p -> p.contains("profiles"));
    }

    @Test
    void everyManifestIsValidForTheOperatorThatReadsIt() {
        Map<String, List<String>> problems = new LinkedHashMap<>();
        List<String> kinds = new ArrayList<>();
        manifests.forEach((file, documents) -> {
            for (JsonNode document : documents) {
                String kind = document.path("kind").asText();
                kinds.add(kind);
                List<String> found = new ArrayList<>();
                switch (kind) {
                    case "FlinkDeployment" -> flinkDeployment.forEach(s -> found.addAll(s.problems(document)));
                    case "KafkaTopic" -> found.addAll(kafkaTopic.problems(document));
                    default -> assertThat(CORE_KINDS).as("%s: no schema vendored for kind %s", file, kind)
                            .contains(kind);
                }
                if (!found.isEmpty()) {
                    problems.put(file + " " + kind + " " + document.path("metadata").path("name").asText(), found);
                }
            }
        });
        assertThat(kinds).contains("FlinkDeployment", "KafkaTopic");
        assertThat(problems).isEmpty();
    }

    @Test
    void theFlinkDeploymentSchemaRefusesAnUnservedVersionAMisspelledKeyAndAnUnknownMode() {
        JsonNode ours = first("FlinkDeployment");
        for (UpstreamSchema crd : flinkDeployment) {
            assertThat(crd.servedVersions()).containsExactly("flink.apache.org/v1beta1");
            ObjectNode unserved = ours.deepCopy();
            unserved.put("apiVersion", "flink.apache.org/v1beta2");
            assertThat(crd.problems(unserved)).singleElement().asString().contains("no matches for kind");

            ObjectNode misspelled = ours.deepCopy();
            ObjectNode taskManager = (ObjectNode) misspelled.path("spec").path("taskManager");
            taskManager.set("resources", taskManager.remove("resource"));
            assertThat(crd.problems(misspelled)).anyMatch(p -> p.contains("resources"));

            ObjectNode badMode = ours.deepCopy();
            ((ObjectNode) badMode.path("spec").path("job")).put("upgradeMode", "last_state");
            assertThat(crd.problems(badMode)).anyMatch(p -> p.contains("upgradeMode"));
        }
    }

    @Test
    void theKafkaTopicSchemaRefusesV1beta2AMisspelledKeyAndZeroPartitions() {
        JsonNode ours = first("KafkaTopic");
        assertThat(kafkaTopic.servedVersions()).containsExactly("kafka.strimzi.io/v1");
        // what deploy/k8s/kafka-topics.yaml said before: Strimzi 1.0 and later answer "no matches for kind"
        ObjectNode old = ours.deepCopy();
        old.put("apiVersion", "kafka.strimzi.io/v1beta2");
        assertThat(kafkaTopic.problems(old)).singleElement().asString().contains("no matches for kind \"KafkaTopic\"");

        ObjectNode misspelled = ours.deepCopy();
        ((ObjectNode) misspelled.path("spec")).put("replica", 3);
        assertThat(kafkaTopic.problems(misspelled)).anyMatch(p -> p.contains("replica"));

        ObjectNode noPartitions = ours.deepCopy();
        ((ObjectNode) noPartitions.path("spec")).put("partitions", 0);
        assertThat(kafkaTopic.problems(noPartitions)).anyMatch(p -> p.contains("partitions"));
        // topic configuration is free-form (x-kubernetes-preserve-unknown-fields): any Kafka key passes
        ObjectNode config = ours.deepCopy();
        ((ObjectNode) config.path("spec").path("config")).put("min.insync.replicas", 2);
        assertThat(kafkaTopic.problems(config)).isEmpty();
    }

    private static JsonNode first(String kind) {
        return manifests.values().stream().flatMap(List::stream).filter(d -> kind.equals(d.path("kind").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " under deploy/k8s"));
    }
}
