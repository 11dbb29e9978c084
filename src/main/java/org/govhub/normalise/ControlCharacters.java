package org.govhub.normalise;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one rule on control characters, for the rows of every source (SQL, REST, files, change
 * capture): a value may hold tab, line feed and carriage return, and no other control character
 * (Unicode category Cc: C0 U+0000–U+001F, DEL U+007F, C1 U+0080–U+009F), nor half of a surrogate
 * pair. Such a row is quarantined with the field and the code point, never stripped or replaced:
 * the department's row stays as it was sent, for an operator to correct and replay. Applied by
 * {@link RecordNormaliser} to the raw row, nested maps and lists included, before any converter
 * (converters strip whitespace, and Java counts U+001C–U+001F as whitespace).
 */
public final class ControlCharacters {

    private ControlCharacters() {
    }

    /** A code point a value may not hold. */
    public static boolean forbidden(int codePoint) {
        // the ranges of Unicode categories Cc and Cs, spelt out: two Character.getType look-ups per character cost more than the check
        return codePoint < 0x20 ? codePoint != '\t' && codePoint != '\n' && codePoint != '\r'
                : codePoint >= 0x7F && codePoint <= 0x9F || codePoint >= 0xD800 && codePoint <= 0xDFFF;
    }

    /** The first forbidden code point of a text, or -1. */
    public static int first(CharSequence text) {
        return text.codePoints().filter(ControlCharacters::forbidden).findFirst().orElse(-1);
    }

    /**
     * One reason per field (or field name) that holds a forbidden character: its path
     * ({@code enterprise.name}, {@code items[2]}), the first such character and where, and how many.
     *
     * @param notValues columns the hub added to the row (where it came from), not the department's values
     */
    public static List<String> check(Map<?, ?> row, java.util.Set<String> notValues) {
        List<String> reasons = new ArrayList<>();
        row.forEach((k, v) -> {
            if (!notValues.contains(String.valueOf(k))) {
                check("", k, v, reasons);
            }
        });
        return reasons;
    }

    /** A field of an object at {@code path}: its name, then its value. */
    private static void check(String path, Object name, Object value, List<String> reasons) {
        String key = String.valueOf(name);
        String at = path.isEmpty() ? key : path + "." + key;
        String problem = problem(key);
        if (problem != null) {
            reasons.add("field name '" + escape(at) + "' " + problem);
        }
        check(at, value, reasons);
    }

    private static void check(String path, Object value, List<String> reasons) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> check(path, k, v, reasons));
        } else if (value instanceof Collection<?> list) {
            int i = 0;
            for (Object v : list) {
                check(path + "[" + i++ + "]", v, reasons);
            }
        } else if (value instanceof Object[] array) {
            for (int i = 0; i < array.length; i++) {
                check(path + "[" + i + "]", array[i], reasons);
            }
        } else if (value instanceof CharSequence || value instanceof Character) {
            String problem = problem(value.toString());
            if (problem != null) {
                reasons.add("'" + escape(path) + "' " + problem);
            }
        }
    }

    /** Null for a text without forbidden characters, else what is wrong with it. */
    private static String problem(String text) {
        int count = 0;
        int first = -1;
        int at = -1;
        int index = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (forbidden(cp)) {
                count++;
                if (first < 0) {
                    first = cp;
                    at = index;
                }
            }
            i += Character.charCount(cp);
            index++;
        }
        if (count == 0) {
            return null;
        }
        return "holds " + name(first) + " at character " + (at + 1) + " of " + index
                + (count > 1 ? " (" + count + " such characters in all)" : "")
                + "; control characters other than tab, line feed and carriage return are not accepted";
    }

    /** {@code U+0001 START OF HEADING}, {@code U+D800 (half of a surrogate pair, not a character)}. */
    public static String name(int codePoint) {
        String code = String.format(Locale.ROOT, "U+%04X", codePoint);
        if (Character.getType(codePoint) == Character.SURROGATE) {
            return code + " (half of a surrogate pair, not a character)";
        }
        String name = Character.getName(codePoint);
        return name == null ? code : code + " " + name;
    }

    /**
     * Text for logs and reasons: every control character and unpaired surrogate written as
     * {@code \u001B}, tab, line feed and carriage return too (a reason is one line), so that a
     * department's bytes never reach a terminal or a log file raw.
     */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean lone = Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) && !(Character.isLowSurrogate(c) && i > 0
                            && Character.isHighSurrogate(text.charAt(i - 1)));
            if (Character.getType(c) == Character.CONTROL || lone) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 8).append(text, 0, i);
                }
                out.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }
}
