package org.govhub.ingest;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.govhub.normalise.RecordNormaliser;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The polling mode of SQL sources ({@code routes/sql-source.kamelet.yaml}), for departmental databases
 * where change capture is not possible: rows are read in the order of a change-time column and
 * a key, {@code (changed, key)}, so inserts, updates, equal times, keys of 0 or below and keys that
 * arrive out of order are all seen.
 *
 * <p>Two marks, both {@code (changed, key)} positions kept in the hub database (table
 * {@code sql_change_mark}):
 * <ul>
 * <li>the <b>head</b> reads every row after it, page after page, as soon as it is there;</li>
 * <li>the <b>tail</b> follows {@code lateCommitWindow} behind the source's clock (and never past the
 * head) and reads each row once more: a transaction that committed after the head had passed its
 * change time (two writers committing out of order, a long transaction) is found there. Rows the
 * tail finds already shared or quarantined are repeats and go no further.</li>
 * </ul>
 * A row whose change time is NULL cannot be placed in that order; the source then reports how many
 * there are instead of passing over them in silence. Each mark moves only after its page's rows are
 * on the broker or in quarantine (record-publishing), so a crash reads the page again.
 */
@Component("changePolling")
public class ChangePolling implements SourceMarks {

    /** Exchange properties the route template sets from its parameters. */
    public static final String TABLE = "govhubTable";
    public static final String KEY_COLUMN = "govhubKeyColumn";
    public static final String CHANGED_COLUMN = "govhubChangedColumn";
    public static final String LATE_WINDOW = "govhubLateCommitWindow";
    /** Headers the route's queries read: the position to read after, and the tail's upper bound. */
    public static final String AT = "govhubAfterChanged";
    public static final String KEY = "govhubAfterKey";
    public static final String UNTIL = "govhubUntil";
    /** Set while the tail reads: its rows are checked against what was taken before (PublishFilter). */
    public static final String RECHECK = "govhubRecheck";

    /** Most pages the late-commit check reads in one poll, so that new rows are not kept waiting behind it. */
    static final int TAIL_PAGES_PER_POLL = 10;
    private static final String TAIL_PAGES = "govhubTailPages";
    private static final String TAIL_DONE = "govhubTailDone";

