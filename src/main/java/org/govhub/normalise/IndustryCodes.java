package org.govhub.normalise;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * Industry codes 国民经济行业分类 (GB/T 4754-2017): a section letter A–T, optionally followed by a
 * 2-digit division that must lie in that section, then optionally group and class digits. Codes of
 * the 2011 edition, which departmental systems still exported in 2020, are translated by the
 * correspondence in {@code reference/industry-codes/} (its README says how it was made and what it covers).
 */
public final class IndustryCodes {

    /** The editions a source may export; the hub's records carry 2017 codes. */
    public static final String EDITION_2017 = "GB/T 4754-2017";
    public static final String EDITION_2011 = "GB/T 4754-2011";

    public static final String CORRESPONDENCE = "/reference/industry-codes/gbt4754-2011-to-2017.csv";

    /**
     * A 2011 code in the 2017 edition: {@code code} when the translation is one code, else
     * {@code candidates} (ambiguous) or only a {@code problem} (not in the correspondence).
     */
    public record Translation(String code, List<String> candidates, String problem) {
    }

    /** One row of the correspondence: a 2011 prefix, its 2017 prefix, whether the digits below it carry over. */
    private record Row(String to, boolean sameBelow, List<String> candidates) {
    }

    /** Loaded on first use: only sources declaring the 2011 edition need it. */
    private static final class Correspondence {
        static final Map<String, Row> ROWS = load();

        private static Map<String, Row> load() {
            Map<String, Row> rows = new HashMap<>();
            try (InputStream in = IndustryCodes.class.getResourceAsStream(CORRESPONDENCE)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + CORRESPONDENCE);
                }
                CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true).get();
                for (CSVRecord r : format.parse(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    String candidates = r.get("candidates");
                    rows.put(r.get("from2011"), new Row(r.get("to2017"), "same".equals(r.get("below")),
                            candidates.isEmpty() ? List.of() : Arrays.asList(candidates.split(" "))));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.copyOf(rows);
        }
    }

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

    /**
     * The GB/T 4754-2017 code of a 2011-edition code, by the longest 2011 prefix the correspondence
     * lists: its 2017 prefix, followed by the code's further digits where the row says they carried
     * over unchanged; a bare section letter is itself (both editions have the same 20 sections).
     */
    public static Translation from2011(String code) {
        if (!code.matches("[A-T](\\d{2}(\\d{1,2})?)?")) {
            return new Translation(null, List.of(), "must be a section letter A–T followed by up to 4 digits");
        }
        if (code.length() == 1) {
            return new Translation(code, List.of(), null);
        }
        for (int length = code.length(); length >= 3; length--) {
            Row row = Correspondence.ROWS.get(code.substring(0, length));
            if (row == null) {
                continue;
            }
            if (!row.candidates().isEmpty()) {
                return new Translation(null, row.candidates(), "is ambiguous in " + EDITION_2017 + ": one of "
                        + String.join(", ", row.candidates()));
            }
            return new Translation(row.sameBelow() ? row.to() + code.substring(length) : row.to(), List.of(), null);
        }
        return new Translation(null, List.of(), "division " + code.substring(1, 3) + " is not in section " + code.charAt(0) + " of "
                + EDITION_2011);
    }
}
