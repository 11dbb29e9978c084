package org.govhub.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 工信部联企业〔2011〕300号 第四条, industry by industry: the thresholds below are written from the
 * standard's text, independently of the rules file, and every bound is tried on both sides.
 * E employees (persons), R operating revenue (万元), A total assets (万元).
 */
class EnterpriseSizesTest {

    private static final long WAN = 1_000_000L;
    private final EnterpriseSizes sizes = new EnterpriseSizes(PolicyRules.standard());

    /** One industry: a code in it, the industry id, and per class {E, R, A} lower bounds (null: not a measure). */
    record Standard(String code, String id, Long[] large, Long[] medium, Long[] small) {
        @Override
        public String toString() {
            return id + " (" + code + ")";
        }
    }

    private static Long[] b(Long e, Long r, Long a) {
        return new Long[] {e, r, a};
    }

    static Stream<Standard> industries() {
        return Stream.of(
                new Standard("A0141", "agriculture", b(null, 20000L, null), b(null, 500L, null), b(null, 50L, null)),
                new Standard("C2710", "industry", b(1000L, 40000L, null), b(300L, 2000L, null), b(20L, 300L, null)),
                new Standard("B0610", "industry", b(1000L, 40000L, null), b(300L, 2000L, null), b(20L, 300L, null)),
                new Standard("D4411", "industry", b(1000L, 40000L, null), b(300L, 2000L, null), b(20L, 300L, null)),
                new Standard("E4810", "construction", b(null, 80000L, 80000L), b(null, 6000L, 5000L), b(null, 300L, 300L)),
                new Standard("F5126", "wholesale", b(200L, 40000L, null), b(20L, 5000L, null), b(5L, 1000L, null)),
                new Standard("F5211", "retail", b(300L, 20000L, null), b(50L, 500L, null), b(10L, 100L, null)),
                new Standard("G5430", "transport", b(1000L, 30000L, null), b(300L, 3000L, null), b(20L, 200L, null)),
                new Standard("G5910", "transport", b(1000L, 30000L, null), b(300L, 3000L, null), b(20L, 200L, null)),
                new Standard("G5920", "warehousing", b(200L, 30000L, null), b(100L, 1000L, null), b(20L, 100L, null)),
                new Standard("G6010", "postal", b(1000L, 30000L, null), b(300L, 2000L, null), b(20L, 100L, null)),
                new Standard("H6110", "accommodation", b(300L, 10000L, null), b(100L, 2000L, null), b(10L, 100L, null)),
                new Standard("H6210", "catering", b(300L, 10000L, null), b(100L, 2000L, null), b(10L, 100L, null)),
                new Standard("I6311", "information-transmission", b(2000L, 100000L, null), b(100L, 1000L, null), b(10L, 100L, null)),
                new Standard("I6420", "information-transmission", b(2000L, 100000L, null), b(100L, 1000L, null), b(10L, 100L, null)),
                new Standard("I6510", "software-it", b(300L, 10000L, null), b(100L, 1000L, null), b(10L, 50L, null)),
                new Standard("K7010", "real-estate-development", b(null, 200000L, 10000L), b(null, 1000L, 5000L), b(null, 100L, 2000L)),
                new Standard("K7020", "property-management", b(1000L, 5000L, null), b(300L, 1000L, null), b(100L, 500L, null)),
                new Standard("L7212", "leasing-business-services", b(300L, null, 120000L), b(100L, null, 8000L), b(10L, null, 100L)),
                new Standard("M7320", "other", b(300L, null, null), b(100L, null, null), b(10L, null, null)),
                new Standard("K7030", "other", b(300L, null, null), b(100L, null, null), b(10L, null, null)));
    }

    static Stream<Arguments> cases() {
        return industries().map(Arguments::of);
    }

    private String classify(Standard s, Long[] v) {
        return sizes.classify(s.code(), v[0], v[1] == null ? null : v[1] * WAN, v[2] == null ? null : v[2] * WAN).sizeClass();
    }

