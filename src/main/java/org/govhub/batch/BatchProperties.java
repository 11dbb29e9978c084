package org.govhub.batch;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * When a batch closes: at {@code maxRecords} records, when its first record is {@code maxAge} old,
 * or, once it holds {@code idleMinRecords}, when no record has joined it for {@code maxIdle} (the
 * burst that filled it is over: Camel's aggregator calls this its completion timeout). Below
 * {@code idleMinRecords} only the age closes it, so a trickle is gathered for {@code maxAge}, not
 * sent a record at a time. Each can be set per priority class ({@code classes.1.max-age: 2s}:
 * class 1 closes fast) and per schema and class ({@code schemas.TaxRecord.3.max-records: 500}); the
 * most specific setting wins.
 */
@ConfigurationProperties("govhub.batch")
public record BatchProperties(@DefaultValue("1000") int maxRecords, @DefaultValue("10s") Duration maxAge,
        @DefaultValue("200ms") Duration maxIdle, @DefaultValue("100") int idleMinRecords,
        Map<Integer, Limits> classes, Map<String, Map<Integer, Limits>> schemas) {

    /** Any may be left out to inherit it. */
    public record Limits(Integer maxRecords, Duration maxAge, Duration maxIdle, Integer idleMinRecords) {
    }

    public BatchProperties {
        classes = classes == null ? Map.of() : Map.copyOf(classes);
        schemas = schemas == null ? Map.of() : Map.copyOf(schemas);
        if (maxRecords < 1) {
            throw new IllegalArgumentException("govhub.batch.max-records must be at least 1");
        }
        if (idleMinRecords < 1) {
            throw new IllegalArgumentException("govhub.batch.idle-min-records must be at least 1");
        }
    }

    public int maxRecords(String schema, int priorityClass) {
        return setting(schema, priorityClass, Limits::maxRecords, maxRecords);
    }

    public Duration maxAge(String schema, int priorityClass) {
        return setting(schema, priorityClass, Limits::maxAge, maxAge);
    }

    public Duration maxIdle(String schema, int priorityClass) {
        return setting(schema, priorityClass, Limits::maxIdle, maxIdle);
    }

    public int idleMinRecords(String schema, int priorityClass) {
        return setting(schema, priorityClass, Limits::idleMinRecords, idleMinRecords);
    }

    /** The most specific of schema-and-class, class, and the hub-wide default. */
    private <T> T setting(String schema, int priorityClass, Function<Limits, T> field, T hubWide) {
        Limits s = schemas.getOrDefault(schema, Map.of()).get(priorityClass);
        if (s != null && field.apply(s) != null) {
            return field.apply(s);
        }
        Limits c = classes.get(priorityClass);
        return c != null && field.apply(c) != null ? field.apply(c) : hubWide;
    }
}
