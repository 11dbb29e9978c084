package org.govhub.operate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.govhub.normalise.CanonicalJson;

/**
 * The Kubernetes JSON schemas of fabric8's kubernetes-model jars (unpacked by the build into
 * target/k8s-schemas, src/test/resources/deploy/SOURCE.md), read as kubectl validates a manifest:
 * <ul>
 * <li>strict: a field the schema does not define is an error (kubectl --validate=strict); fabric8
 *     allows any, for its Java classes' sake;</li>
 * <li>a property marked {@code "required": true} (the draft-3 form fabric8 writes) is required;</li>
 * <li>quantities and int-or-strings in their wire form ({@code cpu: 500m}, {@code port: http}):
 *     fabric8 describes the Java classes that hold them instead.</li>
 * </ul>
 */
final class KubernetesSchemas {

    static final Path UNPACKED = Path.of("target/k8s-schemas");
    private static final Set<String> JAVA_ONLY = Set.of("javaType", "javaInterfaces", "existingJavaType", "javaOmitEmpty",
            "interfaceImpls", "javaEnumNames", "serializer", "deserializer");

    private final Map<String, JsonSchema> byApiVersionAndKind = new HashMap<>();

    KubernetesSchemas() {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
        for (String module : List.of("apps", "policy", "rbac", "monitoring")) {
            Path file = UNPACKED.resolve(module).resolve("schema/validation-schema.json");
            ObjectNode definitions;
            try {
                definitions = (ObjectNode) CanonicalJson.read(Files.readString(file)).path("definitions");
            } catch (IOException e) {
                throw new UncheckedIOException(file + " (unpacked by the build: ./mvnw generate-test-resources)", e);
            }
            definitions.fields().forEachRemaining(d -> {
                String name = d.getKey();
                if (name.endsWith("_Quantity")) {
                    d.setValue(wire("string", "number"));
                } else if (name.endsWith("_IntOrString")) {
                    d.setValue(wire("string", "integer"));
                } else {
                    strict(d.getValue());
                }
            });
            definitions.fields().forEachRemaining(d -> {
                JsonNode properties = d.getValue().path("properties");
                String apiVersion = properties.path("apiVersion").path("default").asText("");
                String kind = properties.path("kind").path("default").asText("");
                if (!apiVersion.isEmpty() && !kind.isEmpty()) {
                    ObjectNode schema = JsonNodeFactory.instance.objectNode();
                    schema.put("$schema", "http://json-schema.org/draft-07/schema#");
                    schema.set("definitions", definitions);
                    schema.put("$ref", "#/definitions/" + d.getKey());
                    byApiVersionAndKind.putIfAbsent(apiVersion + " " + kind, factory.getSchema(schema));
                }
            });
        }
    }

    /** Schema errors of one resource; unknown apiVersion and kind are an error too. */
    List<String> problems(JsonNode resource) {
        String key = resource.path("apiVersion").asText() + " " + resource.path("kind").asText();
        JsonSchema schema = byApiVersionAndKind.get(key);
        if (schema == null) {
            return List.of("no schema for " + key);
        }
        List<String> problems = new ArrayList<>();
        schema.validate(resource).forEach(m -> problems.add(m.getMessage()));
        return problems;
    }

    private static ObjectNode wire(String... types) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        ArrayNode type = node.putArray("type");
        for (String t : types) {
            type.add(t);
        }
        return node;
    }

    private static void strict(JsonNode schema) {
        if (!(schema instanceof ObjectNode node)) {
            return;
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            if (JAVA_ONLY.contains(names.next())) {
                names.remove();
            }
        }
        if (node.get("properties") instanceof ObjectNode properties) {
            node.put("additionalProperties", false);
            ArrayNode required = JsonNodeFactory.instance.arrayNode();
            properties.fields().forEachRemaining(p -> {
                if (p.getValue().path("required").isBoolean()) {
                    if (p.getValue().path("required").asBoolean()) {
                        required.add(p.getKey());
                    }
                    ((ObjectNode) p.getValue()).remove("required");
                }
                strict(p.getValue());
            });
            if (!required.isEmpty()) {
                node.set("required", required);
            }
        }
        strict(node.get("items"));
        if (node.get("additionalProperties") instanceof ObjectNode values) {
            strict(values);
        }
    }
}
