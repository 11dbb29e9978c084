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
import java.util.List;
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
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private static final Map<String, Converter> CONVERTERS = new TreeMap<>(Map.of(
            "text", (raw, t) -> JSON.textNode(text(raw)),
            "identifier", (raw, t) -> JSON.textNode(WHITESPACE.matcher(text(raw)).replaceAll("").toUpperCase()),
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
    private static final List<Pattern> DATES = List.of(ISO_DATE, COMPACT_DATE, SLASH_DATE, CHINESE_DATE);
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
        for (Pattern p : DATES) {
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
    private static final List<Pattern> DATE_TIMES = List.of(LOCAL_DATE_TIME, CHINESE_DATE_TIME, COMPACT_DATE_TIME);
    private static final Pattern EPOCH_MILLIS = Pattern.compile("\\d{13}");
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
        if (EPOCH_MILLIS.matcher(s).matches()) {
            return Instant.ofEpochMilli(Long.parseLong(s)).atOffset(CHINA);
        }
        try {
            return OffsetDateTime.parse(s).toInstant().atOffset(CHINA);
        } catch (DateTimeParseException e) {
            // not ISO with an offset: try the local forms
        }
        for (Pattern p : DATE_TIMES) {
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
     * rather than rounded, because a rounded tax amount is a wrong tax amount. What counts as an
     * amount is {@link #number}'s rule.
     *
     * @param scale decimal places from the unit to fen (2 for 元, 6 for 万元)
     */
    static long fen(Object raw, int scale, String unit) {
        BigDecimal fen = number(raw, unit).movePointRight(scale);
        try {
            return fen.setScale(0, java.math.RoundingMode.UNNECESSARY).longValueExact();
        } catch (ArithmeticException e) {
            throw new ConversionException("'" + text(raw) + "' " + unit + " is not a whole number of fen");
        }
    }

    static BigInteger integer(Object raw) {
        BigDecimal n = number(raw, null);
        try {
            return n.toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw new ConversionException("'" + text(raw) + "' is not a whole number");
        }
    }

    /** Digits, and thousands commas only between groups of three before the decimal point. */
    private static final Pattern NUMBER = Pattern.compile("(\\d+|[1-9]\\d{0,2}(?:,\\d{3})+)(?:\\.(\\d+))?");
    static final String NUMBER_FORMS = "1230.50, 1,230.50, ¥1,230.50, 1230.50元, -1230.50";
    /** 1.230, 12.000: a point where some write thousands separators (1.230 = 1230). */
    private static final Pattern THOUSANDS_POINT = Pattern.compile("[1-9]\\d{0,2}\\.\\d{3}");

    /**
     * The one rule for numbers written as text (the amount converters and {@code integer}): a number
     * is taken only when it can be read one way, and refused with the reason otherwise, never guessed.
     * Taken: digits with an optional decimal point ({@code 1230.50}); thousands separators only as
     * commas between groups of three digits before the point ({@code 1,230.50}, {@code 12,345}); a
     * sign; full-width digits and punctuation ({@code １，２３０．５０}) as their ASCII forms; for
     * money a leading ¥ or ￥ and the unit after it ({@code 元}, {@code 万元}). Refused: a decimal
     * comma ({@code 12,30}), other groupings ({@code 1,2345}, {@code 0,123}), European style
     * ({@code 1.234,56}, and {@code 1.230}: one point before exactly three digits), spaces or other
     * marks inside ({@code 1 234,5}, {@code 1'234}), exponents, brackets. Numbers from a database or JSON are taken as they are (a NaN or infinity is refused).
     *
     * @param unit the unit a money value may end in, or null for a plain number
     */
    static BigDecimal number(Object raw, String unit) {
        String what = unit == null ? "a number" : "an amount in " + unit;
        if (raw instanceof BigDecimal bd) {
            return bd;
        }
        if (raw instanceof BigInteger bi) {
            return new BigDecimal(bi);
        }
        if (raw instanceof Long || raw instanceof Integer || raw instanceof Short || raw instanceof Byte) {
            return BigDecimal.valueOf(((Number) raw).longValue());
        }
        if (raw instanceof Number n) {
            if (!Double.isFinite(n.doubleValue())) {
                throw new ConversionException("'" + n + "' is not " + what + ": not a finite number");
            }
            return new BigDecimal(n.toString());
        }
        String original = text(raw);
        String s = asciiForms(original);
        if (unit != null && s.endsWith(unit)) {
            s = s.substring(0, s.length() - unit.length()).strip();
        }
        String sign = "";
        if (s.startsWith("+") || s.startsWith("-")) {
            sign = s.substring(0, 1);
            s = s.substring(1).strip();
        }
        if (unit != null && s.startsWith("¥")) {
            s = s.substring(1).strip();
            if (sign.isEmpty() && (s.startsWith("+") || s.startsWith("-"))) {
                sign = s.substring(0, 1);
                s = s.substring(1).strip();
            }
        }
        if (THOUSANDS_POINT.matcher(s).matches()) {
            throw new ConversionException("'" + original + "' is not " + what + ": one point before exactly three digits ("
                    + s + ") may be a decimal point or a thousands separator (" + s.replace(".", "") + "), so it is not guessed;"
                    + " write " + s.replaceAll("0+$", "").replaceAll("\\.$", "") + " or " + s.replace(".", ""));
        }
        Matcher m = NUMBER.matcher(s);
        if (!m.matches()) {
            throw new ConversionException("'" + original + "' is not " + what + ": " + whyNot(s)
                    + " (accepted: " + (unit == null ? "1230, 1,230, -12" : NUMBER_FORMS) + ")");
        }
        return new BigDecimal(sign + m.group(1).replace(",", "") + (m.group(2) == null ? "" : "." + m.group(2)));
    }

    /** Full-width forms (U+FF01–U+FF5E: digits, comma, point, signs, ￥ U+FFE5) and the minus sign as ASCII. */
    private static String asciiForms(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(c >= '\uFF01' && c <= '\uFF5E' ? (char) (c - 0xFEE0) : c == '\uFFE5' ? '¥' : c == '\u2212' ? '-' : c);
        }
        return out.toString().strip();
    }

    /** Why a text is not a number in the accepted forms, for the quarantine reason. */
    private static String whyNot(String s) {
        if (s.isEmpty() || s.chars().noneMatch(Character::isDigit)) {
            return "it has no digits";
        }
        if (s.chars().anyMatch(Character::isWhitespace)) {
            return "it has a space inside the number, which may be a digit group or a break between two numbers, so it is not guessed";
        }
        int comma = s.indexOf(',');
        int point = s.indexOf('.');
        if (comma >= 0 && point >= 0 && s.lastIndexOf(',') > point) {
            return "it has a comma after the decimal point (as 1.234,56 is written where the comma is the decimal mark);"
                    + " only a decimal point is accepted, so the amount is ambiguous";
        }
        if (point >= 0 && s.indexOf('.', point + 1) >= 0) {
            return "it has more than one point (1.234.567 groups digits with points; only commas group digits here)";
        }
        if (comma >= 0) {
            String whole = point >= 0 ? s.substring(0, point) : s;
            if (whole.matches("\\d+(,\\d+)+")) {
                if (whole.startsWith("0")) {
                    return "it starts with 0 before a comma ('0,123' reads as a decimal comma), so it is ambiguous";
                }
                return "a comma must separate groups of exactly three digits before the decimal point (1,230.50);"
                        + " here it could be a decimal comma (12,30 = 12.30) or a misplaced separator (1230), so it is not guessed";
            }
        }
        if (s.matches("\\d*\\.\\d*")) {
            return "its decimal point needs digits on both sides";
        }
        if (s.matches("[\\d.,]+[eE][+-]?\\d+")) {
            return "it is written with an exponent";
        }
        if (s.startsWith("(") && s.endsWith(")")) {
            return "brackets do not say whether it is negative here; write a minus sign";
        }
        return "it has characters that are not digits, one sign, thousands commas and a decimal point";
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
