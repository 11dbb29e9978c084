package org.govhub.normalise;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.Charset;
import java.util.List;
import java.util.Map;

/**
 * A declarative field mapping (a file in {@code mappings/}): how one departmental source's rows
 * become records of one shared schema.
 *
 * @param id         mapping id, the file name without {@code .yaml}
 * @param file       where it was loaded from, for messages
 * @param version    mapping version, carried in each record's provenance
 * @param recordKey  source column(s) that identify a row in its system (joined with '|')
 * @param eventTime  canonical field that dates a record (a batch manifest's time range)
 * @param codeTables department code → national code, per table name
 * @param format     how a file's bytes become rows, for file sources; null otherwise
 * @param industryCodeEdition the GB/T 4754 edition of the source's industry codes ({@link IndustryCodes#EDITION_2017} unless declared)
 */
public record MappingDefinition(String id, String file, String version, String schema, String schemaVersion,
        List<String> recordKey, String eventTime, List<FieldMapping> fields, Map<String, Map<String, String>> codeTables,
        FileFormat format, String industryCodeEdition) {

    /** The same mapping under another origin and version: a deployed one carries its deployment's version into provenance. */
    public MappingDefinition as(String origin, String newVersion) {
        return new MappingDefinition(id, origin, newVersion, schema, schemaVersion, recordKey, eventTime, fields, codeTables, format,
                industryCodeEdition);
    }

    /**
     * One canonical field: from a source column through a converter, or computed from other
     * canonical fields, or both (computed only when the column is empty: "given or derived").
     *
     * @param target       canonical field
     * @param source       source column (a dotted path for nested JSON), or null when computed only
     * @param convert      converter name (see {@link Converters}), with {@code source}
     * @param codeTable    code table for the {@code code} converter
     * @param defaultValue value used when the source column is empty
     * @param compute      computation (see {@link Computations}), or null
     * @param line         line in the mapping file, for messages
     */
    public record FieldMapping(String target, String source, String convert, String codeTable, JsonNode defaultValue,
            Computation compute, int line) {
    }

    /** A named computation over canonical fields mapped before it. */
    public record Computation(String function, List<String> args) {
    }

    /**
     * A file layout: {@code csv} (delimiter, header row naming the columns) or {@code fixed-width}
     * (columns at 1-based byte positions, as mainframe-era exports count them).
     */
    public record FileFormat(String type, Charset encoding, char delimiter, boolean header, int skipLines,
            List<Column> columns) {

        public boolean fixedWidth() {
            return "fixed-width".equals(type);
        }
    }

    /** A fixed-width column: name, first byte (1-based) and length in bytes. */
    public record Column(String name, int start, int length) {
    }
}
