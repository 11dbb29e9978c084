package org.govhub.normalise;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * The shared schemas, versioned: {@code schemas/<Name>/<version>.schema.json} on the class path
 * (JSON Schema 2020-12). A property may carry {@code "x-govhub-identifier"} to name the national
 * identifier standard its value must satisfy; {@link RecordValidator} checks those.
 */
@Component
public class SchemaRegistry {

    public record SharedSchema(String name, String version, JsonNode document, JsonSchema validator) {

        public String key() {
            return name + "/" + version;
        }

        public boolean hasProperty(String property) {
            return document.path("properties").has(property);
        }

        public List<String> required() {
            List<String> required = new ArrayList<>();
            document.path("required").forEach(n -> required.add(n.asText()));
            return required;
        }

        /**
         * property name → identifier declaration, from {@code x-govhub-identifier}: a standard's
         * name, or {@code {"by": field, value: standard, ...}} when another field decides it.
         */
        public Map<String, JsonNode> identifiers() {
            Map<String, JsonNode> ids = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = document.path("properties").fields();
            it.forEachRemaining(e -> {
                JsonNode kind = e.getValue().get("x-govhub-identifier");
                if (kind != null) {
                    ids.put(e.getKey(), kind);
                }
            });
            return ids;
        }

        /** Schema violations, each as "field: message" (the top-level field, or "record"). */
        public List<String> validate(JsonNode record) {
            List<String> reasons = new ArrayList<>();
            for (ValidationMessage message : validator.validate(record)) {
                String path = message.getInstanceLocation().toString();
                String field = path.replaceFirst("^[$/.]+", "").split("[/.\\[]", 2)[0];
                if (message.getProperty() != null && field.isEmpty()) {
                    field = message.getProperty();
                }
                reasons.add((field.isEmpty() ? "record" : field) + ": " + message.getMessage().replaceFirst("^[$/.][^:]*: ", ""));
            }
            return reasons;
        }
    }

    static final String ID_PREFIX = "https://schemas.govhub.example/";

    private final Map<String, SharedSchema> schemas = new HashMap<>();

    public SchemaRegistry() {
        // Schemas refer to shared parts (common/provenance) by their https $id; those resolve to the class path.
        // x-govhub-identifier is ours: an annotation for RecordValidator, not a validation keyword.
        JsonMetaSchema metaSchema = JsonMetaSchema.builder(JsonMetaSchema.getV202012())
                .keyword(new NonValidationKeyword("x-govhub-identifier")).build();
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                builder -> builder.metaSchema(metaSchema)
                        .schemaMappers(mappers -> mappers.mapPrefix(ID_PREFIX, "classpath:schemas/")));
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        try {
            for (Resource r : new PathMatchingResourcePatternResolver().getResources("classpath*:schemas/*/*.schema.json")) {
                String uri = r.getURI().toString();
                String[] parts = uri.split("/");
                String name = parts[parts.length - 2];
                if (name.equals("common")) {
                    continue; // parts referenced by schemas, not schemas of records
                }
                String version = parts[parts.length - 1].replace(".schema.json", "");
                try (InputStream in = r.getInputStream()) {
                    JsonNode document = CanonicalJson.MAPPER.readTree(in);
                    schemas.put(name + "/" + version,
                            new SharedSchema(name, version, document, factory.getSchema(document, config)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load shared schemas", e);
        }
    }

    public Optional<SharedSchema> find(String name, String version) {
        return Optional.ofNullable(schemas.get(name + "/" + version));
    }

    public SharedSchema get(String name, String version) {
        return find(name, version).orElseThrow(() -> new IllegalArgumentException("no shared schema " + name + " " + version));
    }

    public List<String> keys() {
        return schemas.keySet().stream().sorted().toList();
    }
}
