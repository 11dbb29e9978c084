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
            "recordKey", "eventTime", "fields", "codeTables", "format");
    private static final Set<String> FIELD_KEYS = Set.of("target", "source", "convert", "codeTable", "default", "compute");
    private static final Set<String> COMPUTE_KEYS = Set.of("function", "args");
    private static final Set<String> FORMAT_KEYS = Set.of("type", "encoding", "delimiter", "header", "skipLines", "columns");
    private static final Set<String> COLUMN_KEYS = Set.of("name", "start", "length");
    private static final Set<String> SYSTEM_FIELDS = Set.of("schema", "schemaVersion", "provenance", "priority");

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
        List<String> recordKey = scalarOrList(keys, "recordKey", top, problems);
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
        MappingDefinition.FileFormat format = format(keys.get("format"), problems);

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
                List.copyOf(fields), codeTables, format);
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
            MappingDefinition.Computation compute = computation(f.get("compute"), targets, target, problems);
            String source = scalar(f, "source", map, problems, compute == null);
            String convert = scalar(f, "convert", map, problems, source != null);
            String codeTable = scalar(f, "codeTable", map, problems, false);
            String where = at(map) + "field '" + target + "': ";
            if (source == null && convert != null) {
                problems.add(where + "'convert' needs a 'source' column");
            }
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
            fields.add(new MappingDefinition.FieldMapping(target, source, convert, codeTable, defaultValue, compute,
                    map.getStartMark().getLine() + 1));
        }
        return fields;
    }

    /** {function, args}: the arguments must be fields mapped above (or the field itself). */
    private static MappingDefinition.Computation computation(Node node, Set<String> mappedAbove, String target,
            List<String> problems) {
        if (node == null) {
            return null;
        }
        if (!(node instanceof MappingNode map)) {
            problems.add(at(node) + "'compute' must be a map {function, args}");
            return null;
        }
        Map<String, Node> c = entries(map, COMPUTE_KEYS, "compute ", problems);
        String function = scalar(c, "function", map, problems, true);
        List<String> args = new ArrayList<>();
        Node argsNode = c.get("args");
        if (argsNode instanceof SequenceNode seq) {
            for (Node a : seq.getValue()) {
                if (a instanceof ScalarNode sa) {
                    args.add(sa.getValue());
                    if (!mappedAbove.contains(sa.getValue()) && !sa.getValue().equals(target)) {
                        problems.add(at(a) + "computation argument '" + sa.getValue() + "' is not a field mapped above it");
                    }
                }
            }
        } else if (argsNode != null) {
            problems.add(at(argsNode) + "'args' must be a list of field names");
        }
        if (function != null) {
            String problem = Computations.problem(function, args.size());
            if (problem != null) {
                problems.add(at(map) + problem);
            }
        }
        return function == null ? null : new MappingDefinition.Computation(function, List.copyOf(args));
    }

    private static MappingDefinition.FileFormat format(Node node, List<String> problems) {
        if (node == null) {
            return null;
        }
        if (!(node instanceof MappingNode map)) {
            problems.add(at(node) + "'format' must be a map");
            return null;
        }
        Map<String, Node> f = entries(map, FORMAT_KEYS, "format ", problems);
        String type = scalar(f, "type", map, problems, true);
        if (type != null && !type.equals("csv") && !type.equals("fixed-width")) {
            problems.add(at(f.get("type")) + "format type must be csv or fixed-width, not '" + type + "'");
        }
        java.nio.charset.Charset encoding = java.nio.charset.StandardCharsets.UTF_8;
        String enc = scalar(f, "encoding", map, problems, false);
        if (enc != null) {
            try {
                encoding = java.nio.charset.Charset.forName(enc);
                if (!asciiCompatible(encoding)) {
                    // files are cut into lines and fields at single ASCII bytes (FileRows)
                    problems.add(at(f.get("encoding")) + "encoding '" + enc + "' writes line breaks, quotes and digits"
                            + " in more than one byte; files are read in encodings that keep them ASCII (GBK, GB18030, UTF-8, ...)");
                }
            } catch (IllegalArgumentException e) {
                problems.add(at(f.get("encoding")) + "unknown encoding '" + enc + "'");
            }
        }
        String delimiter = scalar(f, "delimiter", map, problems, false);
        if (delimiter != null && delimiter.length() != 1) {
            problems.add(at(f.get("delimiter")) + "delimiter must be one character");
        }
        String header = scalar(f, "header", map, problems, false);
        int skip = integer(f, "skipLines", problems, 0);
        List<MappingDefinition.Column> columns = new ArrayList<>();
        Node cols = f.get("columns");
        if (cols instanceof SequenceNode seq) {
            for (Node c : seq.getValue()) {
                if (!(c instanceof MappingNode cm)) {
                    problems.add(at(c) + "a column must be {name, start, length}");
                    continue;
                }
                Map<String, Node> col = entries(cm, COLUMN_KEYS, "column ", problems);
                String name = scalar(col, "name", cm, problems, true);
                int start = integer(col, "start", problems, -1);
                int length = integer(col, "length", problems, -1);
                if (start < 1 || length < 1) {
                    problems.add(at(cm) + "column '" + name + "' needs start ≥ 1 and length ≥ 1 (bytes)");
                }
                columns.add(new MappingDefinition.Column(name, start, length));
            }
        } else if (cols != null) {
            problems.add(at(cols) + "'columns' must be a list");
        }
        if ("fixed-width".equals(type) && columns.isEmpty()) {
            problems.add(at(map) + "a fixed-width format needs its columns");
        }
        return new MappingDefinition.FileFormat(type, encoding, delimiter == null || delimiter.isEmpty() ? ',' : delimiter.charAt(0),
                header == null || Boolean.parseBoolean(header), skip, List.copyOf(columns));
    }

    private static boolean asciiCompatible(java.nio.charset.Charset charset) {
        if (!charset.canEncode()) {
            return false;
        }
        for (char c : "\n\r\t \",;|0123456789AZaz".toCharArray()) {
            if (!java.util.Arrays.equals(String.valueOf(c).getBytes(charset), new byte[] {(byte) c})) {
                return false;
            }
        }
        return true;
    }

    private static int integer(Map<String, Node> keys, String key, List<String> problems, int absent) {
        Node n = keys.get(key);
        if (n == null) {
            return absent;
        }
        try {
            return Integer.parseInt(((ScalarNode) n).getValue());
        } catch (RuntimeException e) {
            problems.add(at(n) + "'" + key + "' must be a whole number");
            return absent;
        }
    }

    private static List<String> scalarOrList(Map<String, Node> keys, String key, Node parent, List<String> problems) {
        Node node = keys.get(key);
        if (node instanceof SequenceNode seq && !seq.getValue().isEmpty()) {
            List<String> values = new ArrayList<>();
            seq.getValue().forEach(n -> values.add(n instanceof ScalarNode s ? s.getValue() : ""));
            return values;
        }
        String single = scalar(keys, key, parent, problems, true);
        return single == null ? null : List.of(single);
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
