package org.govhub.normalise;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * The fields of a log line's context (MDC) that say what the line is about: the source, the batch,
 * the record. Inside a route camel-mdc copies them from the exchange's properties of the same names
 * (camel.mdc.custom-exchange-properties); {@link #of} sets them by hand around a line written for one
 * record of a page or one batch of a round, which no exchange property names.
 */
public final class LogFields {

    public static final String SOURCE = "govhubSourceId";
    public static final String BATCH = "govhubBatchId";
    public static final String RECORD = "govhubRecordKey";

    private LogFields() {
    }

    /** Sets {@code name, value, name, value, ...} (a null value is skipped) until the scope closes, then restores what was there. */
    public static Scope of(String... namesAndValues) {
        Map<String, String> previous = new HashMap<>();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] != null) {
                previous.put(namesAndValues[i], MDC.get(namesAndValues[i]));
                MDC.put(namesAndValues[i], namesAndValues[i + 1]);
            }
        }
        return () -> previous.forEach((name, value) -> {
            if (value == null) {
                MDC.remove(name);
            } else {
                MDC.put(name, value);
            }
        });
    }

    /** A scope of log fields; closing it throws nothing. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
