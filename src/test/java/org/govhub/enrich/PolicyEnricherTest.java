package org.govhub.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.FileSystemResource;

/**
 * The relief facts, written from the notices' texts: 人社部发〔2020〕11号 (social insurance),
 * 赣府发〔2020〕2号 clause 8 (tax), 银发〔2020〕29号 (十四) and the Jiangxi / Nanchang finance measures
 * (credit). Each branch and each first and last month.
 */
class PolicyEnricherTest {

    private static final long WAN = 1_000_000L;
    private final PolicyEnricher enricher = new PolicyEnricher(PolicyRules.standard());

    // ---------------------------------------------------------------- social insurance

    /** A unit: region, unit type, period; a manufacturer (C2710) whose size the numbers decide. */
    private static ObjectNode unit(String region, String unitType, String period, String size) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("schema", "SocialInsuranceRecord");
        r.put("creditCode", "91360102MA35XXXX0X");
        r.put("unitType", unitType);
        r.put("regionCode", region);
        r.put("period", period);
        r.put("pensionEmployerFen", 160_001L);
        r.put("unemploymentEmployerFen", 5_000L);
        r.put("workInjuryEmployerFen", 4_000L);
        r.put("deferralRequested", false);
        r.putNull("deferralMonths");
        if (unitType.equals("ENTERPRISE")) {
            r.put("industryCode", "C2710");
            switch (size) {
                case "LARGE" -> { r.put("insuredEmployees", 1000); r.put("operatingRevenueFen", 40_000 * WAN); }
                case "MEDIUM" -> { r.put("insuredEmployees", 999); r.put("operatingRevenueFen", 40_000 * WAN); }
                case "MICRO" -> { r.put("insuredEmployees", 5000); r.put("operatingRevenueFen", 299 * WAN); }
                default -> { r.put("insuredEmployees", 20); r.put("operatingRevenueFen", 300 * WAN); }
            }
        } else {
            r.put("insuredEmployees", 80);
        }
        return r;
    }

    private JsonNode relief(ObjectNode record) {
        return enricher.enrich("SocialInsuranceRecord", record).path("socialInsuranceRelief");
    }

    @ParameterizedTest(name = "{0} {1} {2} {3} → {4}")
    @CsvSource({
        // non-Hubei SMEs: exempt Feb–Jun 2020 (5 months)
        "360102, ENTERPRISE, 2020-01, SMALL,  NONE,   sme-exempt, 5",
        "360102, ENTERPRISE, 2020-02, SMALL,  EXEMPT, sme-exempt, 4",
        "360102, ENTERPRISE, 2020-06, MICRO,  EXEMPT, sme-exempt, 0",
        "360102, ENTERPRISE, 2020-07, MEDIUM, NONE,   sme-exempt, 0",
        "360102, ENTERPRISE, 2020-04, MEDIUM, EXEMPT, sme-exempt, 2",
        // non-Hubei large enterprises and other units: halved Feb–Apr 2020 (3 months)
        "360102, ENTERPRISE, 2020-02, LARGE,  HALVED, large-enterprise-halved, 2",
        "360102, ENTERPRISE, 2020-04, LARGE,  HALVED, large-enterprise-halved, 0",
        "360102, ENTERPRISE, 2020-05, LARGE,  NONE,   large-enterprise-halved, 0",
        "360102, OTHER,      2020-02, -,      HALVED, other-units-halved, 2",
        "360102, OTHER,      2020-05, -,      NONE,   other-units-halved, 0",
        // Hubei: every unit exempt Feb–Jun 2020, large ones too
        "420102, ENTERPRISE, 2020-02, LARGE,  EXEMPT, hubei-all-units-exempt, 4",
        "420102, ENTERPRISE, 2020-06, LARGE,  EXEMPT, hubei-all-units-exempt, 0",
        "420102, ENTERPRISE, 2020-07, LARGE,  NONE,   hubei-all-units-exempt, 0",
        "420102, OTHER,      2020-05, -,      EXEMPT, hubei-all-units-exempt, 1",
        "420102, ENTERPRISE, 2020-01, SMALL,  NONE,   hubei-all-units-exempt, 5",
        // government bodies and public institutions: neither, in Hubei or not
        "360102, PUBLIC_INSTITUTION, 2020-03, -, NONE, government-and-public-institutions, -1",
        "420102, PUBLIC_INSTITUTION, 2020-03, -, NONE, government-and-public-institutions, -1",
    })
    void socialInsuranceReliefByRegionUnitTypeSizeAndMonth(String region, String unitType, String period, String size,
            String expected, String regime, int monthsLeft) {
        JsonNode f = relief(unit(region, unitType, period, size));
        assertThat(f.path("relief").asText()).isEqualTo(expected);
        assertThat(f.path("regime").asText()).isEqualTo(regime);
        long due = 160_001L + 5_000L + 4_000L;
        assertThat(f.path("dueFen").asLong()).isEqualTo(due);
        long relieved = switch (expected) {
            case "EXEMPT" -> due;
            case "HALVED" -> 80_000L + 2_500L + 2_000L; // the relieved half of 160,001 fen is 80,000 (rounded down)
            default -> 0L;
        };
        assertThat(f.path("relievedFen").asLong()).isEqualTo(relieved);
        assertThat(f.path("payableFen").asLong()).isEqualTo(due - relieved);
        assertThat(f.path("insurances").path("pension").path("relievedFen").asLong())
                .isEqualTo(expected.equals("EXEMPT") ? 160_001L : expected.equals("HALVED") ? 80_000L : 0L);
        if (monthsLeft >= 0) {
            assertThat(f.path("allowance").path("monthsLeft").asInt()).isEqualTo(monthsLeft);
        } else {
            assertThat(f.has("allowance")).isFalse();
        }
        assertThat(f.path("basis").get(0).path("docNo").asText()).isEqualTo("人社部发〔2020〕11号");
        assertThat(f.path("inputs").path("period").asText()).isEqualTo(period);
    }

    @Test
    void theAllowanceSaysWhichMonthOfItThisIsAndItsSpan() {
        JsonNode a = relief(unit("360102", "ENTERPRISE", "2020-03", "SMALL")).path("allowance");
        assertThat(a.path("from").asText()).isEqualTo("2020-02");
        assertThat(a.path("to").asText()).isEqualTo("2020-06");
        assertThat(a.path("months").asInt()).isEqualTo(5);
        assertThat(a.path("month").asInt()).isEqualTo(2);
        assertThat(a.path("monthsLeft").asInt()).isEqualTo(3);
        JsonNode halved = relief(unit("360102", "ENTERPRISE", "2020-03", "LARGE")).path("allowance");
        assertThat(halved.path("to").asText()).isEqualTo("2020-04");
        assertThat(halved.path("monthsLeft").asInt()).isEqualTo(1);
        // an SME's relief rests on the size standard too
        assertThat(relief(unit("360102", "ENTERPRISE", "2020-03", "SMALL")).path("basis").toString())
                .contains("工信部联企业〔2011〕300号", "第四条（二）");
    }

    @ParameterizedTest(name = "asks {0} months → {1} honoured, within limit {2}")
    @CsvSource({"1, 1, true", "6, 6, true", "7, 6, false", "12, 6, false", ", 6, true"})
    void aDeferralIsHonouredUpToSixMonthsWithoutLateFees(Integer asked, int honoured, boolean within) {
        ObjectNode r = unit("360102", "ENTERPRISE", "2020-05", "LARGE"); // large, May: no relief left
        r.put("deferralRequested", true);
        if (asked != null) {
            r.put("deferralMonths", asked);
        }
        ObjectNode policy = enricher.enrich("SocialInsuranceRecord", r);
        JsonNode d = policy.path("deferral");
        assertThat(d.path("honouredMonths").asInt()).isEqualTo(honoured);
        assertThat(d.path("withinLimit").asBoolean()).isEqualTo(within);
        assertThat(d.path("lateFeesWaived").asBoolean()).isTrue();
        assertThat(d.path("payableBy").asText()).isEqualTo(java.time.YearMonth.of(2020, 5).plusMonths(honoured).toString());
        assertThat(d.path("basis").get(0).path("clause").asText()).isEqualTo("三");
        JsonNode f = policy.path("socialInsuranceRelief");
        assertThat(f.path("relief").asText()).isEqualTo("DEFERRED");
        assertThat(f.path("deferredFen").asLong()).isEqualTo(169_001L);
        assertThat(f.path("relievedFen").asLong()).isZero();
    }

    @Test
    void aHalvedUnitThatDefersDefersTheHalfItStillOwes() {
        ObjectNode r = unit("360102", "ENTERPRISE", "2020-03", "LARGE");
        r.put("deferralRequested", true);
        r.put("deferralMonths", 3);
        JsonNode f = relief(r);
        assertThat(f.path("relief").asText()).isEqualTo("HALVED");
        assertThat(f.path("deferredFen").asLong()).isEqualTo(f.path("payableFen").asLong()).isEqualTo(84_501L);
    }

    @Test
    void publicInstitutionsAndDeferralsBeforeFebruaryAreNotDeferred() {
        ObjectNode pub = unit("360102", "PUBLIC_INSTITUTION", "2020-03", "-");
        pub.put("deferralRequested", true);
        pub.put("deferralMonths", 3);
        JsonNode d = enricher.enrich("SocialInsuranceRecord", pub).path("deferral");
        assertThat(d.path("eligible").asBoolean()).isFalse();
        assertThat(d.path("honouredMonths").asInt()).isZero();
        assertThat(d.path("withinLimit").asBoolean()).isFalse();
        assertThat(relief(pub).path("relief").asText()).isEqualTo("NONE");
        ObjectNode january = unit("360102", "ENTERPRISE", "2020-01", "LARGE");
        january.put("deferralRequested", true);
        assertThat(enricher.enrich("SocialInsuranceRecord", january).path("deferral").path("honouredMonths").asInt()).isZero();
        ObjectNode none = unit("360102", "ENTERPRISE", "2020-03", "LARGE");
        assertThat(enricher.enrich("SocialInsuranceRecord", none).path("deferral").path("withinLimit").isNull()).isTrue();
    }

    @Test
    void anEnterpriseOfUnknownSizeInsideTheAllowanceCannotBeDecidedOutsideItCan() {
        ObjectNode r = unit("360102", "ENTERPRISE", "2020-03", "SMALL");
        r.remove("operatingRevenueFen");
        assertThatThrownBy(() -> relief(r)).isInstanceOf(PolicyException.class)
                .hasMessageContaining("size class of 91360102MA35XXXX0X is unknown").hasMessageContaining("2020-03")
                .hasMessageContaining("sme-exempt").hasMessageContaining("人社部发〔2020〕11号");
        r.put("period", "2020-08");
        assertThat(relief(r).path("relief").asText()).isEqualTo("NONE");
        // in Hubei the size does not matter
        r.put("period", "2020-03");
        r.put("regionCode", "420102");
        assertThat(relief(r).path("relief").asText()).isEqualTo("EXEMPT");
        // HRSS's own class is used when the standard cannot be applied
        r.put("regionCode", "360102");
        r.put("sizeClass", "LARGE");
        JsonNode p = enricher.enrich("SocialInsuranceRecord", r);
        assertThat(p.path("socialInsuranceRelief").path("relief").asText()).isEqualTo("HALVED");
        assertThat(p.path("enterpriseSize").path("derived").isNull()).isTrue();
        assertThat(p.path("enterpriseSize").path("missing").toString()).contains("operatingRevenueFen");
    }

    @Test
    void aGivenSizeClassThatDisagreesIsKeptAndFlaggedAndTheStandardDecides() {
        ObjectNode r = unit("360102", "ENTERPRISE", "2020-05", "MEDIUM");
        r.put("sizeClass", "LARGE");
        JsonNode p = enricher.enrich("SocialInsuranceRecord", r);
        JsonNode size = p.path("enterpriseSize");
        assertThat(size.path("given").asText()).isEqualTo("LARGE");
        assertThat(size.path("derived").asText()).isEqualTo("MEDIUM");
        assertThat(size.path("sizeClass").asText()).isEqualTo("MEDIUM");
        assertThat(size.path("mismatch").asBoolean()).isTrue();
        assertThat(size.path("industry").asText()).isEqualTo("industry");
        assertThat(size.path("basis").get(0).path("clause").asText()).isEqualTo("第四条（二）");
        assertThat(p.path("socialInsuranceRelief").path("relief").asText()).isEqualTo("EXEMPT");
        r.put("sizeClass", "MEDIUM");
        assertThat(enricher.enrich("SocialInsuranceRecord", r).path("enterpriseSize").path("mismatch").asBoolean()).isFalse();
    }

    @Test
    void aFilingCarriesItsSizeAndWhetherItIsAboveDesignatedSize() {
        ObjectNode f = JsonNodeFactory.instance.objectNode();
        f.put("industryCode", "C2710");
        f.put("employees", 320);
        f.put("operatingRevenueFen", 2_500 * WAN);
        f.put("sizeClass", "SMALL");
        f.put("sizeClassSource", "GIVEN");
        JsonNode p = enricher.enrich("EnterpriseFiling", f);
        assertThat(p.path("enterpriseSize").path("derived").asText()).isEqualTo("MEDIUM");
        assertThat(p.path("enterpriseSize").path("given").asText()).isEqualTo("SMALL");
        assertThat(p.path("enterpriseSize").path("mismatch").asBoolean()).isTrue();
        assertThat(p.path("aboveDesignatedSize").path("aboveDesignatedSize").asBoolean()).isTrue();
        f.put("sizeClassSource", "DERIVED");
        f.put("sizeClass", "MEDIUM");
        JsonNode derived = enricher.enrich("EnterpriseFiling", f).path("enterpriseSize");
        assertThat(derived.path("given").isNull()).isTrue();
        assertThat(derived.path("mismatch").asBoolean()).isFalse();
    }

    // ---------------------------------------------------------------- tax

    private static ObjectNode declaration(String region, String frequency, String period, String declaredAt) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("regionCode", region);
        r.put("filingFrequency", frequency);
        r.put("period", period);
        r.put("declaredAt", declaredAt);
        r.put("deferralGranted", false);
        r.putNull("deferralUntil");
        return r;
    }

    @ParameterizedTest(name = "{0} {1} {2} declared {3}: due {4} ({5}), on time {6}")
    @CsvSource({
        // Jiangxi, monthly, January's tax filed in February: extended to 24 February (赣府发〔2020〕2号 8)
        "360102, MONTHLY,   2020-01, 2020-02-24, 2020-02-24, EXTENDED,    true",
        "360102, MONTHLY,   2020-01, 2020-02-25, 2020-02-24, EXTENDED,    false",
        // elsewhere: the 15th, a Saturday, rolls to Monday 17 February
        "440106, MONTHLY,   2020-01, 2020-02-17, 2020-02-17, ROLLED_OVER, true",
        "440106, MONTHLY,   2020-01, 2020-02-18, 2020-02-17, ROLLED_OVER, false",
        // quarterly filers are not extended by the notice; 清明 4–6 April (3 days) lies in the first
        // quarter's window: 15 April + 3 = Saturday 18 April, rolled to Monday 20 April
        "360102, QUARTERLY, 2020-01, 2020-04-20, 2020-04-20, MOVED_BY_HOLIDAYS, true",
        "360102, QUARTERLY, 2020-03, 2020-04-21, 2020-04-20, MOVED_BY_HOLIDAYS, false",
        // Jiangxi other months: the normal 15th; 15 March 2020 is a Sunday
        "360102, MONTHLY,   2020-02, 2020-03-16, 2020-03-16, ROLLED_OVER, true",
        "360102, MONTHLY,   2020-03, 2020-04-20, 2020-04-20, MOVED_BY_HOLIDAYS, true",
        "360102, MONTHLY,   2020-03, 2020-04-21, 2020-04-20, MOVED_BY_HOLIDAYS, false",
        // 劳动节 1–5 May: 15 + 5 = Wednesday 20 May
        "440106, MONTHLY,   2020-04, 2020-05-20, 2020-05-20, MOVED_BY_HOLIDAYS, true",
        "440106, MONTHLY,   2020-04, 2020-05-21, 2020-05-20, MOVED_BY_HOLIDAYS, false",
        // 端午 25–27 June lies after the June window: Monday 15 June
        "360102, MONTHLY,   2020-05, 2020-06-15, 2020-06-15, NORMAL,      true",
        "360102, MONTHLY,   2020-05, 2020-06-16, 2020-06-15, NORMAL,      false",
        "360102, MONTHLY,   2020-07, 2020-08-17, 2020-08-17, ROLLED_OVER, true",
        // 国庆、中秋 1–8 October: 15 + 8 = Friday 23 October, monthly and quarterly alike
        "360102, MONTHLY,   2020-09, 2020-10-16, 2020-10-23, MOVED_BY_HOLIDAYS, true",
        "360102, MONTHLY,   2020-09, 2020-10-23, 2020-10-23, MOVED_BY_HOLIDAYS, true",
        "360102, MONTHLY,   2020-09, 2020-10-24, 2020-10-23, MOVED_BY_HOLIDAYS, false",
        "440106, QUARTERLY, 2020-07, 2020-10-23, 2020-10-23, MOVED_BY_HOLIDAYS, true",
        "440106, QUARTERLY, 2020-09, 2020-10-26, 2020-10-23, MOVED_BY_HOLIDAYS, false",
        // 元旦 2021 is 1–3 January: December 2020 is due Monday 18 January 2021
        "360102, MONTHLY,   2020-12, 2021-01-18, 2021-01-18, MOVED_BY_HOLIDAYS, true",
        "360102, MONTHLY,   2020-12, 2021-01-19, 2021-01-18, MOVED_BY_HOLIDAYS, false",
        // 元旦 2020 is one day: December 2019 is due Wednesday 15 January 2020
        "360102, MONTHLY,   2019-12, 2020-01-15, 2020-01-15, NORMAL,      true",
        "360102, MONTHLY,   2019-12, 2020-01-16, 2020-01-15, NORMAL,      false",
    })
    void declarationDeadlines(String region, String frequency, String period, String declared, String deadline, String rule,
            boolean onTime) {
        JsonNode f = enricher.enrich("TaxRecord", declaration(region, frequency, period, declared)).path("declarationDeadline");
        assertThat(f.path("deadline").asText()).isEqualTo(deadline);
        assertThat(f.path("rule").asText()).isEqualTo(rule);
        assertThat(f.path("onTime").asBoolean()).isEqualTo(onTime);
        String basis = f.path("basis").toString();
        switch (rule) {
            case "EXTENDED" -> assertThat(basis).contains("赣府发〔2020〕2号", "\"clause\":\"8\"");
            case "ROLLED_OVER", "MOVED_BY_HOLIDAYS" -> assertThat(basis).contains("税收征收管理法实施细则", "第一百零九条");
            default -> assertThat(basis).contains("增值税暂行条例").doesNotContain("第一百零九条");
        }
    }

    @Test
    void publicHolidaysRollTheDeadlineOnAndWorkedWeekendsDoNot(@TempDir Path dir) throws Exception {
        String rules = new String(new ClassPathResource(PolicyRules.DEFAULT_FILE).getInputStream().readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8)
                .replace("      - 2020-01-01\n", "      - 2020-01-01\n      - { from: 2020-08-17, to: 2020-08-18 }\n")
                .replace("workingWeekends: [2020-01-19,", "workingWeekends: [2020-11-15, 2020-01-19,");
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, rules);
        PolicyEnricher custom = new PolicyEnricher(new PolicyRules(new FileSystemResource(file)));
        // 15 August 2020 a Saturday, 16 Sunday, 17–18 holidays: due Wednesday 19 August
        JsonNode f = custom.enrich("TaxRecord", declaration("360102", "MONTHLY", "2020-07", "2020-08-19")).path("declarationDeadline");
        assertThat(f.path("deadline").asText()).isEqualTo("2020-08-19");
        assertThat(f.path("skippedDays").toString()).isEqualTo("[\"2020-08-15\",\"2020-08-16\",\"2020-08-17\",\"2020-08-18\"]");
        assertThat(f.path("onTime").asBoolean()).isTrue();
        // Sunday 15 November 2020 declared a working day: the deadline stays
        JsonNode worked = custom.enrich("TaxRecord", declaration("360102", "MONTHLY", "2020-10", "2020-11-16")).path("declarationDeadline");
        assertThat(worked.path("deadline").asText()).isEqualTo("2020-11-15");
        assertThat(worked.path("onTime").asBoolean()).isFalse();
        assertThat(worked.path("daysLate").asInt()).isEqualTo(1);
        // the shipped calendar: 1 January 2021 is a holiday
        assertThat(enricher.rules().tax().closed(java.time.LocalDate.of(2021, 1, 1))).isTrue();
        assertThat(enricher.rules().tax().closed(java.time.LocalDate.of(2020, 1, 19))).isFalse(); // a worked Sunday
        assertThat(enricher.rules().tax().closed(java.time.LocalDate.of(2020, 2, 1))).isTrue();   // Spring Festival, extended
    }

    @Test
    void aMovedDeadlineSaysWhichHolidaysMovedIt() {
        JsonNode f = enricher.enrich("TaxRecord", declaration("360102", "MONTHLY", "2020-09", "2020-10-16")).path("declarationDeadline");
        assertThat(f.path("normalDeadline").asText()).isEqualTo("2020-10-15");
        assertThat(f.path("longHolidays")).hasSize(8);
        assertThat(f.path("longHolidays").get(0).asText()).isEqualTo("2020-10-01");
        assertThat(f.path("longHolidays").get(7).asText()).isEqualTo("2020-10-08");
        assertThat(f.has("skippedDays")).isFalse();
        assertThat(f.path("daysLate").asInt()).isZero();
        // April: 3 days move it to Saturday 18 April, which rolls on to Monday
        JsonNode april = enricher.enrich("TaxRecord", declaration("360102", "MONTHLY", "2020-03", "2020-04-20")).path("declarationDeadline");
        assertThat(april.path("skippedDays").toString()).isEqualTo("[\"2020-04-18\",\"2020-04-19\"]");
        // February 2020 outside Jiangxi: only 1–2 February of the Spring Festival lie in the window, too few
        JsonNode feb = enricher.enrich("TaxRecord", declaration("440106", "MONTHLY", "2020-01", "2020-02-17")).path("declarationDeadline");
        assertThat(feb.has("longHolidays")).isFalse();
        assertThat(feb.path("deadline").asText()).isEqualTo("2020-02-17");
    }

    @ParameterizedTest(name = "holidays {0}..{1} in the August window: due {2}")
    @CsvSource({
        "2020-08-04, 2020-08-05, 2020-08-17, ROLLED_OVER",        // 2 days: not a long holiday; Saturday 15th rolls over
        "2020-08-04, 2020-08-06, 2020-08-18, MOVED_BY_HOLIDAYS",  // 3 days: 15 + 3 = Tuesday 18th
        "2020-08-14, 2020-08-18, 2020-08-19, ROLLED_OVER",        // only 14–15 inside the window: rolled past 15–18
        "2020-08-13, 2020-08-18, 2020-08-19, MOVED_BY_HOLIDAYS",  // 13–15 inside: 15 + 3 = 18, a holiday, rolls to 19
    })
    void onlyRunsOfThreeOrMoreHolidaysInsideTheWindowMoveTheDeadline(String from, String to, String deadline, String rule,
            @TempDir Path dir) throws Exception {
        String rules = new String(new ClassPathResource(PolicyRules.DEFAULT_FILE).getInputStream().readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8)
                .replace("      - 2020-01-01\n", "      - 2020-01-01\n      - { from: " + from + ", to: " + to + " }\n");
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, rules);
        PolicyEnricher custom = new PolicyEnricher(new PolicyRules(new FileSystemResource(file)));
        JsonNode f = custom.enrich("TaxRecord", declaration("440106", "MONTHLY", "2020-07", deadline)).path("declarationDeadline");
        assertThat(f.path("deadline").asText()).isEqualTo(deadline);
        assertThat(f.path("rule").asText()).isEqualTo(rule);
        assertThat(f.path("onTime").asBoolean()).isTrue();
    }

    @ParameterizedTest(name = "{0} declared {1}: calendar not covered, on time {2}")
    @CsvSource({
        "2019-11, 2019-12-15, true",   // December 2019: no calendar; by the 15th it is on time whatever the holidays
        "2019-11, 2019-12-16, ",       // after the 15th it cannot be said
        "2021-12, 2022-01-14, true",
        "2021-12, 2022-01-17, ",
    })
    void aDeadlineOutsideTheCalendarIsAnsweredAsNotCovered(String period, String declared, Boolean onTime) {
        ObjectNode r = declaration("360102", "MONTHLY", period, declared);
        r.put("deferralGranted", true);
        r.put("deferralUntil", "2022-03-01");
        ObjectNode policy = enricher.enrich("TaxRecord", r);
        JsonNode f = policy.path("declarationDeadline");
        assertThat(f.path("rule").asText()).isEqualTo("CALENDAR_NOT_COVERED");
        assertThat(f.path("deadline").isNull()).isTrue();
        assertThat(f.path("note").asText()).contains("covers [2020, 2021]", "第一百零九条");
        assertThat(f.path("basis").toString()).contains("第一百零九条");
        if (onTime == null) {
            assertThat(f.path("onTime").isNull()).isTrue();
            assertThat(f.path("daysLate").isNull()).isTrue();
        } else {
            assertThat(f.path("onTime").asBoolean()).isTrue();
        }
        assertThat(policy.path("paymentDeferral").path("latestUntil").isNull()).isTrue();
        assertThat(policy.path("paymentDeferral").path("withinLimit").isNull()).isTrue();
        // the notice's own date needs no calendar; the calendar's first and last covered windows do
        assertThat(enricher.enrich("TaxRecord", declaration("360102", "MONTHLY", "2019-12", "2020-01-15"))
                .path("declarationDeadline").path("rule").asText()).isEqualTo("NORMAL");
        assertThat(enricher.enrich("TaxRecord", declaration("360102", "MONTHLY", "2021-11", "2021-12-15"))
                .path("declarationDeadline").path("rule").asText()).isEqualTo("NORMAL");
    }

    @ParameterizedTest(name = "deadline {0}, deferred until {1}: within {2}")
    @CsvSource({
        "2020-01, 2020-05-24, true",   // Jiangxi January: due 24 February, at most 3 months → 24 May
        "2020-01, 2020-05-25, false",
        "2020-03, 2020-07-20, true",   // due 20 April (清明 in the window) → 20 July
        "2020-03, 2020-07-21, false",
    })
    void aPaymentDeferralIsWithinThreeMonthsOfTheDeadline(String period, String until, boolean within) {
        ObjectNode r = declaration("360102", "MONTHLY", period, "2020-02-10");
        r.put("deferralGranted", true);
        r.put("deferralUntil", until);
        JsonNode d = enricher.enrich("TaxRecord", r).path("paymentDeferral");
        assertThat(d.path("withinLimit").asBoolean()).isEqualTo(within);
        assertThat(d.path("maxMonths").asInt()).isEqualTo(3);
        assertThat(d.path("basis").get(0).path("docNo").asText()).isEqualTo("赣府发〔2020〕2号");
        assertThat(d.path("inputs").path("deferralUntil").asText()).isEqualTo(until);
        JsonNode none = enricher.enrich("TaxRecord", declaration("360102", "MONTHLY", period, "2020-02-10")).path("paymentDeferral");
        assertThat(none.path("granted").asBoolean()).isFalse();
        assertThat(none.path("withinLimit").isNull()).isTrue();
    }

    // ---------------------------------------------------------------- credit

    private static ObjectNode credit(String subjectType, String recordType, boolean epidemic, String situation, boolean commitment) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("subjectType", subjectType);
        r.put("recordType", recordType);
        r.put("epidemicImpact", epidemic);
        r.put("epidemicSituation", situation);
        r.put("repaymentCommitmentSigned", commitment);
        return r;
    }

    @ParameterizedTest(name = "{0} {1} epidemic={2} {3} → {4}")
    @CsvSource({
        "PERSON,     LOAN_OVERDUE,           true,  PATIENT,           NOT_REPORTED",
        "PERSON,     LOAN_OVERDUE,           true,  ISOLATED,          NOT_REPORTED",
        "PERSON,     LOAN_OVERDUE,           true,  UNDER_OBSERVATION, NOT_REPORTED",
        "PERSON,     LOAN_OVERDUE,           true,  PREVENTION_WORKER, NOT_REPORTED",
        "PERSON,     LOAN_OVERDUE,           false, PATIENT,           REPORTED",
        "PERSON,     LOAN_OVERDUE,           true,  LOST_INCOME,       REPORTED_PER_ADJUSTED_PLAN",
        "PERSON,     LOAN_OVERDUE,           true,  NONE,              REPORTED",
        "PERSON,     ADMINISTRATIVE_PENALTY, true,  PATIENT,           NOT_COVERED",
        "ENTERPRISE, LOAN_OVERDUE,           true,  NONE,              REPORTED",
    })
    void anOverdueCausedByTheEpidemicOfProtectedPeopleIsNotReported(String subject, String type, boolean epidemic,
            String situation, String treatment) {
        JsonNode f = enricher.enrich("CreditRecord", credit(subject, type, epidemic, situation, false)).path("overdueReporting");
        assertThat(f.path("treatment").asText()).isEqualTo(treatment);
        assertThat(f.path("mayBeReported").asBoolean()).isEqualTo(!treatment.equals("NOT_REPORTED"));
        assertThat(f.path("adjustIfAlreadyReported").asBoolean()).isEqualTo(treatment.equals("NOT_REPORTED"));
        assertThat(f.path("basis").get(0).path("docNo").asText()).isEqualTo("银发〔2020〕29号");
        assertThat(f.path("basis").get(0).path("clause").asText()).isEqualTo("（十四）");
    }

    @ParameterizedTest(name = "{0} {1} epidemic={2} commitment={3} → publicised {4}")
    @CsvSource({
        "ENTERPRISE, LOAN_OVERDUE,           true,  true,  false",
        "ENTERPRISE, DISHONEST_LIST,         true,  true,  false",
        "ENTERPRISE, LOAN_OVERDUE,           true,  false, true",
        "ENTERPRISE, LOAN_OVERDUE,           false, true,  true",
        "ENTERPRISE, ADMINISTRATIVE_PENALTY, true,  true,  true",
        "PERSON,     LOAN_OVERDUE,           true,  true,  true",
    })
    void anEnterpriseThatSignedARepaymentCommitmentIsNotPublicised(String subject, String type, boolean epidemic,
            boolean commitment, boolean publicised) {
        JsonNode f = enricher.enrich("CreditRecord", credit(subject, type, epidemic, "NONE", commitment)).path("publicity");
        assertThat(f.path("mayBePublicised").asBoolean()).isEqualTo(publicised);
        assertThat(f.path("jointPunishment").asBoolean()).isEqualTo(publicised);
        assertThat(f.path("basis").toString()).contains("金融支持防控疫情稳定经济增长", "\"clause\":\"14\"", "南昌市", "\"clause\":\"10\"");
        assertThat(f.path("inputs").path("repaymentCommitmentSigned").asBoolean()).isEqualTo(commitment);
    }

    // ---------------------------------------------------------------- SME loan deferral

    /** A credit record with its borrower's size and whether the lender deferred it (credit codes begin with 9, identity numbers do not). */
    private static ObjectNode loan(String subjectId, String recordType, String sizeClass, boolean arranged, String occurredOn) {
        ObjectNode r = credit(subjectId.startsWith("9") ? "ENTERPRISE" : "PERSON", recordType, false, "NONE", false);
        r.put("subjectId", subjectId);
        r.put("sizeClass", sizeClass);
        r.put("temporaryDeferral", arranged);
        r.put("occurredOn", occurredOn);
        return r;
    }

    @ParameterizedTest(name = "{0} {1} {2} deferral={3} on {4} → deferred {5}, treatment {6}")
    @CsvSource({
        // medium, small and micro enterprises: deferred to 30 June 2020 inclusive, overdue from 1 July
        "91360102MA35XXXX0X, LOAN_OVERDUE,           SMALL,  true,  2020-06-30, true,  NOT_OVERDUE",
        "91360102MA35XXXX0X, LOAN_OVERDUE,           SMALL,  true,  2020-07-01, false, REPORTED",
        "91360102MA35XXXX0X, LOAN_OVERDUE,           MICRO,  true,  2020-02-10, true,  NOT_OVERDUE",
        "91360102MA35XXXX0X, LOAN_OVERDUE,           MEDIUM, true,  2020-04-01, true,  NOT_OVERDUE",
        // a large enterprise, or no deferral arrangement: an overdue like any other
        "91360102MA35XXXX0X, LOAN_OVERDUE,           LARGE,  true,  2020-04-01, false, REPORTED",
        "91360102MA35XXXX0X, LOAN_OVERDUE,           SMALL,  false, 2020-04-01, false, REPORTED",
        // an individual business (credit code 92…) needs no size class
        "92360102MA35XXXX0X, LOAN_OVERDUE,           ,       true,  2020-06-30, true,  NOT_OVERDUE",
        "92360102MA35XXXX0X, LOAN_OVERDUE,           ,       true,  2020-07-01, false, REPORTED",
        "92360102MA35XXXX0X, LOAN_OVERDUE,           ,       false, 2020-06-30, false, REPORTED",
        // other records and persons are not loans of an enterprise
        "91360102MA35XXXX0X, ADMINISTRATIVE_PENALTY, SMALL,  true,  2020-04-01, false, NOT_COVERED",
        "360102199001010018, LOAN_OVERDUE,           ,       true,  2020-04-01, false, REPORTED",
    })
    void aDeferredLoanOfAnSmeOrIndividualBusinessIsNotOverdueUntilTheEndOfJune(String subjectId, String recordType, String size,
            boolean arranged, String occurredOn, boolean deferred, String treatment) {
        ObjectNode policy = enricher.enrich("CreditRecord", loan(subjectId, recordType, size, arranged, occurredOn));
        JsonNode d = policy.path("loanDeferral");
        assertThat(d.path("deferred").asBoolean()).isEqualTo(deferred);
        assertThat(d.path("penaltyInterestWaived").asBoolean()).isEqualTo(deferred);
        assertThat(d.path("deferredUntil").asText()).isEqualTo("2020-06-30");
        boolean covered = recordType.equals("LOAN_OVERDUE") && subjectId.startsWith("9");
        assertThat(d.path("covered").asBoolean()).isEqualTo(covered);
        if (covered) {
            assertThat(d.path("overdue").asBoolean()).isEqualTo(!deferred);
        } else {
            assertThat(d.path("overdue").isNull()).isTrue();
        }
        assertThat(d.path("basis").get(0).path("docNo").asText()).contains("抢时间保进度强弱项补缺口");
        assertThat(d.path("basis").get(0).path("clause").asText()).isEqualTo("（九）");
        assertThat(d.path("inputs").path("temporaryDeferral").asBoolean()).isEqualTo(arranged);
        JsonNode reporting = policy.path("overdueReporting");
        assertThat(reporting.path("treatment").asText()).isEqualTo(treatment);
        assertThat(reporting.path("mayBeReported").asBoolean()).isEqualTo(!deferred);
        assertThat(reporting.path("basis").toString().contains("（九）")).isEqualTo(deferred);
        JsonNode publicity = policy.path("publicity");
        assertThat(publicity.path("mayBePublicised").asBoolean()).isEqualTo(!deferred);
        assertThat(publicity.path("basis").toString().contains("（九）")).isEqualTo(deferred);
    }

    @Test
    void aDeferredLoanOfAnEnterpriseOfUnknownSizeCannotBeDecidedInsideTheDeferralOutsideItCan() {
        assertThatThrownBy(() -> enricher.enrich("CreditRecord", loan("91360102MA35XXXX0X", "LOAN_OVERDUE", null, true, "2020-05-01")))
                .isInstanceOf(PolicyException.class).hasMessageContaining("size class of 91360102MA35XXXX0X is not given")
                .hasMessageContaining("2020-06-30").hasMessageContaining("（九）");
        JsonNode july = enricher.enrich("CreditRecord", loan("91360102MA35XXXX0X", "LOAN_OVERDUE", null, true, "2020-07-01"));
        assertThat(july.path("loanDeferral").path("deferred").asBoolean()).isFalse();
        assertThat(july.path("overdueReporting").path("treatment").asText()).isEqualTo("REPORTED");
        // no arrangement: the size does not matter
        JsonNode none = enricher.enrich("CreditRecord", loan("91360102MA35XXXX0X", "LOAN_OVERDUE", null, false, "2020-05-01"));
        assertThat(none.path("loanDeferral").path("overdue").asBoolean()).isTrue();
    }
}