    /** The bounds of a class, measures not used filled with a value that could not matter. */
    private static Long[] at(Long[] bounds) {
        return new Long[] {bounds[0] == null ? 0L : bounds[0], bounds[1] == null ? 0L : bounds[1], bounds[2] == null ? 0L : bounds[2]};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachClassStartsExactlyAtItsBoundsAndOneBelowAnyBoundIsTheClassBelow(Standard s) {
        assertThat(sizes.industry(s.code()).id()).isEqualTo(s.id());
        Map<String, Long[]> classes = new LinkedHashMap<>();
        classes.put("LARGE", s.large());
        classes.put("MEDIUM", s.medium());
        classes.put("SMALL", s.small());
        List<String> order = List.of("LARGE", "MEDIUM", "SMALL", "MICRO");
        for (Map.Entry<String, Long[]> c : classes.entrySet()) {
            Long[] bounds = c.getValue();
            assertThat(classify(s, at(bounds))).as("%s at the %s bounds", s, c.getKey()).isEqualTo(c.getKey());
            String below = order.get(order.indexOf(c.getKey()) + 1);
            for (int m = 0; m < 3; m++) {
                if (bounds[m] == null) {
                    continue;
                }
                Long[] v = at(bounds);
                if (m == 0) {
                    v[0] = bounds[0] - 1;
                    assertThat(classify(s, v)).as("%s: one employee below %s", s, c.getKey()).isEqualTo(below);
                } else {
                    // one fen below the bound in 万元
                    long[] fen = {v[1] * WAN, v[2] * WAN};
                    fen[m - 1] -= 1;
                    String got = sizes.classify(s.code(), v[0], fen[0], fen[1]).sizeClass();
                    assertThat(got).as("%s: one fen below the %s %s bound", s, c.getKey(), m == 1 ? "revenue" : "assets").isEqualTo(below);
                }
            }
        }
    }

    @Test
    void theOrConditionsManyEmployeesButLittleRevenueIsStillSmallOrMicro() {
        // industry: 5000 employees but 250万 revenue: micro (revenue < 300万), not large
        assertThat(sizes.classify("C2710", 5000L, 250 * WAN, null).sizeClass()).isEqualTo("MICRO");
        // and 5000 employees with 1999万: small (revenue < 2000万 keeps it out of medium)
        assertThat(sizes.classify("C2710", 5000L, 1999 * WAN, null).sizeClass()).isEqualTo("SMALL");
        // few employees, much revenue: retail with 8 staff and 50000万 is micro
        assertThat(sizes.classify("F5211", 8L, 50_000 * WAN, null).sizeClass()).isEqualTo("MICRO");
        // construction: large revenue, small assets
        assertThat(sizes.classify("E4810", 9999L, 100_000 * WAN, 299 * WAN).sizeClass()).isEqualTo("MICRO");
        // leasing: sized by assets, not revenue
        assertThat(sizes.classify("L7212", 500L, 1L, 200_000 * WAN).sizeClass()).isEqualTo("LARGE");
    }

    @Test
    void aMissingMeasureGivesNoClassAndSaysWhich() {
        EnterpriseSizes.Result r = sizes.classify("E4810", 50L, 10_000 * WAN, null);
        assertThat(r.sizeClass()).isNull();
        assertThat(r.missing()).containsExactly("totalAssetsFen");
        assertThat(sizes.classify("C2710", 150L, null, null).missing()).containsExactly("operatingRevenueFen");
        assertThat(sizes.classify(null, 150L, 1L, 1L).missing()).containsExactly("industryCode");
        // other industries need employees only
        assertThat(sizes.classify("M73", 150L, null, null).sizeClass()).isEqualTo("MEDIUM");
        // railway transport is excluded from 交通运输业 and falls to the default
        assertThat(sizes.industry("G5310").id()).isEqualTo("other");
    }

    @Test
    void aCodeThatDoesNotTellTheIndustryOfTheStandardGivesNoClass() {
        // "F" is wholesale (F51) or retail (F52): 250 staff and 50000万 is LARGE as wholesale, MEDIUM as "other"
        EnterpriseSizes.Result section = sizes.classify("F", 250L, 50_000 * WAN, null);
        assertThat(section.sizeClass()).isNull();
        assertThat(section.missing()).singleElement().asString().startsWith("industryCode");
        assertThat(sizes.classify("G", 250L, 50_000 * WAN, null).sizeClass()).isNull();
        assertThat(sizes.classify("K70", 250L, 50_000 * WAN, 1L).sizeClass()).isNull();
        // the division decides
        assertThat(sizes.classify("F51", 250L, 50_000 * WAN, null).sizeClass()).isEqualTo("LARGE");
        // a section the standard takes whole is enough
        assertThat(sizes.classify("C", 250L, 50_000 * WAN, null).sizeClass()).isEqualTo("SMALL");
    }

    @Test
    void aboveDesignatedSizeIsIndustrialWithRevenueOf2000WanOrMore() {
        assertThat(sizes.aboveDesignatedSize("C27", 2000 * WAN)).isTrue();
        assertThat(sizes.aboveDesignatedSize("C27", 2000 * WAN - 1)).isFalse();
        assertThat(sizes.aboveDesignatedSize("D4411", 90_000 * WAN)).isTrue();
        assertThat(sizes.aboveDesignatedSize("F52", 90_000 * WAN)).isFalse();
        assertThat(sizes.aboveDesignatedSize("C27", null)).isFalse();
    }
}
