package org.govhub.normalise;

import java.util.Map;

/**
 * Industry codes 国民经济行业分类 (GB/T 4754-2017): a section letter A–T, optionally followed by a
 * 2-digit division that must lie in that section, then optionally group and class digits.
 */
public final class IndustryCodes {

    /** First and last division of each section. */
    private static final Map<Character, int[]> SECTIONS = Map.ofEntries(
            Map.entry('A', new int[] {1, 5}), Map.entry('B', new int[] {6, 12}), Map.entry('C', new int[] {13, 43}),
            Map.entry('D', new int[] {44, 46}), Map.entry('E', new int[] {47, 50}), Map.entry('F', new int[] {51, 52}),
            Map.entry('G', new int[] {53, 60}), Map.entry('H', new int[] {61, 62}), Map.entry('I', new int[] {63, 65}),
            Map.entry('J', new int[] {66, 69}), Map.entry('K', new int[] {70, 70}), Map.entry('L', new int[] {71, 72}),
            Map.entry('M', new int[] {73, 75}), Map.entry('N', new int[] {76, 79}), Map.entry('O', new int[] {80, 82}),
            Map.entry('P', new int[] {83, 83}), Map.entry('Q', new int[] {84, 85}), Map.entry('R', new int[] {86, 90}),
            Map.entry('S', new int[] {91, 96}), Map.entry('T', new int[] {97, 97}));

    private IndustryCodes() {
    }

    /** Why the code is not a GB/T 4754-2017 code, or null when its form is right. */
    public static String problem(String code) {
        if (!code.matches("[A-T](\\d{2}(\\d{1,2})?)?")) {
            return "must be a section letter A–T followed by up to 4 digits";
        }
        if (code.length() >= 3) {
            int division = Integer.parseInt(code.substring(1, 3));
            int[] range = SECTIONS.get(code.charAt(0));
            if (division < range[0] || division > range[1]) {
                return String.format("division %02d is not in section %c (%02d–%02d)", division, code.charAt(0), range[0], range[1]);
            }
        }
        return null;
    }

    /** The 2-digit division, or -1 when the code gives only a section. */
    public static int division(String code) {
        return code != null && code.length() >= 3 ? Integer.parseInt(code.substring(1, 3)) : -1;
    }
}
