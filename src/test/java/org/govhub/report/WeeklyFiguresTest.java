package org.govhub.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The week's figures against numbers computed by hand from {@link ReportFixture#standard()}
 * (the reasoning for each number is in the comments).
 */
class WeeklyFiguresTest {

    static final ReportProperties.Lagging LAGGING = new ReportProperties.Lagging(10, 2);
    static ReportFixture fixture;

    @BeforeAll
    static void load() {
        fixture = new ReportFixture();
        fixture.standard();
        assertThat(new FilingFacts(fixture.dataSource).catchUp()).isEqualTo(18); // 18 filing versions, the tax record not
        assertThat(new FilingFacts(fixture.dataSource).catchUp()).isZero();      // running it again adds nothing
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> city(Map<String, Object> doc, String code) {
        return ((List<Map<String, Object>>) doc.get("cities")).stream().filter(c -> code.equals(c.get("code"))).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> sub(Map<String, Object> row, String key) {
        return (Map<String, Object>) row.get(key);
    }

    static BigDecimal pct(String v) {
        return new BigDecimal(v);
    }

    static void basic(Map<String, Object> m, long filed, long should, long resumed, String rate) {
        assertThat(m.get("filed")).as("filed").isEqualTo(filed);
        assertThat(m.get("shouldResume")).as("shouldResume").isEqualTo(should);
        assertThat(m.get("resumed")).as("resumed").isEqualTo(resumed);
        assertThat(m.get("resumptionRate")).as("rate").isEqualTo(rate == null ? null : pct(rate));
    }

    @Test
    void weekAcrossTheMonthBoundary() {
        // 2020-W09: Monday 24 February to Sunday 1 March; cut-off Monday 2 March 00:00 Beijing time
        Map<String, Object> doc = fixture.content(ReportWeek.parse("2020-W09"), LAGGING);
        assertThat(doc.get("weekStart")).isEqualTo("2020-02-24");
        assertThat(doc.get("weekEnd")).isEqualTo("2020-03-01");
        assertThat(doc.get("cutOff")).isEqualTo("2020-03-02T00:00:00+08:00");

        // 南昌: F1 resumed; F2 resumed Sunday 23:30 (second version, stored first); F3 filed, plans 5 March;
        // F4 suspended; F5 withdrawn (out); F6 approved (its resumption is stamped exactly at the cut-off);
        // F7 resumed (tie on updatedAt, the later stored version)
        Map<String, Object> nc = city(doc, "360100");
        assertThat(nc.get("name")).isEqualTo("南昌市");
        basic(nc, 6, 5, 3, "60.00");
        assertThat(nc.get("employeesTotal")).isEqualTo(225L);      // 100+20+5+50+40+10
        assertThat(nc.get("employeesReturned")).isEqualTo(148L);   // 90+18+0+10+20+10
        assertThat(nc.get("returnRate")).isEqualTo(pct("65.78")); // 148/225
        assertThat(nc.get("capacityReported")).isEqualTo(3L);      // F1 80, F2 60, F7 100
        assertThat(nc.get("capacityAverage")).isEqualTo(pct("80.00"));
        basic(sub(nc, "aboveDesignated"), 2, 2, 1, "50.00");       // F1, F4
        basic(sub(nc, "sme"), 5, 4, 2, "50.00");                   // F2, F3, F4 (MEDIUM), F6, F7
        basic(sub(nc, "majorProject"), 1, 1, 0, "0.00");           // F4
        // previous week (cut-off 24 Feb): F1, F2 (approved), F4 (resumed then), F5 (filed), F6 → 5 / 4 / 2
        basic(sub(nc, "previousWeek"), 5, 4, 2, "50.00");
        assertThat(sub(nc, "change")).containsEntry("filed", 1L).containsEntry("resumed", 1L)
                .containsEntry("ratePoints", pct("10.00"));
        assertThat(nc.get("lagging")).isEqualTo(false);

        // 九江: J1 resumed on 10 Feb, J2–J4 should have by 21 Feb and have not; no growth for two weeks
        Map<String, Object> jj = city(doc, "360400");
        basic(jj, 4, 4, 1, "25.00");
        assertThat(jj.get("employeesTotal")).isEqualTo(248L);
        assertThat(jj.get("employeesReturned")).isEqualTo(152L);
        assertThat(jj.get("returnRate")).isEqualTo(pct("61.29"));
        assertThat(jj.get("capacityAverage")).isEqualTo(pct("90.00"));
        basic(sub(jj, "aboveDesignated"), 1, 1, 1, "100.00");
        basic(sub(jj, "sme"), 3, 3, 0, "0.00");
        basic(sub(jj, "majorProject"), 1, 1, 1, "100.00");
        assertThat(sub(jj, "change")).containsEntry("filed", 0L).containsEntry("resumed", 0L)
                .containsEntry("ratePoints", pct("0.00"));
        assertThat(jj.get("lagging")).isEqualTo(true);
        assertThat((List<String>) jj.get("laggingReasons")).hasSize(2)
                .anyMatch(r -> r.contains("25.00%") && r.contains("50.00%"))
                .anyMatch(r -> r.contains("连续2周"));

        // 赣州: one filing resumed on Monday 24 Feb; nothing the week before; no capacity reported
        Map<String, Object> gz = city(doc, "360700");
        basic(gz, 1, 1, 1, "100.00");
        assertThat(gz.get("capacityReported")).isEqualTo(0L);
        assertThat(gz.get("capacityAverage")).isNull();
        basic(sub(gz, "previousWeek"), 0, 0, 0, null);
        assertThat(sub(gz, "change")).containsEntry("filed", 1L).containsEntry("resumed", 1L).containsEntry("ratePoints", null);

        // a city with no filings: present, zeros, no rate, not lagging
        Map<String, Object> px = city(doc, "360300");
        assertThat(px.get("name")).isEqualTo("萍乡市");
        basic(px, 0, 0, 0, null);
        assertThat(px.get("returnRate")).isNull();
        assertThat(px.get("lagging")).isEqualTo(false);
        assertThat(px.get("remark")).isEqualTo("无备案");

        // province: the three cities, not Wuhan
        Map<String, Object> total = sub(doc, "provinceTotal");
        assertThat(total.get("code")).isEqualTo("360000");
        assertThat(total.get("name")).isEqualTo("江西省");
        basic(total, 11, 10, 5, "50.00");
        assertThat(total.get("employeesTotal")).isEqualTo(476L);
        assertThat(total.get("employeesReturned")).isEqualTo(303L);
        assertThat(total.get("returnRate")).isEqualTo(pct("63.66"));
        assertThat(total.get("capacityReported")).isEqualTo(4L);
        assertThat(total.get("capacityAverage")).isEqualTo(pct("82.50")); // (80+60+100+90)/4
        basic(sub(total, "aboveDesignated"), 3, 3, 2, "66.67");
        basic(sub(total, "sme"), 9, 8, 3, "37.50");
        basic(sub(total, "majorProject"), 2, 2, 1, "50.00");
        basic(sub(total, "previousWeek"), 9, 8, 3, "37.50");
        assertThat(sub(total, "change")).containsEntry("filed", 2L).containsEntry("resumed", 2L)
                .containsEntry("ratePoints", pct("12.50"));

        assertThat((List<Map<String, Object>>) doc.get("cities")).hasSize(11);
        assertThat((List<Map<String, Object>>) doc.get("laggingCities")).extracting(m -> m.get("code")).containsExactly("360400");
    }

    @Test
    @SuppressWarnings("unchecked")
    void industrySectionsAndPriorityClasses() {
        Map<String, Object> doc = fixture.content(ReportWeek.parse("2020-W09"), LAGGING);
        List<Map<String, Object>> sections = (List<Map<String, Object>>) doc.get("byIndustrySection");
        // Nanchang: C = F1, F2, F4; E = F6; F = F3; H = F7
        assertThat(sections.stream().filter(s -> "360100".equals(s.get("code"))).map(s -> s.get("section") + ":" + s.get("filed")
                + "/" + s.get("shouldResume") + "/" + s.get("resumed") + "/" + s.get("resumptionRate")))
                .containsExactly("C:3/3/2/66.67", "E:1/1/0/0.00", "F:1/0/0/null", "H:1/1/1/100.00");
        // province: A (G1), C (Nanchang 3 + J1, J4), E, F, G (J2, J3), H
        assertThat(sections.stream().filter(s -> "360000".equals(s.get("code"))).map(s -> s.get("section") + ":" + s.get("filed")
                + "/" + s.get("shouldResume") + "/" + s.get("resumed")))
                .containsExactly("A:1/1/1", "C:5/5/3", "E:1/1/0", "F:1/0/0", "G:2/2/0", "H:1/1/1");
        assertThat(sections.stream().filter(s -> "C".equals(s.get("section"))).findFirst().orElseThrow().get("sectionName"))
                .isEqualTo("制造业");
        List<Map<String, Object>> classes = (List<Map<String, Object>>) doc.get("byPriorityClass");
        // province: class 1 J1; class 2 F1, F3, F4, J2, J3, G1; class 3 F2, F6, F7, J4
        assertThat(classes.stream().filter(s -> "360000".equals(s.get("code"))).map(s -> s.get("priorityClass") + ":"
                + s.get("filed") + "/" + s.get("shouldResume") + "/" + s.get("resumed")))
                .containsExactly("1:1/1/1", "2:6/5/2", "3:4/4/2");
    }

    @Test
    void earlierWeeks() {
        // 2020-W08 (17–23 Feb): Nanchang 5/4/2, Jiujiang 4/4/1, Ganzhou nothing yet
        Map<String, Object> w8 = fixture.content(ReportWeek.parse("2020-W08"), LAGGING);
        basic(city(w8, "360100"), 5, 4, 2, "50.00");
        basic(city(w8, "360400"), 4, 4, 1, "25.00");
        basic(city(w8, "360700"), 0, 0, 0, null);
        // Jiujiang: rate 25 is 12.5 points below the province's 37.5 (lagging); resumed grew from W06 (0) to W07 (1): not stalled
        assertThat(city(w8, "360400").get("laggingReasons")).asList().hasSize(1);
        // 2020-W07 (10–16 Feb): Nanchang F2 (approved, planned 28 Feb), F5 (filed, planned 14 Feb); Jiujiang J1 resumed
        Map<String, Object> w7 = fixture.content(ReportWeek.parse("2020-W07"), LAGGING);
        basic(city(w7, "360100"), 2, 1, 0, "0.00");
        basic(city(w7, "360400"), 4, 1, 1, "100.00");
        basic(sub(w7, "provinceTotal"), 6, 2, 1, "50.00");
        // W07 Nanchang is 50 points below, but a city that never resumed anyone is flagged by the rate rule only
        assertThat(city(w7, "360100").get("lagging")).isEqualTo(true);
        assertThat(city(w7, "360100").get("laggingReasons")).asList().hasSize(1);
    }

    @Test
    void emptyWeek() {
        Map<String, Object> doc = fixture.content(ReportWeek.parse("2020-W02"), LAGGING);
        assertThat((List<?>) doc.get("cities")).hasSize(11);
        basic(sub(doc, "provinceTotal"), 0, 0, 0, null);
        assertThat(sub(doc, "provinceTotal").get("returnRate")).isNull();
        assertThat((List<?>) doc.get("laggingCities")).isEmpty();
        assertThat((List<?>) doc.get("byIndustrySection")).isEmpty();
    }

    @Test
    void theSameRecordsGiveTheSameContent() {
        Map<String, Object> a = fixture.content(ReportWeek.parse("2020-W09"), LAGGING);
        Map<String, Object> b = fixture.content(ReportWeek.parse("2020-W09"), LAGGING);
        assertThat(WeeklyReports.dataSha256(a)).isEqualTo(WeeklyReports.dataSha256(b));
        assertThat(WeeklyReports.dataSha256(a)).isNotEqualTo(WeeklyReports.dataSha256(fixture.content(ReportWeek.parse("2020-W08"), LAGGING)));
    }

    @Test
    void laggingRuleIsConfigurable() {
        // a 30-point gap: Jiujiang (25 points below) is flagged only for its stall; without the stall rule not at all
        Map<String, Object> doc = fixture.content(ReportWeek.parse("2020-W09"), new ReportProperties.Lagging(30, 2));
        assertThat(city(doc, "360400").get("laggingReasons")).asList().hasSize(1).first().asString().contains("连续2周");
        Map<String, Object> none = fixture.content(ReportWeek.parse("2020-W09"), new ReportProperties.Lagging(30, 0));
        assertThat(city(none, "360400").get("lagging")).isEqualTo(false);
    }

    @Test
    void isoWeeks() {
        assertThat(ReportWeek.parse("2020-W01").monday()).hasToString("2019-12-30");
        assertThat(ReportWeek.parse("2020-W53").sunday()).hasToString("2021-01-03");
        assertThat(ReportWeek.of(java.time.LocalDate.of(2020, 3, 1))).hasToString("2020-W09");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ReportWeek.parse("2021-W53"))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ReportWeek.parse("2020-9"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
