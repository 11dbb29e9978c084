package org.govhub.share;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
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
import org.govhub.normalise.SchemaRegistry;
import org.govhub.normalise.SchemaRegistry.SharedSchema;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.Resource;
import org.springframework.stereotype.Component;

/**
 * The resource catalog 政务信息资源目录 ({@code catalog/resources.yaml}): each shared schema version
 * as a data resource with its provider, share type, conditions and the meaning of every field. A
 * field's type is read from the schema, so the catalog cannot contradict it; a schema field
 * without a catalog entry, or an entry without a field, stops the hub and fails {@code check-files}.
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
        JsonNode root;
        try (InputStream in = file.getInputStream()) {
            root = new ObjectMapper(new YAMLFactory()).readTree(in);
        } catch (IOException e) {
            problems.add(where + ": cannot be read: " + e.getMessage());
            return Map.of();
        }
        Map<String, DataResource> resources = new LinkedHashMap<>();
        Set<String> schemaVersions = new LinkedHashSet<>();
        JsonNode list = root == null ? null : root.get("resources");
        if (list == null || !list.isArray() || list.isEmpty()) {
            problems.add(where + ": needs a non-empty list 'resources'");
            return resources;
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode r = list.get(i);
            String at = where + ": resources[" + i + "]";
            String code = text(r, "code", at, problems);
            String schema = text(r, "schema", at, problems);
            String version = text(r, "version", at, problems);
            at = at + (code == null ? "" : " (" + code + ")");
            ShareType shareType = choice(ShareType.class, r.path("shareType").asText(null), at + ".shareType", problems);
            Optional<SharedSchema> shared = schema == null || version == null ? Optional.empty() : schemas.find(schema, version);
            if (schema != null && version != null && shared.isEmpty()) {
                problems.add(at + ": no shared schema " + schema + " " + version + " (schemas/" + schema + "/" + version + ".schema.json)");
            }
            if (schema != null && version != null && !schemaVersions.add(schema + "/" + version)) {
                problems.add(at + ": " + schema + " " + version + " is already a resource of this catalog");
            }
            List<Field> fields = fields(r.path("fields"), at, shared, problems);
            String name = text(r, "name", at, problems);
            String provider = text(r, "provider", at, problems);
            String description = text(r, "description", at, problems);
            String frequency = text(r, "updateFrequency", at, problems);
            String conditions = text(r, "conditions", at, problems);
            if (code != null && resources.containsKey(code)) {
                problems.add(at + ": code " + code + " is used twice");
            } else if (code != null && schema != null && version != null && shareType != null) {
                resources.put(code, new DataResource(code, schema, version, name, provider, description, shareType,
                        r.path("openToPublic").asBoolean(false), frequency, conditions, fields));
            }
        }
        return resources;
    }

    private static List<Field> fields(JsonNode list, String at, Optional<SharedSchema> schema, List<String> problems) {
        List<Field> fields = new ArrayList<>();
        Set<String> named = new LinkedHashSet<>();
        JsonNode properties = schema.map(s -> s.document().path("properties")).orElse(null);
        for (int i = 0; i < list.size(); i++) {
            JsonNode f = list.get(i);
            String fat = at + ".fields[" + i + "]";
            String name = text(f, "name", fat, problems);
            String meaning = text(f, "meaning", fat, problems);
            if (name == null) {
                continue;
            }
            fat = at + ".fields." + name;
            if (!named.add(name)) {
                problems.add(fat + ": listed twice");
            }
            if (properties != null && !properties.has(name)) {
                problems.add(fat + ": the schema " + schema.get().key() + " has no field " + name);
            }
            Personal personal = f.has("personal") ? choice(Personal.class, f.path("personal").asText(), fat + ".personal", problems) : null;
            Map<String, String> when = new LinkedHashMap<>();
            f.path("personalWhen").fields().forEachRemaining(e -> when.put(e.getKey(), e.getValue().asText()));
            if (!when.isEmpty() && personal == null) {
                problems.add(fat + ": personalWhen needs personal");
            }
            for (String other : when.keySet()) {
                if (properties != null && !properties.has(other)) {
                    problems.add(fat + ".personalWhen: the schema has no field " + other);
                }
            }
            fields.add(new Field(name, properties == null ? null : type(properties.path(name)), meaning, personal, Map.copyOf(when)));
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

    private static String text(JsonNode node, String name, String at, List<String> problems) {
        JsonNode value = node.get(name);
        if (value == null || !value.isValueNode() || value.asText().isBlank()) {
            problems.add(at + ": needs '" + name + "'");
            return null;
        }
        return value.asText();
    }

    private static <E extends Enum<E>> E choice(Class<E> type, String value, String at, List<String> problems) {
        try {
            return Enum.valueOf(type, String.valueOf(value));
        } catch (IllegalArgumentException e) {
            problems.add(at + ": '" + value + "' is not one of " + java.util.Arrays.toString(type.getEnumConstants()));
            return null;
        }
    }
}
