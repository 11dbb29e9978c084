package org.govhub.normalise;

/**
 * Unified social credit code 统一社会信用代码 (GB 32100-2015): 18 characters from the code
 * alphabet, the last a check character over the first 17.
 */
public final class CreditCodes {

    static final String ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static final int[] WEIGHTS = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

    private CreditCodes() {
    }

    /** The check character for the first 17 characters, or -1 when one is outside the alphabet. */
    public static int checkCharacterIndex(String first17) {
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            int v = ALPHABET.indexOf(first17.charAt(i));
            if (v < 0) {
                return -1;
            }
            sum += v * WEIGHTS[i];
        }
        return (31 - sum % 31) % 31;
    }

    public static char checkCharacter(String first17) {
        int index = checkCharacterIndex(first17);
        if (index < 0) {
            throw new IllegalArgumentException("not a credit code body: " + first17);
        }
        return ALPHABET.charAt(index);
    }

    /** Why the code is not a valid GB 32100 code, or null when it is. */
    public static String problem(String code) {
        if (code.length() != 18) {
            return "must have 18 characters, has " + code.length();
        }
        for (int i = 0; i < 18; i++) {
            if (ALPHABET.indexOf(code.charAt(i)) < 0) {
                return "character '" + code.charAt(i) + "' at position " + (i + 1) + " is not allowed (I, O, S, V, Z are never used)";
            }
        }
        char expected = checkCharacter(code.substring(0, 17));
        if (code.charAt(17) != expected) {
            return "check character is '" + code.charAt(17) + "', GB 32100 gives '" + expected + "'";
        }
        return null;
    }
}
