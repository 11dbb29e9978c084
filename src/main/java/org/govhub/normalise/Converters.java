package org.govhub.normalise;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.YearMonth;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The named converters a mapping file may use ({@code convert: date}). Each turns a raw
 * departmental value into its canonical JSON value or throws {@link ConversionException} with a
 * message that tells an operator what was wrong.
 */
public final class Converters {

    /** Converts one raw value; {@code codeTable} is only given to the {@code code} converter. */
    @FunctionalInterface
    public interface Converter {
        JsonNode convert(Object raw, Map<String, String> codeTable);
    }

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private static final Map<String, Converter> CONVERTERS = new TreeMap<>(Map.of(
            "text", (raw, t) -> JSON.textNode(text(raw)),
            "identifier", (raw, t) -> JSON.textNode(text(raw).replaceAll("\\s+", "").toUpperCase()),
            "date", (raw, t) -> JSON.textNode(date(raw).toString()),
            "datetime", (raw, t) -> JSON.textNode(dateTime(raw).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)),
            "period", (raw, t) -> JSON.textNode(period(raw).toString()),
            "yuan-to-fen", (raw, t) -> JSON.numberNode(fen(raw, 2, "元")),
            "wan-yuan-to-fen", (raw, t) -> JSON.numberNode(fen(raw, 6, "万元")),
            "integer", (raw, t) -> JSON.numberNode(integer(raw)),
            "flag", (raw, t) -> JSON.booleanNode(flag(raw)),
            "code", Converters::code));

    private Converters() {
    }

    public static Set<String> names() {
        return CONVERTERS.keySet();
    }

    public static boolean exists(String name) {
        return CONVERTERS.containsKey(name);
    }

    /**
     * Converts a raw value. A null or blank raw value gives null: whether that is allowed is the
     * schema's decision, not the converter's.
     */
    public static JsonNode convert(String name, Object raw, Map<String, String> codeTable) {
        Converter converter = CONVERTERS.get(name);
        if (converter == null) {
            throw new IllegalArgumentException("unknown converter '" + name + "'");
        }
        if (raw == null || (raw instanceof CharSequence s && s.toString().isBlank())) {
            return null;
        }
        return converter.convert(raw, codeTable);
    }

    static String text(Object raw) {
        return raw.toString().strip();
    }

    private static final Pattern ISO_DATE = Pattern.compile("(\\d{4})-(\\d{1,2})-(\\d{1,2})(?:[ T].*)?");
    private static final Pattern COMPACT_DATE = Pattern.compile("(\\d{4})(\\d{2})(\\d{2})");
    private static final Pattern SLASH_DATE = Pattern.compile("(\\d{4})/(\\d{1,2})/(\\d{1,2})(?: .*)?");
    private static final Pattern CHINESE_DATE = Pattern.compile("(\\d{4})年(\\d{1,2})月(\\d{1,2})日");
    static final String DATE_FORMATS = "2020-02-10, 20200210, 2020/2/10, 2020年2月10日";

    static LocalDate date(Object raw) {
        if (raw instanceof java.sql.Date d) {
            return d.toLocalDate();
        }
        if (raw instanceof Timestamp ts) {
            return ts.toLocalDateTime().toLocalDate();
        }
        if (raw instanceof LocalDate d) {
            return d;
        }
        if (raw instanceof LocalDateTime dt) {
            return dt.toLocalDate();
        }
        String s = text(raw);
        for (Pattern p : new Pattern[] {ISO_DATE, COMPACT_DATE, SLASH_DATE, CHINESE_DATE}) {
            Matcher m = p.matcher(s);
            if (m.matches()) {
                try {
                    return LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                            Integer.parseInt(m.group(3)));
                } catch (DateTimeException e) {
                    throw new ConversionException("'" + s + "' is not a calendar date (" + e.getMessage() + ")");
                }
            }
        }
        throw new ConversionException("'" + s + "' is not a date in a known format (" + DATE_FORMATS + ")");
    }

    /** China Standard Time (no daylight saving): the zone of a departmental time written without one. */
    public static final ZoneOffset CHINA = ZoneOffset.ofHours(8);
    private static final Pattern LOCAL_DATE_TIME = Pattern.compile(
            "(\\d{4})[-/](\\d{1,2})[-/](\\d{1,2})[ T](\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?");
    private static final Pattern CHINESE_DATE_TIME = Pattern.compile(
            "(\\d{4})年(\\d{1,2})月(\\d{1,2})日\\s*(\\d{1,2})[:时](\\d{2})分?(?:[:]?(\\d{2})秒?)?");
    private static final Pattern COMPACT_DATE_TIME = Pattern.compile("(\\d{4})(\\d{2})(\\d{2})(\\d{2})(\\d{2})(\\d{2})");
    static final String DATE_TIME_FORMATS = "2020-02-10T09:30:00+08:00, 2020-02-10 09:30[:00], 2020/2/10 9:30, "
            + "2020年2月10日 9:30, 20200210093000, epoch milliseconds";

    /**
     * A point in time, as the canonical ISO form at +08:00 with seconds ({@code 2020-02-10T09:30:00+08:00}),
     * so that one instant always has one text. A time written without an offset is China Standard Time.
     */
    public static OffsetDateTime dateTime(Object raw) {
        if (raw instanceof Timestamp ts) {
            return ts.toLocalDateTime().atOffset(CHINA); // a database time without zone: China Standard Time
        }
        if (raw instanceof OffsetDateTime odt) {
            return odt.toInstant().atOffset(CHINA);
        }
        if (raw instanceof LocalDateTime ldt) {
            return ldt.atOffset(CHINA);
        }
        if (raw instanceof Number n && n.longValue() > 100_000_000_000L) {
            return Instant.ofEpochMilli(n.longValue()).atOffset(CHINA);
        }
        String s = text(raw);
        if (s.matches("\\d{13}")) {
            return Instant.ofEpochMilli(Long.parseLong(s)).atOffset(CHINA);
        }
        try {
            return OffsetDateTime.parse(s).toInstant().atOffset(CHINA);
        } catch (DateTimeParseException e) {
            // not ISO with an offset: try the local forms
        }
        for (Pattern p : new Pattern[] {LOCAL_DATE_TIME, CHINESE_DATE_TIME, COMPACT_DATE_TIME}) {
            Matcher m = p.matcher(s);
            if (m.matches()) {
                try {
                    // fractions of a second are kept: they order changes made within one second
                    int nanos = p == LOCAL_DATE_TIME && m.group(7) != null
                            ? Integer.parseInt((m.group(7) + "000000000").substring(0, 9)) : 0;
                    return LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                            Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
                            m.group(6) == null ? 0 : Integer.parseInt(m.group(6)), nanos).atOffset(CHINA);
                } catch (DateTimeException e) {
                    throw new ConversionException("'" + s + "' is not a real date and time (" + e.getMessage() + ")");
                }
            }
        }
        throw new ConversionException("'" + s + "' is not a date and time in a known format (" + DATE_TIME_FORMATS + ")");
    }

    private static final Pattern PERIOD = Pattern.compile("(\\d{4})(?:-|/|年)?(\\d{1,2})月?");

    static YearMonth period(Object raw) {
        String s = text(raw);
        Matcher m = PERIOD.matcher(s);
        if (m.matches()) {
            int month = Integer.parseInt(m.group(2));
            if (month >= 1 && month <= 12) {
                return YearMonth.of(Integer.parseInt(m.group(1)), month);
            }
        }
        throw new ConversionException("'" + s + "' is not a period (accepted: 202002, 2020-02, 2020年2月)");
    }

    /**
     * Money to fen (分), exactly: an amount with more decimals than a fen can hold is refused
     * rather than rounded, because a rounded tax amount is a wrong tax amount.
     *
     * @param scale decimal places from the unit to fen (2 for 元, 6 for 万元)
     */
    static long fen(Object raw, int scale, String unit) {
        BigDecimal amount;
        if (raw instanceof BigDecimal bd) {
            amount = bd;
        } else if (raw instanceof Number n) {
            amount = new BigDecimal(n.toString());
        } else {
            String s = text(raw).replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
                    .replace(unit, "").replace(" ", "");
            try {
                amount = new BigDecimal(s);
            } catch (NumberFormatException e) {
                throw new ConversionException("'" + text(raw) + "' is not an amount in " + unit);
            }
        }
        BigDecimal fen = amount.movePointRight(scale);
        try {
            return fen.setScale(0, java.math.RoundingMode.UNNECESSARY).longValueExact();
        } catch (ArithmeticException e) {
            throw new ConversionException("'" + text(raw) + "' " + unit + " is not a whole number of fen");
        }
    }

    static BigInteger integer(Object raw) {
        String s = text(raw).replace(",", "");
        try {
            return new BigDecimal(s).toBigIntegerExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new ConversionException("'" + s + "' is not a whole number");
        }
    }

    static boolean flag(Object raw) {
        if (raw instanceof Boolean b) {
            return b;
        }
        String s = text(raw).toUpperCase();
        return switch (s) {
            case "Y", "YES", "1", "TRUE", "T", "是" -> true;
            case "N", "NO", "0", "FALSE", "F", "否" -> false;
            default -> throw new ConversionException("'" + text(raw) + "' is not a yes/no flag (Y/N, 1/0, 是/否)");
        };
    }

    private static JsonNode code(Object raw, Map<String, String> table) {
        String s = text(raw);
        String mapped = table == null ? null : table.get(s);
        if (mapped == null) {
            throw new ConversionException("'" + s + "' is not in the code table (known: "
                    + (table == null ? "none" : String.join(", ", new TreeMap<>(table).keySet())) + ")");
        }
        return JSON.textNode(mapped);
    }
}
