package org.govhub.normalise;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Validates a canonical record: JSON Schema first, then the national identifier standards the
 * schema names. Every failure is reported, not just the first, so one correction fixes a record.
 * A person's identity number appears in reasons only masked.
 */
@Component
public class RecordValidator {

    public static final String GB32100 = "GB32100";
    public static final String GB11643 = "GB11643";
    public static final String GB2260 = "GB/T2260";
    public static final String GB4754 = "GB/T4754";

    private final RegionCodes regionCodes;
    /** Whether an operator accepted a code that fails its standard's check. */
    @FunctionalInterface
    public interface Acceptance {
        boolean isAccepted(String standard, String code);
    }

    private final Acceptance accepted;

    public RecordValidator(RegionCodes regionCodes, Acceptance accepted) {
        this.regionCodes = regionCodes;
        this.accepted = accepted;
    }

    public List<String> validate(SchemaRegistry.SharedSchema schema, JsonNode record) {
        List<String> reasons = new ArrayList<>(schema.validate(record));
        for (Map.Entry<String, JsonNode> e : schema.identifiers().entrySet()) {
            JsonNode value = record.get(e.getKey());
            String standard = standard(e.getValue(), record);
            if (value == null || !value.isTextual() || standard == null) {
                continue; // absence, type and an unknown subject type are the schema's business
            }
            String code = value.asText();
            String problem = problem(schema, e.getKey(), standard, code);
            if (problem != null) {
                String shown = GB11643.equals(standard) ? IdentityNumbers.mask(code) : code;
                reasons.add(e.getKey() + " '" + shown + "': " + standard + " " + problem);
            }
        }
        return reasons;
    }

    private String problem(SchemaRegistry.SharedSchema schema, String field, String standard, String code) {
        return switch (standard) {
            case GB32100 -> {
                String p = CreditCodes.problem(code);
                yield p != null && accepted.isAccepted(GB32100, code) ? null : p;
            }
            case GB11643 -> IdentityNumbers.problem(code, LocalDate.now());
            case GB2260 -> regionCodes.exists(code) ? null : "is not a division code in the GB/T 2260 2023 table";
            case GB4754 -> IndustryCodes.problem(code);
            default -> throw new IllegalStateException("schema " + schema.key() + " names unknown identifier standard "
                    + standard + " for " + field);
        };
    }

    /** The standard that applies: fixed, or chosen by another field's value ({"by": "subjectType", ...}). */
    private static String standard(JsonNode declaration, JsonNode record) {
        if (declaration.isTextual()) {
            return declaration.asText();
        }
        JsonNode decider = record.get(declaration.path("by").asText());
        return decider == null || !declaration.has(decider.asText()) ? null : declaration.get(decider.asText()).asText();
    }
}
