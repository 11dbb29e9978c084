package org.govhub.ingest;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalQueries;
import java.util.Map;
import java.util.Objects;
import org.govhub.normalise.Converters;
import org.govhub.normalise.IdentityNumbers;

/**
 * What places an item of a REST source in the source's order: its updatedAt, written in the format
 * the source declares ({@code updatedAtFormat} of the route template), a real calendar time, and not
 * later than the hub's clock plus {@code maxFutureSkew}. Only such a time may become the source's
 * mark; an item whose time breaks the rule is refused with a reason naming the field, the value and
 * the rule, and goes to quarantine. (Pure logic, no I/O.)
 *
 * <p>The format is the name of a {@link DateTimeFormatter} ISO constant ({@code ISO_OFFSET_DATE_TIME},
 * {@code ISO_INSTANT}, {@code ISO_LOCAL_DATE_TIME}, {@code ISO_DATE_TIME}, {@code ISO_ZONED_DATE_TIME}),
 * {@code EPOCH_MILLIS}, or a {@link DateTimeFormatter} pattern such as {@code yyyy-MM-dd HH:mm:ss};
 * every one is read strictly (no 2020-02-30, no hour 24). A time without an offset is Beijing time.
 */
public final class UpdatedAtRule {

    /** What the sandbox APIs write and the API contract in docs/connect-a-rest-api.md asks for. */
    public static final String DEFAULT_FORMAT = "ISO_OFFSET_DATE_TIME";
    public static final String EPOCH_MILLIS = "EPOCH_MILLIS";

    private static final Map<String, DateTimeFormatter> ISO = Map.of(
            "ISO_OFFSET_DATE_TIME", DateTimeFormatter.ISO_OFFSET_DATE_TIME,
            "ISO_INSTANT", DateTimeFormatter.ISO_INSTANT,
            "ISO_LOCAL_DATE_TIME", DateTimeFormatter.ISO_LOCAL_DATE_TIME,
            "ISO_DATE_TIME", DateTimeFormatter.ISO_DATE_TIME,
            "ISO_ZONED_DATE_TIME", DateTimeFormatter.ISO_ZONED_DATE_TIME);
    private static final int MAX_QUOTED = 80;

    /** The outcome for one item: its time in the order, or why it has none. */
    public sealed interface Placement permits Placed, Refused {
    }

    /** A valid updatedAt: the text as the source wrote it (stripped) and the instant it names. */
    public record Placed(String text, Instant at) implements Placement {
    }

    /** An updatedAt that cannot place the item, with the reason (field, value, rule). */
    public record Refused(String reason) implements Placement {
    }

    private final String format;
    private final DateTimeFormatter formatter; // null for EPOCH_MILLIS
    private final Duration maxFutureSkew;

    /**
     * @throws IllegalArgumentException when {@code format} is neither a known name nor a valid pattern
     */
    public UpdatedAtRule(String format, Duration maxFutureSkew) {
        this.format = format == null || format.isBlank() ? DEFAULT_FORMAT : format.strip();
        this.maxFutureSkew = Objects.requireNonNull(maxFutureSkew, "maxFutureSkew");
        if (maxFutureSkew.isNegative()) {
            throw new IllegalArgumentException("maxFutureSkew must not be negative: " + maxFutureSkew);
        }
        this.formatter = EPOCH_MILLIS.equals(this.format) ? null : formatter(this.format);
    }

