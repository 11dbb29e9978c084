package org.govhub;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.serialization.JsonNodeReader;
import com.networknt.schema.utils.JsonNodes;
import java.io.IOException;
import java.io.InputStream;
import java.util.Comparator;
import java.util.List;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * The JSON Schema of a kind of file people write ({@code file-schemas/<kind>.schema.json}): the
 * hub checks a file against it at start-up and in {@code check-files}, each problem with the file,
 * line and column, and editors validate against the same schema while typing (the files name it in
 * a {@code # yaml-language-server: $schema=} line). What a schema cannot say (a field that must
 * exist in another file) stays in the code that reads the file.
 */
public final class FileSchema {

    // a key written twice is refused, not silently replaced by its last value
    private static final JsonNodeReader READER = JsonNodeReader.builder()
            .yamlMapper(new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY))
            .locationAware().build();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            builder -> builder.jsonNodeReader(READER));

    private final String kind;
    private final JsonSchema schema;

    private FileSchema(String kind) {
        this.kind = kind;
        // a schema may word a keyword's failure for people with "message": {"<keyword>": "..."}; one that holds
        // a '{' is a java.text.MessageFormat ({0} the path, {1} the property; a quote written '')
        this.schema = FACTORY.getSchema(SchemaLocation.of("classpath:file-schemas/" + kind + ".schema.json"),
                SchemaValidatorsConfig.builder().errorMessageKeyword("message").pathType(PathType.JSON_PATH).build());
    }

    /**
     * {@code instance} against a schema that lives in another file (a Kamelet's {@code spec.definition}),
     * for values written as text: a string that spells the schema's type counts as that type, as
     * Camel converts it ({@code typeLoose}).
     */
    public static List<ValidationMessage> violations(JsonNode schema, JsonNode instance) {
        return List.copyOf(FACTORY.getSchema(schema, SchemaValidatorsConfig.builder().typeLoose(true).pathType(PathType.JSON_PATH).build())
                .validate(instance));
    }

    /** The schema of {@code kind} (catalog, ...). */
    public static FileSchema of(String kind) {
        return new FileSchema(kind);
    }

    /** A file as read: its tree (null when it could not be parsed) and its problems, empty when it keeps to the schema. */
    public record Checked(JsonNode root, List<String> problems) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    /** Reads a YAML (or JSON) file and checks it; {@code where} names the file in every problem. */
    public Checked read(InputStream in, String where) {
        JsonNode root;
        try {
            root = READER.readTree(in, InputFormat.YAML);
        } catch (IOException | IllegalArgumentException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause.getCause() instanceof MarkedYAMLException y && y.getProblemMark() != null) {
                // SnakeYAML's own words and place: where it found what it could not parse
                return new Checked(null, List.of(where + ":" + (y.getProblemMark().getLine() + 1) + ":" + (y.getProblemMark().getColumn() + 1)
                        + ": not valid YAML: " + y.getProblem()));
            }
            if (cause instanceof JsonProcessingException j && j.getLocation() != null) {
                String what = j.getOriginalMessage().startsWith("Duplicate field")
                        ? "key " + j.getOriginalMessage().replaceFirst("^Duplicate field ('[^']*').*", "$1") + " is written twice"
                        : "not valid YAML: " + j.getOriginalMessage();
                return new Checked(null, List.of(where + ":" + j.getLocation().getLineNr() + ":" + j.getLocation().getColumnNr() + ": "
                        + what.replace('\n', ' ')));
            }
            return new Checked(null, List.of(where + ": not valid YAML: " + cause.getMessage().replace('\n', ' ')));
        }
        if (root == null || root.isMissingNode()) {
            return new Checked(null, List.of(where + ": is empty"));
        }
        List<String> problems = schema.validate(root).stream()
                .map(m -> new Found(m, location(root, m)))
                .sorted(Comparator.comparingInt(Found::line).thenComparing(f -> f.message().getMessage()))
                .map(f -> where + ":" + f.line() + ":" + f.column() + ": " + f.text() + found(f.message()) + " (" + kind + " schema)")
                .toList();
        return new Checked(root, problems);
    }

    /** A schema violation and where in the file it is (null: nowhere known). */
    private record Found(ValidationMessage message, JsonLocation at) {
        int line() {
            return at == null ? 0 : at.getLineNr();
        }

        int column() {
            return at == null ? 0 : at.getColumnNr();
        }

        /** Where in the document and what: networknt's own messages name the place, a schema's "message" does not. */
        String text() {
            String path = message.getInstanceLocation().toString();
            String text = message.getMessage();
            return text.startsWith(path + ": ") ? text : path + ": " + text;
        }
    }

    /** {@code where:line:column: } of a node of a tree this class read, for the checks a schema cannot make. */
    public static String at(String where, JsonNode node) {
        JsonLocation at = node == null ? null : JsonNodes.tokenLocationOf(node);
        return where + ":" + (at == null ? 0 : at.getLineNr()) + ":" + (at == null ? 0 : at.getColumnNr()) + ": ";
    }

    /** The line of a node of a tree this class read (0: not known). */
    public static int line(JsonNode node) {
        JsonLocation at = node == null ? null : JsonNodes.tokenLocationOf(node);
        return at == null ? 0 : at.getLineNr();
    }

    /**
     * Where the message's node is in the file: looked up in the tree as read, which keeps every
     * node's place; a key that is not allowed is shown where it is written, not at its map.
     */
    private static JsonLocation location(JsonNode root, ValidationMessage m) {
        try {
            JsonNode node = JsonNodes.get(root, m.getInstanceLocation());
            if (node != null && "additionalProperties".equals(m.getType()) && m.getProperty() != null && node.has(m.getProperty())) {
                node = node.get(m.getProperty());
            }
            return node == null ? null : JsonNodes.tokenLocationOf(node);
        } catch (IllegalArgumentException e) {
            return null; // a node the validator made itself
        }
    }

    /** The offending value, when it is a plain one: an enum miss says what was written. */
    private static String found(ValidationMessage m) {
        JsonNode value = m.getInstanceNode();
        return value != null && value.isValueNode() ? " (found '" + value.asText() + "')" : "";
    }
}
