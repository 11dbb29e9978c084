package org.govhub.sandbox;

import java.util.Map;

/**
 * A row a sandbox system generated, with its key in that system and, when it was broken on
 * purpose, how. Tests compare what the hub delivered and quarantined against these.
 */
public record GeneratedRow(String key, Map<String, Object> columns, String defect) {

    public boolean valid() {
        return defect == null;
    }
}
