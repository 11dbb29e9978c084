package org.govhub.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.govhub.HubTest;
import org.govhub.SandboxHubTest;
import org.govhub.normalise.CanonicalJson;
import org.govhub.normalise.CreditCodes;
import org.govhub.sandbox.HrssFtpSandbox;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.govhub.sandbox.SocialInsuranceGenerator;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Policy enrichment end to end: cases written from the notices go in through the hub's normal
 * sources (a contribution file on the HRSS FTP drop, rows in the tax bureau's and the credit
 * centre's databases), next to the sandbox's generated data; the records the national platform
 * receives carry the facts, and the policy API answers for an enterprise and a period with the
 * same facts and their basis. Its own hub (it adds rows to the sandbox sources).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@HubTest({
            "govhub.sandbox.tax-bureau.rows=150",
            "govhub.sandbox.credit-reference.rows=100",
            "govhub.sandbox.hrss.drop-files=true",
            "govhub.sandbox.hrss.units=15",
            "govhub.batch.max-records=40",
            "govhub.batch.max-age=1s",
            "govhub.ingest.poll-interval=300",
            "govhub.security.admin-password=Policy-test-26",
        })
class PolicyEndToEndTest {

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate hub;
    @Autowired
    NationalPlatformReceiver platform;
    @Autowired
    HrssFtpSandbox ftp;
    @Value("${govhub.sandbox.tax-bureau.url}")
    String taxBureauUrl;
    @Value("${govhub.sandbox.credit-reference.url}")
    String creditUrl;

    private final HttpClient http = HttpClient.newHttpClient();

    /** A valid GB 32100 code in a region: 91 + region + 8 digits + n + check character. */
    static String code(String region, int n) {
        String body = "91" + region + String.format("%08d", n) + "0";
        return body + CreditCodes.checkCharacter(body);
    }

    static final String HUBEI_LARGE = code("420102", 1);
    static final String JIANGXI_LARGE = code("360102", 2);
    static final String JIANGXI_RETAIL = code("360102", 3);
    static final String JIANGXI_PUBLIC = "12" + code("360102", 4).substring(2, 17);
    static final String JIANGXI_ASSOCIATION = "51" + code("360102", 5).substring(2, 17);
    static final String UNKNOWN_SIZE = code("360102", 6);
    static final String GIVEN_LARGE = code("360102", 7);
    static final String TAXPAYER = code("360102", 8);
    static final String GUANGZHOU_TAXPAYER = code("440106", 9);
    static final String BORROWER = code("360102", 10);

    private static String withCheck(String seventeen) {
        return seventeen + CreditCodes.checkCharacter(seventeen);
    }

    private static SocialInsuranceGenerator.Row unitRow(String code, String type, String period, String employees, String region,
            String industry, String revenueWan, String size, String deferral, String months) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put(SocialInsuranceGenerator.CODE, code.length() == 17 ? withCheck(code) : code);
        c.put(SocialInsuranceGenerator.NAME, "政策核对单位" + code.substring(10));
        c.put(SocialInsuranceGenerator.TYPE, type);
        c.put(SocialInsuranceGenerator.PERIOD, period);
        c.put(SocialInsuranceGenerator.EMPLOYEES, employees);
        c.put(SocialInsuranceGenerator.BASE, "1000000.00");
        c.put(SocialInsuranceGenerator.PENSION, "160000.01");
        c.put(SocialInsuranceGenerator.UNEMPLOYMENT, "5000.00");
        c.put(SocialInsuranceGenerator.WORK_INJURY, "4000.00");
        c.put(SocialInsuranceGenerator.DEFERRAL, deferral);
        c.put(SocialInsuranceGenerator.REGION, region);
        c.put(SocialInsuranceGenerator.INDUSTRY, industry);
        c.put(SocialInsuranceGenerator.REVENUE, revenueWan);
        c.put(SocialInsuranceGenerator.ASSETS, "");
        c.put(SocialInsuranceGenerator.SIZE, size);
        c.put(SocialInsuranceGenerator.DEFERRAL_MONTHS, months);
        return new SocialInsuranceGenerator.Row(c, null);
    }

    static List<SocialInsuranceGenerator.Row> cases() {
        return List.of(
                // Hubei, a large manufacturer, June 2020: the last month of Hubei's exemption
                unitRow(HUBEI_LARGE, "10", "202006", "1500", "420102", "C2710", "50000", "", "N", ""),
                // Jiangxi, the same large manufacturer: April the last halved month; asks to defer 8 months
                unitRow(JIANGXI_LARGE, "10", "202004", "1500", "360102", "C2710", "50000", "", "Y", "8"),
                // ... and May: nothing left
                unitRow(JIANGXI_LARGE, "10", "202005", "1500", "360102", "C2710", "50000", "", "N", ""),
                // a retailer with 8 employees and 50000万 revenue: micro (the "or" condition), February: first exempt month
                unitRow(JIANGXI_RETAIL, "10", "202002", "8", "360102", "F5211", "50000", "", "N", ""),
                // a public institution: no relief
                unitRow(JIANGXI_PUBLIC.substring(0, 17), "30", "202003", "60", "360102", "", "", "", "N", ""),
                // a social organisation (other insured unit): halved
                unitRow(JIANGXI_ASSOCIATION.substring(0, 17), "70", "202002", "30", "360102", "", "", "", "N", ""),
                // an enterprise whose size nothing tells: its relief in March cannot be decided → quarantine
                unitRow(UNKNOWN_SIZE, "10", "202003", "30", "360102", "", "", "", "N", ""),
                // HRSS says large (1), the standard says small (120 staff, 1800万): both kept, flagged; exempt
                unitRow(GIVEN_LARGE, "10", "202003", "120", "360102", "C3581", "1800", "1", "N", ""));
    }

    private HttpResponse<String> get(String path, boolean authenticated) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
        if (authenticated) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString("admin:Policy-test-26".getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private JsonNode api(String creditCode, String period) throws Exception {
        HttpResponse<String> r = get("/api/policy/enterprises/" + creditCode + (period == null ? "" : "?period=" + period), true);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return CanonicalJson.read(r.body());
    }

    /** The records the platform received from a source, by source key (the last version of each). */
    private Map<String, JsonNode> delivered(String sourceId) {
        Map<String, JsonNode> out = new HashMap<>();
        List<String> batches = platform.receivedRecords(sourceId).stream().map(r -> (String) r.get("batch_id")).distinct().toList();
        for (String batch : batches) {
            for (String record : platform.receivedRecordsOf(batch)) {
                JsonNode json = CanonicalJson.read(record);
                if (json.path("provenance").path("sourceId").asText().equals(sourceId)) {
                    out.put(json.path("provenance").path("sourceRecordKey").asText(), json);
                }
            }
        }
        return out;
    }

    private static String key(SocialInsuranceGenerator.Row row) {
        return row.key();
    }

    @Test
    @Order(1)
    void casesSentThroughTheNormalSourcesArriveWithTheirPolicyFacts() throws Exception {
        HrssFtpSandbox.upload(ftp.port(), ftp.username(), ftp.password(), "city", "社保缴费_政策核对.csv",
                SocialInsuranceGenerator.csv(cases()), true);
        try (var c = DriverManager.getConnection(taxBureauUrl, "sa", ""); var s = c.createStatement()) {
            String insert = "INSERT INTO tax_declaration (decl_id, nsrsbh, nsrmc, sssq, zsxm_dm, nsrlx, sbrq, ybtse, sjje, yjbz,"
                    + " yjqx, xzqh_dm, nsqx) VALUES ";
            // Jiangxi, monthly, January: due 24 February; on time on the 24th, late on the 25th; a deferral one day too long
            s.execute(insert + "(900001, '" + TAXPAYER + "', '政策核对纳税人', '202001', '10101', '1', '2020-02-24', '100.00', '100.00', 'N', NULL, '360102', '06')");
            s.execute(insert + "(900002, '" + TAXPAYER + "', '政策核对纳税人', '202001', '10104', '1', '2020-02-25', '100.00', '0', 'Y', '2020-05-25', '360102', '06')");
            // quarterly, first quarter: 15 April, not extended
            s.execute(insert + "(900003, '" + TAXPAYER + "', '政策核对纳税人', '202003', '10106', '1', '2020-04-15', '100.00', '100.00', 'N', NULL, '360102', '08')");
            // Guangzhou, monthly, January: the 15th is a Saturday → Monday 17 February
            s.execute(insert + "(900004, '" + GUANGZHOU_TAXPAYER + "', '天河纳税人', '202001', '10101', '1', '2020-02-17', '100.00', '100.00', 'N', NULL, '440106', '06')");
        }
        try (var c = DriverManager.getConnection(creditUrl, "sa", ""); var s = c.createStatement()) {
            String insert = "INSERT INTO credit_event (event_id, zt_lx, zt_dm, zt_mc, jl_lx, je, fs_rq, yq_yx, yq_qk, hk_cn, xzqh) VALUES ";
            // an enterprise's epidemic overdue with a repayment commitment: not publicised
            s.execute(insert + "(900001, '1', '" + BORROWER + "', '政策核对借款企业', '01', 50000.00, DATE '2020-03-10', 1, '0', 'Y', '360102')");
            // the same enterprise, an administrative penalty: publicised
            s.execute(insert + "(900002, '1', '" + BORROWER + "', '政策核对借款企业', '03', 2000.00, DATE '2020-03-20', 1, '0', 'Y', '360102')");
            // an isolated person's epidemic overdue: not reported
            s.execute(insert + "(900003, '2', '360102199001010018', '李四', '01', 3000.00, DATE '2020-03-05', 1, '2', 'N', '360102')");
        }

        List<SocialInsuranceGenerator.Row> rows = cases();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            Map<String, JsonNode> si = delivered("social-insurance");
            return rows.stream().filter(r -> !r.columns().get(SocialInsuranceGenerator.CODE).equals(UNKNOWN_SIZE))
                    .allMatch(r -> si.containsKey(key(r)))
                    && delivered("tax-bureau").keySet().containsAll(List.of("900001", "900002", "900003", "900004"))
                    && delivered("credit-reference").keySet().containsAll(List.of("900001", "900002", "900003"));
        });

        Map<String, JsonNode> si = delivered("social-insurance");
        JsonNode hubei = si.get(key(rows.get(0))).path("policy");
        assertThat(hubei.path("socialInsuranceRelief").path("relief").asText()).isEqualTo("EXEMPT");
        assertThat(hubei.path("socialInsuranceRelief").path("regime").asText()).isEqualTo("hubei-all-units-exempt");
        assertThat(hubei.path("socialInsuranceRelief").path("allowance").path("monthsLeft").asInt()).isZero();
        assertThat(hubei.path("socialInsuranceRelief").path("relievedFen").asLong()).isEqualTo(16_900_001L);
        assertThat(hubei.path("socialInsuranceRelief").path("basis").get(0).path("clause").asText()).isEqualTo("二");
        assertThat(hubei.path("enterpriseSize").path("sizeClass").asText()).isEqualTo("LARGE");

        JsonNode april = si.get(key(rows.get(1))).path("policy");
        assertThat(april.path("socialInsuranceRelief").path("relief").asText()).isEqualTo("HALVED");
        assertThat(april.path("socialInsuranceRelief").path("relievedFen").asLong()).isEqualTo(8_000_000L + 250_000L + 200_000L);
        assertThat(april.path("socialInsuranceRelief").path("allowance").path("monthsLeft").asInt()).isZero();
        assertThat(april.path("deferral").path("honouredMonths").asInt()).isEqualTo(6);
        assertThat(april.path("deferral").path("withinLimit").asBoolean()).isFalse();
        assertThat(april.path("deferral").path("lateFeesWaived").asBoolean()).isTrue();
        assertThat(si.get(key(rows.get(2))).path("policy").path("socialInsuranceRelief").path("relief").asText()).isEqualTo("NONE");

        JsonNode retail = si.get(key(rows.get(3))).path("policy");
        assertThat(retail.path("enterpriseSize").path("sizeClass").asText()).isEqualTo("MICRO");
        assertThat(retail.path("socialInsuranceRelief").path("relief").asText()).isEqualTo("EXEMPT");
        assertThat(retail.path("socialInsuranceRelief").path("allowance").path("month").asInt()).isEqualTo(1);
        assertThat(retail.path("socialInsuranceRelief").path("allowance").path("monthsLeft").asInt()).isEqualTo(4);

        assertThat(si.get(key(rows.get(4))).path("policy").path("socialInsuranceRelief").path("regime").asText())
                .isEqualTo("government-and-public-institutions");
        assertThat(si.get(key(rows.get(4))).path("policy").path("socialInsuranceRelief").path("relief").asText()).isEqualTo("NONE");
        assertThat(si.get(key(rows.get(5))).path("policy").path("socialInsuranceRelief").path("relief").asText()).isEqualTo("HALVED");

        JsonNode flagged = si.get(key(rows.get(7))).path("policy");
        assertThat(flagged.path("enterpriseSize").path("given").asText()).isEqualTo("LARGE");
        assertThat(flagged.path("enterpriseSize").path("derived").asText()).isEqualTo("SMALL");
        assertThat(flagged.path("enterpriseSize").path("mismatch").asBoolean()).isTrue();
        assertThat(flagged.path("socialInsuranceRelief").path("relief").asText()).isEqualTo("EXEMPT");

        // the enterprise whose relief cannot be decided is in quarantine with the reason
        await().atMost(Duration.ofSeconds(30)).until(() -> hub.queryForObject(
                "SELECT COUNT(*) FROM quarantine WHERE source_record_key = ?", Integer.class, key(rows.get(6))) == 1);
        assertThat(hub.queryForObject("SELECT reasons FROM quarantine WHERE source_record_key = ?", String.class, key(rows.get(6))))
                .contains("size class of " + UNKNOWN_SIZE + " is unknown", "sme-exempt");

        Map<String, JsonNode> tax = delivered("tax-bureau");
        assertThat(tax.get("900001").path("policy").path("declarationDeadline").path("deadline").asText()).isEqualTo("2020-02-24");
        assertThat(tax.get("900001").path("policy").path("declarationDeadline").path("onTime").asBoolean()).isTrue();
        assertThat(tax.get("900002").path("policy").path("declarationDeadline").path("onTime").asBoolean()).isFalse();
        assertThat(tax.get("900002").path("policy").path("paymentDeferral").path("withinLimit").asBoolean()).isFalse();
        assertThat(tax.get("900003").path("policy").path("declarationDeadline").path("deadline").asText()).isEqualTo("2020-04-20"); // 清明 4–6 April in the window
        assertThat(tax.get("900004").path("policy").path("declarationDeadline").path("deadline").asText()).isEqualTo("2020-02-17");
        assertThat(tax.get("900004").path("policy").path("declarationDeadline").path("rule").asText()).isEqualTo("ROLLED_OVER");

        Map<String, JsonNode> credit = delivered("credit-reference");
        assertThat(credit.get("900001").path("policy").path("publicity").path("mayBePublicised").asBoolean()).isFalse();
        assertThat(credit.get("900002").path("policy").path("publicity").path("mayBePublicised").asBoolean()).isTrue();
        assertThat(credit.get("900003").path("policy").path("overdueReporting").path("mayBeReported").asBoolean()).isFalse();
    }

    @Test
    @Order(2)
    void everyDeliveredRecordOfTheGeneratedSandboxCarriesFactsThatFollowTheNotices() {
        await().atMost(Duration.ofSeconds(60)).until(() -> delivered("tax-bureau").size() > 100 && delivered("social-insurance").size() > 20);
        for (JsonNode r : delivered("tax-bureau").values()) {
            JsonNode d = r.path("policy").path("declarationDeadline");
            YearMonth period = YearMonth.parse(r.path("period").asText());
            boolean quarterly = r.path("filingFrequency").asText().equals("QUARTERLY");
            LocalDate expected;
            if (!quarterly && period.equals(YearMonth.of(2020, 1)) && r.path("regionCode").asText().startsWith("36")) {
                expected = LocalDate.of(2020, 2, 24);
            } else {
                YearMonth last = quarterly ? YearMonth.of(period.getYear(), ((period.getMonthValue() + 2) / 3) * 3) : period;
                // the generated periods are filed in February to April 2020 (第一百零九条, by the 2020 calendar):
                // Saturday 15 February rolls to the 17th, Sunday 15 March to the 16th, 清明 4–6 April moves 15 April to Saturday 18th → 20th
                expected = Map.of(2, LocalDate.of(2020, 2, 17), 3, LocalDate.of(2020, 3, 16), 4, LocalDate.of(2020, 4, 20))
                        .get(last.plusMonths(1).getMonthValue());
            }
            assertThat(d.path("deadline").asText()).as(r.toString()).isEqualTo(expected.toString());
            assertThat(d.path("onTime").asBoolean()).isEqualTo(!LocalDate.parse(r.path("declaredAt").asText()).isAfter(expected));
            assertThat(d.path("basis").size()).isPositive();
        }
        for (JsonNode r : delivered("social-insurance").values()) {
            JsonNode f = r.path("policy").path("socialInsuranceRelief");
            String size = r.path("policy").path("enterpriseSize").path("sizeClass").asText(null);
            YearMonth period = YearMonth.parse(r.path("period").asText());
            boolean hubei = r.path("regionCode").asText().startsWith("42");
            boolean exempt = !r.path("unitType").asText().equals("PUBLIC_INSTITUTION")
                    && !period.isBefore(YearMonth.of(2020, 2)) && !period.isAfter(YearMonth.of(2020, 6))
                    && (hubei || (r.path("unitType").asText().equals("ENTERPRISE") && !"LARGE".equals(size)));
            boolean halved = !exempt && !hubei && !r.path("unitType").asText().equals("PUBLIC_INSTITUTION")
                    && !period.isBefore(YearMonth.of(2020, 2)) && !period.isAfter(YearMonth.of(2020, 4));
            String expected = exempt ? "EXEMPT" : halved ? "HALVED"
                    : r.path("policy").path("deferral").path("honouredMonths").asInt() > 0 ? "DEFERRED" : "NONE";
            assertThat(f.path("relief").asText()).as(r.toString()).isEqualTo(expected);
            assertThat(f.path("basis").get(0).path("docNo").asText()).isEqualTo("人社部发〔2020〕11号");
        }
        for (JsonNode r : delivered("credit-reference").values()) {
            JsonNode f = r.path("policy").path("overdueReporting");
            boolean protectedPerson = r.path("recordType").asText().equals("LOAN_OVERDUE") && r.path("epidemicImpact").asBoolean()
                    && List.of("PATIENT", "ISOLATED", "UNDER_OBSERVATION", "PREVENTION_WORKER").contains(r.path("epidemicSituation").asText());
            assertThat(f.path("mayBeReported").asBoolean()).as(r.toString()).isEqualTo(!protectedPerson);
        }
    }

    @Test
    @Order(3)
    void theApiAnswersForAnEnterpriseAndAPeriodWithTheBasisAndKeepsTheHistoryOfAChangedRecord() throws Exception {
        assertThat(get("/api/policy/enterprises/" + HUBEI_LARGE, false).statusCode()).isEqualTo(401);
        assertThat(get("/api/policy/enterprises/not-a-code", true).statusCode()).isEqualTo(400);
        assertThat(get("/api/policy/enterprises/" + HUBEI_LARGE + "?period=2020-13", true).statusCode()).isEqualTo(400);

        JsonNode hubei = api(HUBEI_LARGE, "2020-06");
        assertThat(hubei.path("enterpriseSize").path("facts").path("enterpriseSize").path("sizeClass").asText()).isEqualTo("LARGE");
        JsonNode june = hubei.path("socialInsurance").get(0).path("facts");
        assertThat(june.path("socialInsuranceRelief").path("relief").asText()).isEqualTo("EXEMPT");
        assertThat(june.path("socialInsuranceRelief").path("basis").get(0).path("docNo").asText()).isEqualTo("人社部发〔2020〕11号");
        assertThat(api(HUBEI_LARGE, "2020-05").path("socialInsurance")).isEmpty();

        JsonNode taxpayer = api(TAXPAYER, "2020-01");
        assertThat(taxpayer.path("tax")).hasSize(2);
        assertThat(taxpayer.path("tax").findValues("onTime")).extracting(JsonNode::asBoolean).containsExactlyInAnyOrder(true, false);
        assertThat(taxpayer.path("tax").toString()).contains("赣府发〔2020〕2号");

        JsonNode borrower = api(BORROWER, "2020-03");
        assertThat(borrower.path("credit")).hasSize(2);
        assertThat(borrower.path("credit").findValues("mayBePublicised")).extracting(JsonNode::asBoolean)
                .containsExactlyInAnyOrder(true, false);

        // a person's records are never an enterprise's answer, and identity numbers only appear masked
        HttpResponse<String> person = get("/api/policy/enterprises/360102199001010018", true);
        assertThat(person.body()).doesNotContain("360102199001010018").doesNotContain("李四");
        assertThat(CanonicalJson.read(person.body()).path("credit")).isEmpty();

        // HRSS corrects the April row (4 months' deferral, not 8): the new version answers, the old one is history
        SocialInsuranceGenerator.Row corrected = unitRow(JIANGXI_LARGE, "10", "202004", "1500", "360102", "C2710", "50000", "", "Y", "4");
        HrssFtpSandbox.upload(ftp.port(), ftp.username(), ftp.password(), "city", "社保缴费_政策核对_更正.csv",
                SocialInsuranceGenerator.csv(List.of(corrected)), true);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> api(JIANGXI_LARGE, "2020-04").path("socialInsurance").path(0).path("history").size() == 1);
        JsonNode entry = api(JIANGXI_LARGE, "2020-04").path("socialInsurance").get(0);
        assertThat(entry.path("facts").path("deferral").path("honouredMonths").asInt()).isEqualTo(4);
        assertThat(entry.path("facts").path("deferral").path("withinLimit").asBoolean()).isTrue();
        JsonNode before = entry.path("history").get(0);
        assertThat(before.path("facts").path("deferral").path("honouredMonths").asInt()).isEqualTo(6);
        assertThat(before.path("record").path("deferralMonths").asInt()).isEqualTo(8);
        assertThat(before.path("contentHash").asText()).isNotEqualTo(entry.path("contentHash").asText());

        // the whole enterprise, every period
        JsonNode all = api(JIANGXI_LARGE, null);
        assertThat(all.path("socialInsurance")).hasSize(2);
        List<String> reliefs = new ArrayList<>();
        all.path("socialInsurance").forEach(e -> reliefs.add(e.path("facts").path("socialInsuranceRelief").path("relief").asText()));
        assertThat(reliefs).containsExactlyInAnyOrder("HALVED", "NONE");
    }
}
