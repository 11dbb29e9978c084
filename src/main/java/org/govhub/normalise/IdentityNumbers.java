package org.govhub.normalise;

import java.time.DateTimeException;
import java.time.LocalDate;

/**
 * Resident identity number 公民身份号码 (GB 11643-1999): 6-digit division code, 8-digit birth date,
 * 3-digit sequence, and an ISO 7064 MOD 11-2 check character (0–9 or X). Personal data: only
 * {@link #mask(String)}ed forms go into messages and logs.
 */
public final class IdentityNumbers {

    private static final int[] WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    private static final String CHECK = "10X98765432";

    private IdentityNumbers() {
    }

    public static char checkCharacter(String first17) {
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += (first17.charAt(i) - '0') * WEIGHTS[i];
        }
        return CHECK.charAt(sum % 11);
    }

    /** Why the number is not a valid GB 11643 number, or null when it is. */
    public static String problem(String id, LocalDate today) {
        if (id.length() != 18) {
            return "must have 18 characters, has " + id.length();
        }
        for (int i = 0; i < 17; i++) {
            if (!Character.isDigit(id.charAt(i))) {
                return "position " + (i + 1) + " must be a digit";
            }
        }
        try {
            LocalDate birth = LocalDate.of(Integer.parseInt(id.substring(6, 10)), Integer.parseInt(id.substring(10, 12)),
                    Integer.parseInt(id.substring(12, 14)));
            if (birth.isAfter(today) || birth.getYear() < 1880) {
                return "birth date " + birth + " is impossible";
            }
        } catch (DateTimeException e) {
            return "birth date part is not a calendar date";
        }
        char expected = checkCharacter(id.substring(0, 17));
        if (id.charAt(17) != expected) {
            return "check character does not match (ISO 7064 MOD 11-2)";
        }
        return null;
    }

    /** 18-character numbers (check character 0–9, X or x) and the older 15-digit ones, with a plausible birth date. */
    private static final java.util.regex.Pattern LOOKS_LIKE = java.util.regex.Pattern.compile(
            "(?<![0-9A-Za-z])(\\d{6})(?:((?:19|20)\\d{2}(?:0[1-9]|1[0-2])\\d{2}\\d{3})([0-9Xx])"
                    + "|(\\d{2}(?:0[1-9]|1[0-2])\\d{2}\\d{3}))(?![0-9A-Za-z])");

    /**
     * Masks everything in a text that looks like an identity number (18 characters, or the older
     * 15 digits, with a plausible birth date), for views and messages where the reader has no right
     * to them. Errs on the side of masking: the region and the last two characters stay.
     */
    public static String maskAll(String text) {
        return text == null ? null : LOOKS_LIKE.matcher(text).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
                mask(m.group())));
    }

    /** Region and last two characters kept, the rest starred: 360102**********1X. */
    public static String mask(String id) {
        if (id == null || id.length() < 8) {
            return "****";
        }
        return id.substring(0, 6) + "*".repeat(id.length() - 8) + id.substring(id.length() - 2);
    }
}
