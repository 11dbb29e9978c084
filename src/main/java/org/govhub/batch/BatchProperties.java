package org.govhub.batch;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * When a batch closes: at {@code maxRecords} records or when its first record is {@code maxAge}
 * old, whichever comes first. Both can be set per priority class ({@code classes.1.max-age: 2s}:
 * class 1 closes fast) and per schema and class ({@code schemas.TaxRecord.3.max-records: 500});
 * the most specific setting wins.
 */
@ConfigurationProperties("govhub.batch")
public record BatchProperties(@DefaultValue("1000") int maxRecords, @DefaultValue("10s") Duration maxAge,
        Map<Integer, Limits> classes, Map<String, Map<Integer, Limits>> schemas) {

    /** Either may be left out to inherit it. */
    public record Limits(Integer maxRecords, Duration maxAge) {
    }

    public BatchProperties {
        classes = classes == null ? Map.of() : Map.copyOf(classes);
        schemas = schemas == null ? Map.of() : Map.copyOf(schemas);
        if (maxRecords < 1) {
            throw new IllegalArgumentException("govhub.batch.max-records must be at least 1");
        }
    }

    public int maxRecords(String schema, int priorityClass) {
        Limits s = schemas.getOrDefault(schema, Map.of()).get(priorityClass);
        Limits c = classes.get(priorityClass);
        return s != null && s.maxRecords() != null ? s.maxRecords() : c != null && c.maxRecords() != null ? c.maxRecords() : maxRecords;
    }

    public Duration maxAge(String schema, int priorityClass) {
        Limits s = schemas.getOrDefault(schema, Map.of()).get(priorityClass);
        Limits c = classes.get(priorityClass);
        return s != null && s.maxAge() != null ? s.maxAge() : c != null && c.maxAge() != null ? c.maxAge() : maxAge;
    }
}
