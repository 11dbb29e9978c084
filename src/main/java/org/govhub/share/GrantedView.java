package org.govhub.share;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.govhub.normalise.CanonicalJson;
import org.govhub.normalise.IdentityNumbers;
import org.govhub.share.Catalog.DataResource;
import org.govhub.share.Catalog.Field;
import org.govhub.share.Catalog.Personal;

/**
 * A canonical record as one grant lets a department see it: the row only if the grant covers it
 * (region-code prefix, priority class), only the granted fields, and personal data masked unless the
 * grant shows that kind in clear. Every channel uses this one view, so no channel can show more.
 */
public final class GrantedView {

    private final DataResource resource;
    private final GrantTerms terms;

    public GrantedView(DataResource resource, GrantTerms terms) {
        this.resource = resource;
        this.terms = terms;
    }

    /** Whether the grant covers a batch of this priority class at all. */
    public boolean coversClass(int priorityClass) {
        return terms.priorityClasses().isEmpty() || terms.priorityClasses().contains(priorityClass);
    }

    /** The record as granted, or null when the grant does not cover its row. */
    public ObjectNode apply(JsonNode record, int priorityClass) {
        if (!coversClass(priorityClass)) {
            return null;
        }
        if (!terms.regionPrefixes().isEmpty()) {
            String region = record.path("regionCode").asText("");
            if (terms.regionPrefixes().stream().noneMatch(region::startsWith)) {
                return null;
            }
        }
        ObjectNode shown = CanonicalJson.MAPPER.createObjectNode();
        for (Field field : resource.fields()) {
            if (!record.has(field.name()) || (!terms.fields().isEmpty() && !terms.fields().contains(field.name()))) {
                continue;
            }
            JsonNode value = record.get(field.name());
            boolean personal = field.personal() != null && applies(field.personalWhen(), record);
            shown.set(field.name(), personal && !terms.inClear().contains(field.personal()) && value.isTextual()
                    ? CanonicalJson.MAPPER.getNodeFactory().textNode(mask(field.personal(), value.asText()))
                    : value);
        }
        return shown;
    }

    private static boolean applies(Map<String, String> when, JsonNode record) {
        return when.entrySet().stream().allMatch(e -> e.getValue().equals(record.path(e.getKey()).asText(null)));
    }

    /** ID numbers keep region and last two characters; names the surname; phone numbers the first 3 and last 4 digits. */
    static String mask(Personal kind, String value) {
        return switch (kind) {
            case ID_NUMBER -> IdentityNumbers.mask(value);
            case PERSON_NAME -> value.isEmpty() ? value : value.substring(0, value.offsetByCodePoints(0, 1))
                    + "*".repeat(Math.max(1, value.codePointCount(0, value.length()) - 1));
            case PHONE -> value.length() < 8 ? "*".repeat(value.length())
                    : value.substring(0, 3) + "*".repeat(value.length() - 7) + value.substring(value.length() - 4);
        };
    }
}
