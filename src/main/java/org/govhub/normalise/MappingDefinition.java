package org.govhub.normalise;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * A declarative field mapping (a file in {@code mappings/}): how one departmental source's rows
 * become records of one shared schema.
 *
 * @param id         mapping id, the file name without {@code .yaml}
 * @param file       where it was loaded from, for messages
 * @param version    mapping version, carried in each record's provenance
 * @param recordKey  source column that identifies a row in its system
 * @param eventTime  canonical field that dates a record (a batch manifest's time range)
 * @param codeTables department code → national code, per table name
 */
public record MappingDefinition(String id, String file, String version, String schema, String schemaVersion,
        String recordKey, String eventTime, List<FieldMapping> fields, Map<String, Map<String, String>> codeTables) {

    /**
     * @param target       canonical field
     * @param source       source column
     * @param convert      converter name (see {@link Converters})
     * @param codeTable    code table for the {@code code} converter
     * @param defaultValue value used when the source column is empty
     * @param line         line in the mapping file, for messages
     */
    public record FieldMapping(String target, String source, String convert, String codeTable, JsonNode defaultValue,
            int line) {
    }
}
