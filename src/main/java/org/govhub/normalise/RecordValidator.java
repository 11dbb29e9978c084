package org.govhub.normalise;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Validates a canonical record: JSON Schema first, then the national identifier standards the
 * schema names. Every failure is reported, not just the first, so one correction fixes a record.
 */
@Component
public class RecordValidator {

    private final RegionCodes regionCodes;

    public RecordValidator(RegionCodes regionCodes) {
        this.regionCodes = regionCodes;
    }

    public List<String> validate(SchemaRegistry.SharedSchema schema, JsonNode record) {
        List<String> reasons = new ArrayList<>(schema.validate(record));
        for (Map.Entry<String, String> e : schema.identifiers().entrySet()) {
            JsonNode value = record.get(e.getKey());
            if (value == null || !value.isTextual()) {
                continue; // absence and type are the schema's business
            }
            String problem = switch (e.getValue()) {
                case "GB32100" -> CreditCodes.problem(value.asText());
                case "GB/T2260" -> regionCodes.exists(value.asText()) ? null
                        : "is not a division code in the GB/T 2260 2023 table";
                default -> throw new IllegalStateException("schema " + schema.key() + " names unknown identifier standard "
                        + e.getValue() + " for " + e.getKey());
            };
            if (problem != null) {
                reasons.add(e.getKey() + " '" + value.asText() + "': " + e.getValue() + " " + problem);
            }
        }
        return reasons;
    }
}
