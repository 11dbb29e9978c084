package org.govhub.share;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.govhub.FileSchema;
import org.govhub.normalise.SchemaRegistry;
import org.govhub.normalise.SchemaRegistry.SharedSchema;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.Resource;
import org.springframework.stereotype.Component;

/**
 * The resource catalog 政务信息资源目录 ({@code catalog/resources.yaml}): each shared schema version
 * as a data resource with its provider, share type, conditions and the meaning of every field. A
 * field's type is read from the schema, so the catalog cannot contradict it. The file's structure
 * is checked against {@code file-schemas/catalog.schema.json}; a schema field without a catalog
 * entry, or an entry without a field, stops the hub and fails {@code check-files}.
 */
@Component
public class Catalog {

    public static final String DEFAULT_FILE = "catalog/resources.yaml";

    public enum ShareType { UNCONDITIONAL, CONDITIONAL, NOT_SHARED }

    public enum Personal { ID_NUMBER, PERSON_NAME, PHONE }

    /** A field of a resource; {@code personalWhen} (field → value) limits {@code personal} to matching records. */
    public record Field(String name, String type, String meaning, Personal personal, Map<String, String> personalWhen) {
    }

    public record DataResource(String code, String schema, String version, String name, String provider, String description,
            ShareType shareType, boolean openToPublic, String updateFrequency, String conditions, List<Field> fields) {

        public Optional<Field> field(String fieldName) {
            return fields.stream().filter(f -> f.name().equals(fieldName)).findFirst();
        }

        public List<String> fieldNames() {
            return fields.stream().map(Field::name).toList();
        }

        public List<Field> personalFields() {
            return fields.stream().filter(f -> f.personal() != null).toList();
        }
    }

    private final Map<String, DataResource> resources;

    public Catalog(@Value("${govhub.share.catalog:classpath:" + DEFAULT_FILE + "}") Resource file, SchemaRegistry schemas) {
        List<String> problems = new ArrayList<>();
        this.resources = read(file, schemas, problems);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the resource catalog " + file.getDescription() + " cannot be used:\n  - "
                    + String.join("\n  - ", problems));
        }
    }

    /** Every problem of a catalog file against the schemas, each naming the file; empty when it can be used. */
    public static List<String> problems(Resource file, SchemaRegistry schemas) {
        List<String> problems = new ArrayList<>();
        read(file, schemas, problems);
        return problems;
    }

    public List<DataResource> resources() {
        return List.copyOf(resources.values());
    }

    public Optional<DataResource> find(String code) {
        return Optional.ofNullable(resources.get(code));
    }

    public DataResource get(String code) {
        return find(code).orElseThrow(() -> new IllegalArgumentException("no resource " + code + " in the catalog"));
    }

    private static Map<String, DataResource> read(Resource file, SchemaRegistry schemas, List<String> problems) {
        String where = file.getDescription();
        FileSchema.Checked checked;
        try (InputStream in = file.getInputStream()) {
            checked = FileSchema.of("catalog").read(in, where);
        } catch (IOException e) {
            problems.add(where + ": cannot be read: " + e.getMessage());
            return Map.of();
        }
        problems.addAll(checked.problems());
        if (!checked.valid()) {
            return Map.of(); // the structure is wrong: what follows would only repeat it
        }
        // what the file schema cannot say: each resource against the shared schemas, and no resource twice
        Map<String, DataResource> resources = new LinkedHashMap<>();
        Set<String> schemaVersions = new LinkedHashSet<>();
        for (JsonNode r : checked.root().path("resources")) {
            String code = r.path("code").asText();
            String schema = r.path("schema").asText();
            String version = r.path("version").asText();
            String at = where + ": resource " + code;
            Optional<SharedSchema> shared = schemas.find(schema, version);
            if (shared.isEmpty()) {
                problems.add(at + ": no shared schema " + schema + " " + version + " (schemas/" + schema + "/" + version + ".schema.json)");
            }
            if (!schemaVersions.add(schema + "/" + version)) {
                problems.add(at + ": " + schema + " " + version + " is already a resource of this catalog");
            }
            List<Field> fields = fields(r.path("fields"), at, shared, problems);
            if (resources.containsKey(code)) {
                problems.add(at + ": code " + code + " is used twice");
            } else {
                resources.put(code, new DataResource(code, schema, version, r.path("name").asText(), r.path("provider").asText(),
                        r.path("description").asText(), ShareType.valueOf(r.path("shareType").asText()),
                        r.path("openToPublic").asBoolean(false), r.path("updateFrequency").asText(), r.path("conditions").asText(), fields));
            }
        }
        return resources;
    }

    private static List<Field> fields(JsonNode list, String at, Optional<SharedSchema> schema, List<String> problems) {
        List<Field> fields = new ArrayList<>();
        Set<String> named = new LinkedHashSet<>();
        JsonNode properties = schema.map(s -> s.document().path("properties")).orElse(null);
        for (JsonNode f : list) {
            String name = f.path("name").asText();
            String fat = at + ".fields." + name;
            if (!named.add(name)) {
                problems.add(fat + ": listed twice");
            }
            if (properties != null && !properties.has(name)) {
                problems.add(fat + ": the schema " + schema.get().key() + " has no field " + name);
            }
            Personal personal = f.has("personal") ? Personal.valueOf(f.path("personal").asText()) : null;
            Map<String, String> when = new LinkedHashMap<>();
            f.path("personalWhen").fields().forEachRemaining(e -> when.put(e.getKey(), e.getValue().asText()));
            for (String other : when.keySet()) {
                if (properties != null && !properties.has(other)) {
                    problems.add(fat + ".personalWhen: the schema has no field " + other);
                }
            }
            fields.add(new Field(name, properties == null ? null : type(properties.path(name)), f.path("meaning").asText(), personal,
                    Map.copyOf(when)));
        }
        if (properties != null) {
            for (Iterator<String> it = properties.fieldNames(); it.hasNext(); ) {
                String property = it.next();
                if (!named.contains(property)) {
                    problems.add(at + ": field " + property + " of schema " + schema.get().key()
                            + " has no catalog entry (name, meaning, personal data or not)");
                }
            }
        }
        return List.copyOf(fields);
    }

    /** The field's JSON type as the schema says it: "string", "integer|null", "enum", "object". */
    private static String type(JsonNode property) {
        JsonNode type = property.get("type");
        if (type != null && type.isArray()) {
            List<String> types = new ArrayList<>();
            type.forEach(t -> types.add(t.asText()));
            return String.join("|", types);
        }
        if (type != null) {
            return type.asText();
        }
        if (property.has("enum")) {
            return "enum";
        }
        if (property.has("const")) {
            return "const";
        }
        return property.has("$ref") ? "object" : "any";
    }
}
