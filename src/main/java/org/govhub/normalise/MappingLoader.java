package org.govhub.normalise;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.govhub.FileSchema;

/**
 * Reads and checks a mapping file. Its structure is checked by its JSON Schema
 * ({@code file-schemas/mapping.schema.json}, named in the file for editors); this class checks what
 * a schema cannot say: the shared schema exists and has the mapped fields, converters, code tables
 * and computations exist. Every problem names the file, line and column, all of a file's at once.
 */
public class MappingLoader {

    private static final Set<String> SYSTEM_FIELDS = Set.of("schema", "schemaVersion", "provenance", "priority");

    private final SchemaRegistry schemas;

    public MappingLoader(SchemaRegistry schemas) {
        this.schemas = schemas;
    }

    public MappingDefinition load(Path path) {
        String file = path.toString();
        FileSchema.Checked checked;
        try (InputStream in = Files.newInputStream(path)) {
            checked = FileSchema.of("mapping").read(in, file);
        } catch (IOException e) {
            throw new MappingException(file, List.of(file + ": cannot be read: " + e.getMessage()));
        }
        JsonNode root = checked.root();
        if (root == null || !root.isObject()) {
            throw new MappingException(file, checked.problems());
        }
        // the checks below read a file with schema problems too, so that all its problems are listed at once
        List<String> problems = new ArrayList<>(checked.problems());

        String id = text(root.get("mapping"));
        String expectedId = path.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        if (id != null && !id.equals(expectedId)) {
            problems.add(FileSchema.at(file, root.get("mapping")) + "mapping id '" + id + "' must match the file name '" + expectedId + "'");
        }
        String schemaName = text(root.get("schema"));
        String schemaVersion = text(root.get("schemaVersion"));
        String eventTime = text(root.get("eventTime"));
        SchemaRegistry.SharedSchema schema = null;
        if (schemaName != null && schemaVersion != null) {
            schema = schemas.find(schemaName, schemaVersion).orElse(null);
            if (schema == null) {
                problems.add(FileSchema.at(file, root.get("schema")) + "no shared schema " + schemaName + " version " + schemaVersion
                        + " (known: " + schemas.keys() + ")");
            }
        }

        Map<String, Map<String, String>> codeTables = codeTables(root.path("codeTables"));
        List<MappingDefinition.FieldMapping> fields = fields(file, root.path("fields"), schema, codeTables, problems);
        MappingDefinition.FileFormat format = format(file, root.get("format"), problems);

        if (schema != null) {
            Set<String> mapped = new HashSet<>();
            fields.forEach(f -> mapped.add(f.target()));
            for (String required : schema.required()) {
                if (!SYSTEM_FIELDS.contains(required) && !mapped.contains(required)) {
                    problems.add(FileSchema.at(file, root.has("fields") ? root.get("fields") : root) + "schema " + schema.key()
                            + " requires field '" + required + "' but no field maps it");
                }
            }
            if (IndustryCodes.EDITION_2011.equals(text(root.get("industryCodeEdition")))
                    && schema.identifiers().values().stream().noneMatch(d -> RecordValidator.GB4754.equals(d.asText()))) {
                problems.add(FileSchema.at(file, root.get("industryCodeEdition")) + "industryCodeEdition is declared but schema "
                        + schema.key() + " has no industry code field");
            }
            if (eventTime != null && !mapped.contains(eventTime)) {
                problems.add(FileSchema.at(file, root.get("eventTime")) + "eventTime '" + eventTime + "' is not one of the mapped fields");
            }
        }
        if (!problems.isEmpty()) {
            throw new MappingException(file, problems);
        }
        JsonNode key = root.get("recordKey");
        List<String> recordKey = key.isArray() ? texts(key) : List.of(key.asText());
        String edition = root.has("industryCodeEdition") ? root.get("industryCodeEdition").asText() : IndustryCodes.EDITION_2017;
        return new MappingDefinition(id, file, text(root.get("version")), schemaName, schemaVersion, recordKey, eventTime,
                List.copyOf(fields), codeTables, format, edition);
    }

