package org.govhub.normalise;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads and checks a mapping file. It works on the YAML node tree so that every problem can be
 * reported with its line, and it reports all problems of a file at once.
 */
public class MappingLoader {

    private static final Set<String> TOP_KEYS = Set.of("mapping", "version", "description", "schema", "schemaVersion",
            "recordKey", "eventTime", "fields", "codeTables");
    private static final Set<String> FIELD_KEYS = Set.of("target", "source", "convert", "codeTable", "default");
    private static final Set<String> SYSTEM_FIELDS = Set.of("schema", "schemaVersion", "provenance");

    private final SchemaRegistry schemas;

    public MappingLoader(SchemaRegistry schemas) {
        this.schemas = schemas;
    }

    public MappingDefinition load(Path path) {
        String file = path.toString();
        List<String> problems = new ArrayList<>();
        Node root;
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            root = new Yaml(new LoaderOptions()).compose(reader);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new MappingException(file, List.of("line " + line + ": not valid YAML: " + e.getProblem()));
        } catch (IOException e) {
            throw new MappingException(file, List.of("cannot be read: " + e.getMessage()));
        }
        if (!(root instanceof MappingNode top)) {
            throw new MappingException(file, List.of("line 1: must be a YAML map with keys " + TOP_KEYS));
        }
        Map<String, Node> keys = entries(top, TOP_KEYS, "", problems);

        String id = scalar(keys, "mapping", top, problems, true);
        String expectedId = path.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        if (id != null && !id.equals(expectedId)) {
            problems.add(at(keys.get("mapping")) + "mapping id '" + id + "' must match the file name '" + expectedId + "'");
        }
        String version = scalar(keys, "version", top, problems, true);
        String schemaName = scalar(keys, "schema", top, problems, true);
        String schemaVersion = scalar(keys, "schemaVersion", top, problems, true);
        String recordKey = scalar(keys, "recordKey", top, problems, true);
        String eventTime = scalar(keys, "eventTime", top, problems, false);

        SchemaRegistry.SharedSchema schema = null;
        if (schemaName != null && schemaVersion != null) {
            schema = schemas.find(schemaName, schemaVersion).orElse(null);
            if (schema == null) {
                problems.add(at(keys.get("schema")) + "no shared schema " + schemaName + " version " + schemaVersion
                        + " (known: " + schemas.keys() + ")");
            }
        }

        Map<String, Map<String, String>> codeTables = codeTables(keys.get("codeTables"), problems);
        List<MappingDefinition.FieldMapping> fields = fields(keys.get("fields"), top, schema, codeTables, problems);

