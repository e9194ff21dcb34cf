package io.streamssl.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A schema published by the project that reads one of our deployment files (the Compose specification, an
 * operator's CustomResourceDefinition), vendored under {@code src/test/resources/schemas/} (its README names the
 * source and version of each), and applied the way that project applies it:
 * <ul>
 *   <li>Compose: the JSON schema as published (draft-07). {@code format} is not asserted: the specification's
 *       {@code duration} means Go durations ({@code 5s}), not the ISO 8601 ones a JSON-schema validator checks.</li>
 *   <li>A CRD: the API server serves only the versions marked {@code served}, for its group and kind; within a
 *       version it checks the {@code openAPIV3Schema}, and {@code kubectl apply} (strict field validation, its
 *       default since Kubernetes 1.27) refuses fields the schema does not declare unless the object says
 *       {@code x-kubernetes-preserve-unknown-fields}. A JSON-schema validator allows undeclared fields, so every
 *       object schema with {@code properties} gets {@code additionalProperties: false} here.</li>
 * </ul>
 */
final class UpstreamSchema {

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final SchemaValidatorsConfig CONFIG =
            SchemaValidatorsConfig.builder().formatAssertionsEnabled(false).build();

    private final String name;
    /** apiVersion (group/version) to the schema of that version; for Compose the single key "". */
    private final Map<String, JsonSchema> versions;
    private final String kind;

    private UpstreamSchema(String name, Map<String, JsonSchema> versions, String kind) {
        this.name = name;
        this.versions = versions;
        this.kind = kind;
    }

    /** The Compose specification's schema, {@code schemas/compose-spec.json}. */
    static UpstreamSchema composeSpec() {
        ObjectNode schema = (ObjectNode) read("compose-spec.json");
        // "$id": "compose_spec.json" is relative: with nothing to resolve it against, the validator would look
        // its own "#/definitions/…" references up in a document it cannot find
        schema.remove("$id");
        return new UpstreamSchema("compose-spec.json",
                Map.of("", factory().getSchema(schema, CONFIG)), null);
    }

    /** The served versions of the CustomResourceDefinition in {@code schemas/<resource>}. */
    static UpstreamSchema crd(String resource) {
        JsonNode crd = read(resource);
        String group = crd.path("spec").path("group").asText();
        Map<String, JsonSchema> served = new LinkedHashMap<>();
        for (JsonNode version : crd.path("spec").path("versions")) {
            if (version.path("served").asBoolean(false)) {
                ObjectNode schema = version.path("schema").path("openAPIV3Schema").deepCopy();
                // the API server allows these at the root of every object whether the schema names them or not
                // (Fabric8-generated CRDs, such as the operator's, leave them out)
                ObjectNode root = schema.withObjectProperty("properties");
                root.putIfAbsent("apiVersion", YAML.createObjectNode().put("type", "string"));
                root.putIfAbsent("kind", YAML.createObjectNode().put("type", "string"));
                root.putIfAbsent("metadata", YAML.createObjectNode().put("type", "object"));
                refuseUndeclaredFields(schema);
                served.put(group + "/" + version.path("name").asText(), factory().getSchema(schema, CONFIG));
            }
        }
        if (served.isEmpty()) {
            throw new IllegalStateException(resource + " serves no version");
        }
        return new UpstreamSchema(resource, served, crd.path("spec").path("names").path("kind").asText());
    }

    /** The kind a CRD defines ({@code null} for Compose). */
    String kind() {
        return kind;
    }

    /** apiVersions the API server serves for this kind. */
    List<String> servedVersions() {
        return List.copyOf(versions.keySet());
    }

    /** What this schema's project would refuse in {@code document}, one line each; empty when it accepts it. */
    List<String> problems(JsonNode document) {
        List<String> problems = new ArrayList<>();
        JsonSchema schema;
        if (kind == null) {
            schema = versions.get("");
        } else {
            String apiVersion = document.path("apiVersion").asText();
            if (!kind.equals(document.path("kind").asText())) {
                return List.of(name + ": kind " + document.path("kind").asText() + " is not " + kind);
            }
            schema = versions.get(apiVersion);
            if (schema == null) {
                // what kubectl answers: no matches for kind "KafkaTopic" in version "kafka.strimzi.io/v1beta2"
                return List.of(name + ": no matches for kind \"" + kind + "\" in version \"" + apiVersion
                        + "\" (served: " + versions.keySet() + ")");
            }
        }
        for (ValidationMessage m : schema.validate(document)) {
            problems.add(name + ": " + m.getMessage());
        }
        return problems;
    }

    private static void refuseUndeclaredFields(JsonNode schema) {
        if (!(schema instanceof ObjectNode object)) {
            return;
        }
        if (object.has("properties")) {
            object.path("properties").forEach(UpstreamSchema::refuseUndeclaredFields);
            if (!object.has("additionalProperties")
                    && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                object.put("additionalProperties", false);
            }
        }
        refuseUndeclaredFields(object.path("items"));
        refuseUndeclaredFields(object.path("additionalProperties"));
        for (String combination : List.of("allOf", "anyOf", "oneOf")) {
            if (object.path(combination) instanceof ArrayNode list) {
                list.forEach(UpstreamSchema::refuseUndeclaredFields);
            }
        }
    }

    private static JsonSchemaFactory factory() {
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
    }

    private static JsonNode read(String resource) {
        try (InputStream in = UpstreamSchema.class.getResourceAsStream("/schemas/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("no test resource schemas/" + resource);
            }
            return resource.endsWith(".json") ? new ObjectMapper().readTree(in) : YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