    private static DateTimeFormatter formatter(String format) {
        DateTimeFormatter iso = ISO.get(format);
        if (iso != null) {
            return iso; // the ISO constants resolve strictly already
        }
        try {
            // STRICT refuses 2020-02-30; a pattern's 'yyyy' (year of era) then needs the era, which is ours
            return new DateTimeFormatterBuilder().appendPattern(format).parseDefaulting(ChronoField.ERA, 1)
                    .toFormatter().withResolverStyle(ResolverStyle.STRICT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("updatedAtFormat '" + format + "' is neither one of " + ISO.keySet() + ", "
                    + EPOCH_MILLIS + " nor a date-time pattern: " + e.getMessage());
        }
    }

    public String format() {
        return format;
    }

    public Duration maxFutureSkew() {
        return maxFutureSkew;
    }

    /**
     * Places an item by the value of its updatedAt field ({@code field} names it in the reason);
     * {@code now} is the hub's clock for the future check.
     */
    public Placement place(String field, Object value, Instant now) {
        if (value == null) {
            return new Refused(field + " is missing: an item is placed in the source's order only by it");
        }
        if (value instanceof Map<?, ?> || value instanceof Iterable<?> || value instanceof Boolean) {
            return new Refused(field + " " + quote(String.valueOf(value)) + " is not a time but "
                    + (value instanceof Map<?, ?> ? "an object" : value instanceof Boolean ? "a boolean" : "a list")
                    + " (the source's format is " + format + ")");
        }
        String text = value.toString().strip();
        if (text.isEmpty()) {
            return new Refused(field + " is empty: an item is placed in the source's order only by it");
        }
        Instant at;
        try {
            at = parse(text);
        } catch (DateTimeException | ArithmeticException | NumberFormatException e) {
            return new Refused(field + " " + quote(text) + " is not a real time in the source's format " + format + " ("
                    + shortMessage(e) + ")");
        }
        Instant latest = now.plus(maxFutureSkew);
        if (at.isAfter(latest)) {
            return new Refused(field + " " + quote(text) + " lies in the future: later than the hub's clock plus "
                    + maxFutureSkew.toString().substring(2).toLowerCase() + " (" + latest + "), so it cannot be the source's mark");
        }
        return new Placed(text, at);
    }

    /**
     * The instant a text in the source's format names (the stored mark, an item's updatedAt).
     *
     * @throws DateTimeException when it is not a real time in this format
     */
    public Instant parse(String text) {
        if (formatter == null) {
            if (!text.matches("-?\\d{1,19}")) {
                throw new DateTimeException("not a whole number of milliseconds");
            }
            return Instant.ofEpochMilli(Long.parseLong(text));
        }
        TemporalAccessor t = formatter.parse(text);
        if (t.isSupported(ChronoField.INSTANT_SECONDS)) {
            return Instant.from(t);
        }
        LocalDate date = t.query(TemporalQueries.localDate());
        if (date == null) {
            throw new DateTimeException("no date in '" + text + "'");
        }
        LocalDateTime local = t.query(TemporalQueries.localTime()) == null ? date.atStartOfDay()
                : date.atTime(t.query(TemporalQueries.localTime()));
        return local.atOffset(Converters.CHINA).toInstant(); // no offset written: Beijing time
    }

    /** An instant in the source's format (an operator's rewind becomes a mark the source understands). */
    public String write(Instant at) {
        return formatter == null ? Long.toString(at.toEpochMilli()) : formatter.withZone(Converters.CHINA).format(at);
    }

    /** The rule in words, for docs/connect-a-rest-api.md, logs and the admin API. */
    @Override
    public String toString() {
        return "updatedAt in " + format + ", a real time, at most " + maxFutureSkew.toString().substring(2).toLowerCase()
                + " ahead of the hub's clock";
    }

    /** A value as it appears in a reason: quoted, shortened, identity numbers masked (reasons are logged and listed). */
    static String quote(String value) {
        String v = value.length() > MAX_QUOTED ? value.substring(0, MAX_QUOTED) + "…" : value;
        return "'" + IdentityNumbers.maskAll(v) + "'";
    }

    private static String shortMessage(RuntimeException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        // "Text '…' could not be parsed: Invalid value for DayOfMonth …": the value is quoted already, keep the rest
        int quoted = m.lastIndexOf("' could not be parsed");
        String detail = m.startsWith("Text '") && quoted > 0 ? m.substring(quoted + 2) : m;
        if (detail.startsWith("could not be parsed: ")) {
            detail = detail.substring("could not be parsed: ".length());
        }
        return IdentityNumbers.maskAll(detail.length() > 160 ? detail.substring(0, 160) + "…" : detail);
    }
}