    /** Before the first row: every row with a change time is after it. */
    static final Timestamp BEGINNING = Timestamp.valueOf("0001-01-01 00:00:00");
    /** How far a change time may be ahead of the source's clock before the source's times are taken for another zone. */
    private static final Duration AHEAD_TOLERANCE = Duration.ofMinutes(5);
    private static final String READ_FROM = "govhubReadFrom";
    private static final String MARKS_STORED = "govhubMarksStored";
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ChangePolling.class);

    /** How often the rows without a change time are counted. */
    private static final Duration NULL_CHECK_EVERY = Duration.ofMinutes(1);

    /**
     * A place in the source's {@code (changed, key)} order. A null key stands after every key at
     * its time, so {@code (t, null)} means "everything changed at t or before has been read".
     */
    public record Position(Timestamp at, Object key) implements Comparable<Position> {

        static final Position START = new Position(BEGINNING, null);

        /** Stored as text, exactly (nanoseconds and the key's kind kept): the next query binds it back as it came. */
        String atText() {
            return at.toString();
        }

        String keyText() {
            return key == null ? null : (key instanceof Long ? "L:" : key instanceof BigDecimal ? "D:" : "S:") + key;
        }

        static Position of(String at, String key) {
            if (at == null) {
                return START;
            }
            Object k = key == null ? null : switch (key.substring(0, 2)) {
                case "L:" -> Long.valueOf(key.substring(2));
                case "D:" -> new BigDecimal(key.substring(2));
                default -> key.substring(2);
            };
            return new Position(Timestamp.valueOf(at), k);
        }

        /** The key of a row as the next query will bind it: whole numbers as long, other numbers exact, the rest as text. */
        static Object key(Object raw) {
            if (raw instanceof Long || raw instanceof Integer || raw instanceof Short) {
                return Long.valueOf(((Number) raw).longValue());
            }
            if (raw instanceof java.math.BigInteger b) {
                // BIGINT UNSIGNED beyond a long stays exact
                return b.bitLength() < 64 ? (Object) b.longValue() : new BigDecimal(b);
            }
            if (raw instanceof BigDecimal d) {
                try {
                    return d.longValueExact();
                } catch (ArithmeticException notWhole) {
                    return d;
                }
            }
            if (raw instanceof Number n) {
                return new BigDecimal(n.toString());
            }
            return raw == null ? null : raw.toString();
        }

        @Override
        public int compareTo(Position o) {
            int byTime = at.compareTo(o.at);
            if (byTime != 0 || Objects.equals(key, o.key)) {
                return byTime;
            }
            if (key == null || o.key == null) {
                return key == null ? 1 : -1;
            }
            if (key instanceof Number a && o.key instanceof Number b) {
                return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString()));
            }
            return key.toString().compareTo(o.key.toString());
        }

        @Override
        public String toString() {
            return at.equals(BEGINNING) ? "(start)" : "(" + at + (key == null ? ", all" : ", " + key) + ")";
        }
    }

    private record Marks(Position head, Position tail) {
    }

    private final JdbcTemplate hub;
    /** Where the source's pool is found: a Spring bean for the route files' sources, bound in Camel's registry for a deployed one. */
    private final org.apache.camel.CamelContext camel;
    private final SourceActivity activity;
    private final Map<String, Instant> nullsCheckedAt = new ConcurrentHashMap<>();
    private final Map<String, Instant> tailStartedAt = new ConcurrentHashMap<>();

    public ChangePolling(JdbcTemplate hub, @org.springframework.context.annotation.Lazy org.apache.camel.CamelContext camel, SourceActivity activity) {
        this.hub = hub;
        this.camel = camel;
        this.activity = activity;
    }

    // ------------------------------------------------------------------ head

    /** Before a head page: the query reads after the head (headers {@link #AT}, {@link #KEY}). */
    public void head(Exchange exchange) {
        Optional<Marks> marks = marks(sourceId(exchange));
        Position head = marks.map(Marks::head).orElse(Position.START);
        exchange.removeProperty(RECHECK);
        exchange.setProperty(READ_FROM, head);
        exchange.setProperty(MARKS_STORED, marks.isPresent());
        bind(exchange, head);
        activity.begin(exchange, "page");
    }

    /** The head page's rows are on the broker or in quarantine: the head moves to the last of them. */
    public void headTaken(Exchange exchange) {
        String sourceId = sourceId(exchange);
        List<Map<String, Object>> rows = rows(exchange);
        Position before = exchange.getProperty(READ_FROM, Position.START, Position.class);
        Position after = rows.isEmpty() ? before : position(exchange, rows.get(rows.size() - 1));
        if (!exchange.getProperty(MARKS_STORED, false, Boolean.class)) {
            // the tail starts a window behind the source's clock: older rows were all committed when the head first read
            Timestamp now = sourceNow(sourceId);
            Position tail = new Position(minus(now, lateWindow(exchange)), null);
            hub.update("""
                    INSERT INTO sql_change_mark (source_id, head_at, head_key, tail_at, tail_key, head_moved_at, tail_moved_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)""", sourceId, after.atText(), after.keyText(), tail.atText(), tail.keyText(),
                    nowTs(), nowTs());
        } else if (!rows.isEmpty() && !move(sourceId, "head", before, after)) {
            after = marks(sourceId).map(Marks::head).orElse(after);
        }
        activity.end(exchange, before, after, rows.size() >= pageSize(exchange));
    }

    // ------------------------------------------------------------------ tail

    /**
     * Whether the tail has rows to read again now (the head is caught up, and the tail is behind
     * {@code now - lateCommitWindow}); sets the query's headers, including {@link #UNTIL}.
     */
    public boolean tailDue(Exchange exchange) {
        String sourceId = sourceId(exchange);
        int pages = exchange.getProperty(TAIL_PAGES, 0, Integer.class);
        if (pages >= TAIL_PAGES_PER_POLL || exchange.getProperty(TAIL_DONE, false, Boolean.class)) {
            return false;
        }
        // the check starts at most once per quarter window (at most every 10 s), not a sliver (and a look at
        // the source's clock) every poll; once started it reads on up to its bound
        if (pages == 0) {
            Instant last = tailStartedAt.get(sourceId);
            if (last != null && last.plusMillis(Math.min(lateWindow(exchange) / 4, 10_000)).isAfter(Instant.now())) {
                return false;
            }
            tailStartedAt.put(sourceId, Instant.now());
        }
        Optional<Marks> marks = marks(sourceId);
        if (marks.isEmpty()) {
            return false;
        }
        countRowsWithoutChangeTime(exchange);
        Timestamp until = minus(sourceNow(sourceId), lateWindow(exchange));
        if (marks.get().head().at().before(until)) {
            until = marks.get().head().at();
        }
        Position tail = marks.get().tail();
        if (!tail.at().before(until)) {
            return false;
        }
        exchange.setProperty(TAIL_PAGES, pages + 1);
        exchange.setProperty(READ_FROM, tail);
        bind(exchange, tail);
        exchange.getMessage().setHeader(UNTIL, until);
        exchange.setProperty(RECHECK, true);
        activity.begin(exchange, "late-commit check");
        return true;
    }

    /** The tail's rows are accounted for: it moves to the last of them, or to its bound when the page was not full. */
    public void tailTaken(Exchange exchange) {
        String sourceId = sourceId(exchange);
        List<Map<String, Object>> rows = rows(exchange);
        Position before = exchange.getProperty(READ_FROM, Position.START, Position.class);
        boolean full = rows.size() >= pageSize(exchange);
        Position after = full ? position(exchange, rows.get(rows.size() - 1))
                : new Position(exchange.getMessage().getHeader(UNTIL, Timestamp.class), null);
        if (!move(sourceId, "tail", before, after)) {
            after = marks(sourceId).map(Marks::tail).orElse(after);
        }
        exchange.removeProperty(RECHECK);
        exchange.setProperty(TAIL_DONE, !full);
        activity.end(exchange, before, after, false);
    }

    /**
     * Moves a mark from where its page was read to the page's end, unless it moved meanwhile (an
     * operator's rewind while the page was being published): then the operator's mark stays.
     */
    private boolean move(String sourceId, String mark, Position from, Position to) {
        int moved = hub.update("UPDATE sql_change_mark SET " + mark + "_at = ?, " + mark + "_key = ?, " + mark + "_moved_at = ?"
                + " WHERE source_id = ? AND " + mark + "_at = ? AND " + mark + "_key " + (from.key() == null ? "IS NULL" : "= ?"),
                from.key() == null ? new Object[] {to.atText(), to.keyText(), nowTs(), sourceId, from.atText()}
                        : new Object[] {to.atText(), to.keyText(), nowTs(), sourceId, from.atText(), from.keyText()});
        if (moved == 0) {
            log.info("source {}: its {} was moved while a page was read from {}; the page is in, the {} stays where it was moved to",
                    sourceId, mark, from, mark);
        }
        return moved == 1;
    }

    /** Rows without a change time cannot be read in order: counted once a minute, a problem of the source while there are any. */
    private void countRowsWithoutChangeTime(Exchange exchange) {
        String sourceId = sourceId(exchange);
        Instant last = nullsCheckedAt.get(sourceId);
        if (last != null && last.plus(NULL_CHECK_EVERY).isAfter(Instant.now())) {
            return;
        }
        nullsCheckedAt.put(sourceId, Instant.now());
        String table = exchange.getProperty(TABLE, String.class);
        String column = exchange.getProperty(CHANGED_COLUMN, String.class);
        JdbcTemplate db = source(sourceId);
        Long n = db.queryForObject("SELECT COUNT(*) FROM " + table + " WHERE " + column + " IS NULL", Long.class);
        Object newest = db.queryForObject("SELECT MAX(" + column + ") FROM " + table, Object.class);
        Timestamp now = sourceNow(sourceId);
        List<String> problems = new java.util.ArrayList<>();
        if (n != null && n > 0) {
            problems.add(n + " row(s) of " + table + " have no " + column + " (NULL), so they cannot be read in change order;"
                    + " the department must set " + column + " to the current time (an earlier time would place them behind"
                    + " what was read already)");
        }
        if (newest != null && timestamp(newest).after(minus(now, -AHEAD_TOLERANCE.toMillis()))) {
            problems.add(table + "." + column + " holds " + timestamp(newest) + ", ahead of the source's clock (" + now + "):"
                    + " its times are not in the hub's time zone (" + java.time.ZoneId.systemDefault() + "), so the late-commit"
                    + " window does not hold; run the hub in the department's time zone (user.timezone)");
        }
        activity.problem(sourceId, problems.isEmpty() ? null : String.join("; ", problems));
    }

    // ------------------------------------------------------------------ operators (SourceMarks)

    @Override
    public boolean handles(String sourceId) {
        return !hub.queryForList("SELECT source_id FROM sql_change_mark WHERE source_id = ?", String.class, sourceId).isEmpty();
    }

    @Override
    public Map<String, Object> inspect(String sourceId) {
        Map<String, Object> m = new LinkedHashMap<>();
        hub.queryForList("SELECT * FROM sql_change_mark WHERE source_id = ?", sourceId).stream().findFirst().ifPresent(row -> {
            m.put("mode", "poll");
            m.put("head", Position.of((String) row.get("head_at"), (String) row.get("head_key")).toString());
            m.put("headMovedAt", String.valueOf(row.get("head_moved_at")));
            m.put("tail", Position.of((String) row.get("tail_at"), (String) row.get("tail_key")).toString());
            m.put("tailMovedAt", String.valueOf(row.get("tail_moved_at")));
        });
        return m;
    }

    /** Reads again everything changed at or after {@code to} (head and tail both go back); repeats are recognised downstream. */
    @Override
    public Move rewind(String sourceId, OffsetDateTime to) {
        Marks marks = marks(sourceId).orElseThrow(() -> new IllegalArgumentException("source " + sourceId + " has not read anything yet"));
        // the source's columns hold local time (China Standard Time, like Converters.dateTime), one microsecond before 'to'
        Timestamp at = Timestamp.valueOf(to.atZoneSameInstant(java.time.ZoneId.systemDefault()).toLocalDateTime().minusNanos(1000));
        Position head = new Position(at, null);
        Position tail = marks.tail().compareTo(head) < 0 ? marks.tail() : head;
        hub.update("UPDATE sql_change_mark SET head_at = ?, head_key = ?, tail_at = ?, tail_key = ?, head_moved_at = ?,"
                + " tail_moved_at = ? WHERE source_id = ?", head.atText(), head.keyText(), tail.atText(), tail.keyText(), nowTs(),
                nowTs(), sourceId);
        return new Move("head " + marks.head() + ", tail " + marks.tail(), "head " + head + ", tail " + tail);
    }

    @Override
    public Move skip(String sourceId, String itemKey) {
        throw new UnsupportedOperationException("a SQL source reads every row and sets none aside by itself: a row it cannot"
                + " share is in quarantine already; correct it there (and replay), or in the department's table");
    }

    /** The head's key, for tests and the benchmark: how far a source has read. */
    public Optional<Position> head(String sourceId) {
        return marks(sourceId).map(Marks::head);
    }

    // ------------------------------------------------------------------ helpers

    private Optional<Marks> marks(String sourceId) {
        return hub.query("SELECT head_at, head_key, tail_at, tail_key FROM sql_change_mark WHERE source_id = ?",
                (rs, i) -> new Marks(Position.of(rs.getString(1), rs.getString(2)), Position.of(rs.getString(3), rs.getString(4))),
                sourceId).stream().findFirst();
    }

    static void bind(Exchange exchange, Position p) {
        // camel-sql looks each named parameter up in the body first, converted to a Map: the page before's
        // rows (a List) do not convert, and each failed try walked the type hierarchy (2% of the hub's CPU)
        exchange.getMessage().setBody(null);
        exchange.getMessage().setHeader(AT, p.at());
        exchange.getMessage().setHeader(KEY, p.key());
    }

    static Position position(Exchange exchange, Map<String, Object> row) {
        String changed = exchange.getProperty(CHANGED_COLUMN, String.class);
        String keyColumn = exchange.getProperty(KEY_COLUMN, String.class);
        Object at = RowKeys.value(row, changed);
        Object key = RowKeys.value(row, keyColumn);
        if (at == null || key == null) {
            // the query orders by both and reads no NULL change time; a NULL key cannot be a place to continue from
            throw new IllegalStateException("the last row of the page has no " + (at == null ? changed : keyColumn));
        }
        return new Position(timestamp(at), Position.key(key));
    }

    static Timestamp timestamp(Object value) {
        if (value instanceof Timestamp t) {
            return t;
        }
        if (value instanceof java.time.LocalDateTime l) {
            return Timestamp.valueOf(l);
        }
        if (value instanceof OffsetDateTime o) {
            return Timestamp.valueOf(o.atZoneSameInstant(java.time.ZoneId.systemDefault()).toLocalDateTime());
        }
        if (value instanceof java.sql.Date || value instanceof java.time.LocalDate) {
            // a day cannot order the rows written in it: a row written later that day with a lower key would be passed over
            throw new IllegalStateException("the change column holds dates, not times; name a TIMESTAMP/DATETIME column as changedColumn");
        }
        if (value instanceof java.util.Date d) {
            return new Timestamp(d.getTime());
        }
        throw new IllegalStateException("the change column holds " + value.getClass().getSimpleName()
                + ", not a timestamp; name a TIMESTAMP/DATETIME column as changedColumn");
    }

    private Timestamp sourceNow(String sourceId) {
        return timestamp(source(sourceId).queryForObject("SELECT LOCALTIMESTAMP", Object.class));
    }

    private JdbcTemplate source(String sourceId) {
        DataSource pool = camel.getRegistry().lookupByNameAndType(sourceId, DataSource.class);
        if (pool == null) {
            throw new IllegalStateException("source " + sourceId + " has no connection pool");
        }
        return new JdbcTemplate(pool);
    }

    private static Timestamp minus(Timestamp t, long millis) {
        Timestamp r = new Timestamp(t.getTime() - millis);
        r.setNanos(t.getNanos());
        return r;
    }

    private static long lateWindow(Exchange exchange) {
        return Long.parseLong(exchange.getProperty(LATE_WINDOW, String.class).strip());
    }

    private static int pageSize(Exchange exchange) {
        return Integer.parseInt(exchange.getProperty("govhubMaxRows", String.class).strip());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(Exchange exchange) {
        List<Map<String, Object>> rows = exchange.getMessage().getBody(List.class);
        return rows == null ? List.of() : rows;
    }

    private static Timestamp nowTs() {
        return Timestamp.from(Instant.now());
    }

    private static String sourceId(Exchange exchange) {
        return exchange.getProperty(RecordNormaliser.SOURCE_ID, String.class);
    }
}
