package org.govhub.ingest;

import java.util.Map;

/** Column lookup that ignores case: H2 reports upper-case names, PostgreSQL lower-case. */
public final class RowKeys {

    private RowKeys() {
    }

    public static Object value(Map<String, Object> row, String column) {
        Object direct = row.get(column);
        if (direct != null || row.containsKey(column)) {
            return direct;
        }
        for (Map.Entry<String, Object> e : row.entrySet()) {
            if (e.getKey().equalsIgnoreCase(column)) {
                return e.getValue();
            }
        }
        return null;
    }
}