    private static List<MappingDefinition.FieldMapping> fields(String file, JsonNode list, SchemaRegistry.SharedSchema schema,
            Map<String, Map<String, String>> codeTables, List<String> problems) {
        List<MappingDefinition.FieldMapping> fields = new ArrayList<>();
        Set<String> targets = new HashSet<>();
        for (JsonNode f : list.isArray() ? list : List.<JsonNode>of()) {
            if (!f.isObject()) {
                continue; // the schema said so
            }
            String target = text(f.get("target"));
            MappingDefinition.Computation compute = computation(file, f.get("compute"), targets, target, problems);
            String source = text(f.get("source"));
            String convert = text(f.get("convert"));
            String codeTable = text(f.get("codeTable"));
            String where = FileSchema.at(file, f) + "field '" + target + "': ";
            if (target != null && !targets.add(target)) {
                problems.add(where + "mapped twice");
            }
            if (target != null && schema != null && (!schema.hasProperty(target) || SYSTEM_FIELDS.contains(target))) {
                problems.add(where + "is not a field of schema " + schema.key());
            }
            if (convert != null && !Converters.exists(convert)) {
                problems.add(where + "unknown converter '" + convert + "' (known: " + String.join(", ", Converters.names()) + ")");
            }
            if (codeTable != null && !codeTables.containsKey(codeTable)) {
                problems.add(where + "code table '" + codeTable + "' is not defined under codeTables");
            }
            JsonNode defaultValue = null;
            JsonNode d = f.get("default");
            // the default must be a value its converter accepts, as a source column would give it
            if (d != null && d.isTextual() && convert != null && Converters.exists(convert)) {
                try {
                    defaultValue = Converters.convert(convert, d.asText(), codeTables.get(codeTable));
                } catch (ConversionException e) {
                    problems.add(where + "default " + e.getMessage());
                }
            }
            fields.add(new MappingDefinition.FieldMapping(target, source, convert, codeTable, defaultValue, compute, FileSchema.line(f)));
        }
        return fields;
    }

    /** {function, args}: the function must exist for that many arguments, which are fields mapped above (or the field itself). */
    private static MappingDefinition.Computation computation(String file, JsonNode c, Set<String> mappedAbove, String target,
            List<String> problems) {
        String function = c == null ? null : text(c.get("function"));
        if (function == null) {
            return null;
        }
        List<String> args = new ArrayList<>();
        for (JsonNode a : c.path("args").isArray() ? c.path("args") : List.<JsonNode>of()) {
            String arg = text(a);
            if (arg != null) {
                args.add(arg);
                if (!mappedAbove.contains(arg) && !arg.equals(target)) {
                    problems.add(FileSchema.at(file, a) + "computation argument '" + arg + "' is not a field mapped above it");
                }
            }
        }
        String problem = Computations.problem(function, args.size());
        if (problem != null) {
            problems.add(FileSchema.at(file, c) + problem);
        }
        return new MappingDefinition.Computation(function, List.copyOf(args));
    }

    private static MappingDefinition.FileFormat format(String file, JsonNode f, List<String> problems) {
        if (f == null || !f.isObject()) {
            return null;
        }
        Charset encoding = StandardCharsets.UTF_8;
        JsonNode enc = f.get("encoding");
        if (text(enc) != null) {
            try {
                encoding = Charset.forName(enc.asText());
                if (!asciiCompatible(encoding)) {
                    // files are cut into lines and fields at single ASCII bytes (FileRows)
                    problems.add(FileSchema.at(file, enc) + "encoding '" + enc.asText() + "' writes line breaks, quotes and digits"
                            + " in more than one byte; files are read in encodings that keep them ASCII (GBK, GB18030, UTF-8, ...)");
                }
            } catch (IllegalArgumentException e) {
                problems.add(FileSchema.at(file, enc) + "unknown encoding '" + enc.asText() + "'");
            }
        }
        String delimiter = text(f.get("delimiter"));
        List<MappingDefinition.Column> columns = new ArrayList<>();
        for (JsonNode c : f.path("columns").isArray() ? f.path("columns") : List.<JsonNode>of()) {
            columns.add(new MappingDefinition.Column(text(c.get("name")), c.path("start").asInt(-1), c.path("length").asInt(-1)));
        }
        return new MappingDefinition.FileFormat(text(f.get("type")), encoding,
                delimiter == null || delimiter.length() != 1 ? ',' : delimiter.charAt(0), f.path("header").asBoolean(true),
                f.path("skipLines").asInt(0), List.copyOf(columns));
    }

    private static boolean asciiCompatible(Charset charset) {
        if (!charset.canEncode()) {
            return false;
        }
        for (char c : "\n\r\t \",;|0123456789AZaz".toCharArray()) {
            if (!Arrays.equals(String.valueOf(c).getBytes(charset), new byte[] {(byte) c})) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Map<String, String>> codeTables(JsonNode node) {
        Map<String, Map<String, String>> tables = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> t : node.properties()) {
            if (t.getValue().isObject()) {
                Map<String, String> table = new LinkedHashMap<>();
                t.getValue().properties().forEach(c -> table.put(c.getKey(), c.getValue().asText()));
                tables.put(t.getKey(), table);
            }
        }
        return tables;
    }

    /** A value the schema wants as text; null when absent (or, in a file with schema problems, not a single value). */
    private static String text(JsonNode node) {
        return node != null && node.isValueNode() && !node.isNull() ? node.asText() : null;
    }

    private static List<String> texts(JsonNode list) {
        List<String> values = new ArrayList<>();
        list.forEach(n -> values.add(n.asText()));
        return values;
    }
}
