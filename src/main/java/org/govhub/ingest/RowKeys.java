package org.govhub.ingest;

import java.util.Map;

/**
 * Column lookup that ignores case (H2 reports upper-case names, PostgreSQL lower-case) and follows
 * dotted paths into nested maps, as REST sources deliver them ({@code enterprise.creditCode}).
 */
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
        int dot = column.indexOf('.');
        if (dot > 0 && value(row, column.substring(0, dot)) instanceof Map<?, ?> nested) {
            @SuppressWarnings("unchecked")
            Map<String, Object> inner = (Map<String, Object>) nested;
            return value(inner, column.substring(dot + 1));
        }
        return null;
    }
}