        if (schema != null) {
            Set<String> mapped = new HashSet<>();
            fields.forEach(f -> mapped.add(f.target()));
            for (String required : schema.required()) {
                if (!SYSTEM_FIELDS.contains(required) && !mapped.contains(required)) {
                    problems.add(at(keys.getOrDefault("fields", top)) + "schema " + schema.key()
                            + " requires field '" + required + "' but no field maps it");
                }
            }
            if (eventTime != null && !mapped.contains(eventTime)) {
                problems.add(at(keys.get("eventTime")) + "eventTime '" + eventTime + "' is not one of the mapped fields");
            }
        }
        if (!problems.isEmpty()) {
            throw new MappingException(file, problems);
        }
        return new MappingDefinition(id, file, version, schemaName, schemaVersion, recordKey, eventTime,
                List.copyOf(fields), codeTables);
    }

    private List<MappingDefinition.FieldMapping> fields(Node node, Node parent, SchemaRegistry.SharedSchema schema,
            Map<String, Map<String, String>> codeTables, List<String> problems) {
        List<MappingDefinition.FieldMapping> fields = new ArrayList<>();
        if (node == null) {
            problems.add(at(parent) + "'fields' is missing");
            return fields;
        }
        if (!(node instanceof SequenceNode list)) {
            problems.add(at(node) + "'fields' must be a list of {target, source, convert}");
            return fields;
        }
        Set<String> targets = new HashSet<>();
        for (Node item : list.getValue()) {
            if (!(item instanceof MappingNode map)) {
                problems.add(at(item) + "a field must be a map with keys " + FIELD_KEYS);
                continue;
            }
            Map<String, Node> f = entries(map, FIELD_KEYS, "field ", problems);
            String target = scalar(f, "target", map, problems, true);
            String source = scalar(f, "source", map, problems, true);
            String convert = scalar(f, "convert", map, problems, true);
            String codeTable = scalar(f, "codeTable", map, problems, false);
            String where = at(map) + "field '" + target + "': ";
            if (target != null && !targets.add(target)) {
                problems.add(where + "mapped twice");
            }
            if (target != null && schema != null && (!schema.hasProperty(target) || SYSTEM_FIELDS.contains(target))) {
                problems.add(where + "is not a field of schema " + schema.key());
            }
            if (convert != null && !Converters.exists(convert)) {
                problems.add(where + "unknown converter '" + convert + "' (known: " + String.join(", ", Converters.names()) + ")");
            }
            if ("code".equals(convert) && codeTable == null) {
                problems.add(where + "converter 'code' needs a codeTable");
            }
            if (codeTable != null && !codeTables.containsKey(codeTable)) {
                problems.add(where + "code table '" + codeTable + "' is not defined under codeTables");
            }
            JsonNode defaultValue = null;
            Node d = f.get("default");
            if (d instanceof ScalarNode s && convert != null && Converters.exists(convert)) {
                try {
                    defaultValue = Converters.convert(convert, s.getValue(), codeTables.get(codeTable));
                } catch (ConversionException e) {
                    problems.add(where + "default " + e.getMessage());
                }
            } else if (d != null && !(d instanceof ScalarNode)) {
                problems.add(where + "default must be a single value");
            }
            fields.add(new MappingDefinition.FieldMapping(target, source, convert, codeTable, defaultValue,
                    map.getStartMark().getLine() + 1));
        }
        return fields;
    }

    private Map<String, Map<String, String>> codeTables(Node node, List<String> problems) {
        Map<String, Map<String, String>> tables = new LinkedHashMap<>();
        if (node == null) {
            return tables;
        }
        if (!(node instanceof MappingNode map)) {
            problems.add(at(node) + "'codeTables' must map table names to {departmentCode: nationalCode}");
            return tables;
        }
        for (NodeTuple t : map.getValue()) {
            String name = ((ScalarNode) t.getKeyNode()).getValue();
            if (!(t.getValueNode() instanceof MappingNode codes)) {
                problems.add(at(t.getValueNode()) + "code table '" + name + "' must be a map of codes");
                continue;
            }
            Map<String, String> table = new LinkedHashMap<>();
            for (NodeTuple c : codes.getValue()) {
                if (c.getKeyNode() instanceof ScalarNode k && c.getValueNode() instanceof ScalarNode v) {
                    if (table.put(k.getValue(), v.getValue()) != null) {
                        problems.add(at(k) + "code table '" + name + "': code '" + k.getValue() + "' appears twice");
                    }
                } else {
                    problems.add(at(c.getKeyNode()) + "code table '" + name + "': entries must be code: value");
                }
            }
            tables.put(name, table);
        }
        return tables;
    }

    private static Map<String, Node> entries(MappingNode map, Set<String> allowed, String what, List<String> problems) {
        Map<String, Node> entries = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode key)) {
                problems.add(at(t.getKeyNode()) + "keys must be plain names");
                continue;
            }
            if (!allowed.contains(key.getValue())) {
                problems.add(at(key) + "unknown " + what + "key '" + key.getValue() + "' (allowed: "
                        + allowed.stream().sorted().toList() + ")");
            } else if (entries.put(key.getValue(), t.getValueNode()) != null) {
                problems.add(at(key) + what + "key '" + key.getValue() + "' appears twice");
            }
        }
        return entries;
    }

    private static String scalar(Map<String, Node> keys, String key, Node parent, List<String> problems, boolean required) {
        Node node = keys.get(key);
        if (node == null) {
            if (required) {
                problems.add(at(parent) + "'" + key + "' is missing");
            }
            return null;
        }
        if (!(node instanceof ScalarNode s) || s.getValue().isBlank()) {
            problems.add(at(node) + "'" + key + "' must be a single non-empty value");
            return null;
        }
        return s.getValue();
    }

    static String at(Node node) {
        return "line " + (node.getStartMark().getLine() + 1) + ": ";
    }
}
