package org.govhub.ingest;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.time.Duration;
import org.apache.camel.Exchange;
import org.govhub.Backoff;
import org.apache.camel.Message;
import org.apache.camel.component.debezium.DebeziumConstants;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.govhub.normalise.RecordNormaliser;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The change events of a change-capture source ({@code routes/cdc-source.kamelet.yaml}) as rows for
 * record-publishing, one event at a time in the database log's order:
 * <ul>
 * <li>an insert, an update or a snapshot read gives the row as it is now (a changed row is a new
 * version of its record, with a new content hash);</li>
 * <li>a delete gives the row as it was, marked withdrawn ({@link RecordNormaliser#WITHDRAWN}): the
 * record is shared once more with {@code provenance.withdrawn: true}, so that every receiver learns
 * the department took it back. A delete that carries only the key (PostgreSQL without
 * {@code REPLICA IDENTITY FULL}) is quarantined with that reason;</li>
 * <li>a heartbeat gives no row: it only tells that the stream is alive.</li>
 * </ul>
 * Values are turned into what a JDBC read gives (dates, times, exact decimals), so one mapping file
 * serves a source whether it is polled or captured. A publish that fails is tried again in place,
 * with a growing wait, so the stream waits (BLOCKED/FAILING in health) and nothing is passed over;
 * only when the hub stops in the middle is the event left for the next start
 * ({@link ChangeCaptureOffsets} then saves no later position).
 */
@Component("changeEvents")
public class ChangeEvents {

    /** Exchange properties: the event still waits to be published; the wait before the next try. */
    public static final String PENDING = "govhubPending";
    public static final String BACKOFF = "govhubBackoff";
    private static final String ATTEMPTS = "govhubAttempts";
    private static final String POSITION = "govhubPosition";
    public static final String RETRY_DELAY = "govhubRetryDelay";
    public static final String MAX_BACKOFF = "govhubMaxBackoff";

    private final SourceActivity activity;
    private final Path dataDir;

    public ChangeEvents(SourceActivity activity, @Value("${govhub.data-dir:./data}") String dataDir) {
        this.activity = activity;
        this.dataDir = Path.of(dataDir);
    }

    /**
     * The event in hand becomes the list of rows record-publishing takes (one, or none for a
     * heartbeat). From here until {@link #published} the source's position is not saved
     * ({@link ChangeCaptureOffsets}). A value this cannot read makes the row's problem (quarantine),
     * never an exception: an event is settled, or read again after a restart.
     */
    public void rows(Exchange exchange) {
        Message m = exchange.getMessage();
        String sourceId = exchange.getProperty(RecordNormaliser.SOURCE_ID, String.class);
        String topic = m.getHeader(DebeziumConstants.HEADER_IDENTIFIER, String.class);
        String operation = m.getHeader(DebeziumConstants.HEADER_OPERATION, String.class);
        boolean heartbeat = topic != null && topic.startsWith("__debezium-heartbeat");
        String position = position(m.getHeader(DebeziumConstants.HEADER_SOURCE_METADATA, Map.class), heartbeat);
        ChangeCaptureOffsets.taken(offsetFile(sourceId), "the change at " + position);
        activity.begin(exchange, heartbeat ? "heartbeat" : "change");
        exchange.setProperty(PENDING, true);
        exchange.setProperty(ATTEMPTS, 0);
        exchange.setProperty(POSITION, position);
        if (heartbeat || operation == null) {
            m.setBody(List.of());
            return;
        }
        if ("t".equals(operation)) {
            // a TRUNCATE names no rows: receivers keep what they hold, which the operator must hear of
            activity.problem(sourceId, "the department truncated the table at " + position + "; receivers still hold its"
                    + " rows (a truncate sends no withdrawals); take the source's table as it is again or tell the receivers");
            m.setBody(List.of());
            return;
        }
        Map<String, Object> row;
        try {
            row = "d".equals(operation) ? withdrawal(m) : row(m.getBody(Struct.class));
        } catch (RuntimeException e) {
            row = new LinkedHashMap<>();
            row.put(RecordNormaliser.PROBLEM, "the change (" + operation + ") at " + position + " could not be read: "
                    + SourceActivity.describe(e));
        }
        m.setBody(List.of(row));
    }

    /** A delete: the row as it was, marked withdrawn; with only its key, a row that cannot be shared (its reason). */
    private static Map<String, Object> withdrawal(Message m) {
        Map<String, Object> row = row(m.getHeader(DebeziumConstants.HEADER_BEFORE, Struct.class));
        row.put(RecordNormaliser.WITHDRAWN, true);
        Struct key = m.getHeader(DebeziumConstants.HEADER_KEY, Struct.class);
        Set<String> keyColumns = key == null ? Set.of() : row(key).keySet();
        if (row.entrySet().stream().noneMatch(e -> e.getValue() != null && !keyColumns.contains(e.getKey())
                && !RecordNormaliser.WITHDRAWN.equals(e.getKey()))) {
            row.put(RecordNormaliser.PROBLEM, "the department deleted this row, but its database sent only the key"
                    + " (PostgreSQL: ALTER TABLE ... REPLICA IDENTITY FULL makes it send the row), so the withdrawal"
                    + " cannot be shared as a record");
        }
        return row;
    }

    /** Whether the event still waits to be published (the route's retry loop). */
    public boolean pending(Exchange exchange) {
        return exchange.getProperty(PENDING, false, Boolean.class);
    }

    /** The event's row is on the broker or in quarantine: settled. */
    public void published(Exchange exchange) {
        exchange.setProperty(PENDING, false);
        ChangeCaptureOffsets.settled(offsetFile(exchange.getProperty(RecordNormaliser.SOURCE_ID, String.class)));
        activity.endQuietly(exchange, exchange.getProperty(POSITION));
    }

    /**
     * Publishing failed (broker or hub database down): the source is FAILING, and the event is tried
     * again after a wait that doubles up to {@code maxBackoff}, unless the hub or the route is
     * stopping: then the event is left unsettled, so no later position is saved, and it is read
     * again at the next start.
     */
    public void failed(Exchange exchange) {
        activity.fail(exchange);
        int attempts = exchange.getProperty(ATTEMPTS, 0, Integer.class) + 1;
        exchange.setProperty(ATTEMPTS, attempts);
        long delay = Long.parseLong(exchange.getProperty(RETRY_DELAY, "1000", String.class).strip());
        long max = Long.parseLong(exchange.getProperty(MAX_BACKOFF, "60000", String.class).strip());
        exchange.setProperty(BACKOFF, new Backoff(Duration.ofMillis(delay), Duration.ofMillis(max)).after(attempts).toMillis());
        var context = exchange.getContext();
        var status = exchange.getFromRouteId() == null ? null : context.getRouteController().getRouteStatus(exchange.getFromRouteId());
        if (context.isStopping() || context.isStopped() || status != null && (status.isStopping() || status.isStopped())) {
            exchange.setProperty(PENDING, false);
            exchange.setProperty(BACKOFF, 0L);
        }
    }

    private String offsetFile(String sourceId) {
        return ChangeCapture.offsetFile(dataDir, sourceId).toString();
    }

    /** Where the event stands in the database's log, for the source's mark: PostgreSQL's LSN, a binlog file and position. */
    private static String position(Map<?, ?> source, boolean heartbeat) {
        if (source == null) {
            return heartbeat ? "heartbeat" : "unknown";
        }
        Object snapshot = source.get("snapshot");
        String prefix = snapshot != null && !"false".equals(String.valueOf(snapshot)) ? "snapshot " : "";
        if (source.get("lsn") != null) {
            return prefix + "lsn " + source.get("lsn");
        }
        if (source.get("file") != null) {
            return prefix + source.get("file") + ":" + source.get("pos");
        }
        return prefix + "unknown";
    }

    /** A captured row as a JDBC read would give it: columns by name, dates and times as java.time values. */
    static Map<String, Object> row(Struct struct) {
        Map<String, Object> row = new LinkedHashMap<>();
        if (struct == null) {
            return row;
        }
        for (Field field : struct.schema().fields()) {
            row.put(field.name(), value(field.schema().name(), struct.get(field)));
        }
        return row;
    }

    private static Object value(String logicalType, Object value) {
        if (value == null || logicalType == null) {
            return value;
        }
        return switch (logicalType) {
            // Kafka Connect's logical types (time.precision.mode=connect): instants that stand for a UTC wall clock
            case "org.apache.kafka.connect.data.Date" -> LocalDateTime.ofInstant(((java.util.Date) value).toInstant(), ZoneOffset.UTC)
                    .toLocalDate();
            case "org.apache.kafka.connect.data.Timestamp" -> LocalDateTime.ofInstant(((java.util.Date) value).toInstant(), ZoneOffset.UTC);
            case "org.apache.kafka.connect.data.Time" -> LocalDateTime.ofInstant(((java.util.Date) value).toInstant(), ZoneOffset.UTC)
                    .toLocalTime();
            // a time with a zone comes as ISO text
            case "io.debezium.time.ZonedTimestamp" -> OffsetDateTime.parse(value.toString());
            // PostgreSQL NUMERIC without a declared scale: the scale and the unscaled value
            case "io.debezium.data.VariableScaleDecimal" -> new java.math.BigDecimal(
                    new java.math.BigInteger(((Struct) value).getBytes("value")), ((Struct) value).getInt32("scale"));
            default -> value;
        };
    }
}
