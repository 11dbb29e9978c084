package org.govhub.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.camel.CamelContext;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.govhub.HubTest;
import org.govhub.SandboxHubTest;
import org.govhub.normalise.CanonicalJson;
import org.govhub.sandbox.HrssFtpSandbox;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.govhub.sandbox.ProvincialPlatformSandbox;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The weekly report on a running hub: the sandbox's filings (and their later versions) flow in
 * through the provincial platform source; reports for every week they span are generated over the
 * API and compared with figures computed here, independently, from the records the national
 * platform received; the Monday schedule runs on a fixed clock, twice, and sends once; deliveries
 * reach the platform, the DRC/MIIT FTP drop and the archive; a failed FTP delivery is visible and re-sent.
 */
@HubTest({
            "govhub.sandbox.tax-bureau.rows=10",
            "govhub.batch.max-records=50",
            "govhub.batch.max-age=1s",
            "govhub.security.admin-password=" + SandboxHubTest.OPERATOR_PASSWORD,
            "govhub.sources.provincial-filings.enabled=true",
            "govhub.sources.provincial-filings.rate-per-second=20",
            "govhub.sources.provincial-filings.poll-interval=500",
            "govhub.sandbox.provincial-platform.max-requests-per-second=30",
            "govhub.report.enabled=false", // the test calls the schedule's check itself, at chosen times
            "govhub.report.delivery.poll-interval=200",
            "govhub.report.delivery.max-attempts=2",
            "govhub.report.delivery.first-backoff=200ms",
        })
@Import(WeeklyReportEndToEndTest.FixedClock.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WeeklyReportEndToEndTest {

    static final Path DATA_DIR = SandboxHubTest.newDataDir("govhub-report-test");
    static final MutableClock CLOCK = new MutableClock();

    @TestConfiguration
    static class FixedClock {
        @Bean
        @Primary
        Clock testClock() {
            return CLOCK;
        }
    }

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) {
        registry.add("govhub.data-dir", DATA_DIR::toString);
    }

    @Autowired
    ProvincialPlatformSandbox provincial;
    @Autowired
    NationalPlatformReceiver platform;
    @Autowired
    HrssFtpSandbox ftp;
    @Autowired
    WeeklyReports reports;
    @Autowired
    ReportDeliveries deliveries;
    @Autowired
    CamelContext camel;
    @Autowired
    JdbcTemplate hub;
    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    @Order(1)
    void reportsForEveryWeekMatchFiguresComputedIndependentlyFromThePlatformsRecords() throws Exception {
        CLOCK.set(Instant.parse("2020-06-01T00:00:00Z"));
        awaitFilings();
        provincial.revise(); // later versions: resumptions, a corrected filing
        awaitFilings();

        List<JsonNode> records = platformRecords();
        TreeSet<ReportWeek> weeks = new TreeSet<>();
        for (JsonNode r : records) {
            weeks.add(ReportWeek.of(OffsetDateTime.parse(r.path("updatedAt").asText()).atZoneSameInstant(ReportFixture.ZONE).toLocalDate()));
        }
        weeks.add(weeks.last().minusWeeks(-1));
        assertThat(weeks.size()).isGreaterThanOrEqualTo(3);
        for (ReportWeek week : weeks) {
            HttpResponse<String> response = post("/api/reports/weeks/" + week + "/generate");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
            JsonNode stored = CanonicalJson.read(response.body());
            String reportId = stored.path("report_id").asText();
            JsonNode doc = CanonicalJson.read(get("/api/reports/" + reportId + "/files/" + reportId + ".json").body());
            Map<String, long[]> expected = independently(records, week);
            long[] province = new long[4];
            for (JsonNode city : doc.path("cities")) {
                long[] e = expected.getOrDefault(city.path("code").asText(), new long[4]);
                assertThat(new long[] {city.path("filed").asLong(), city.path("shouldResume").asLong(), city.path("resumed").asLong(),
                        city.path("employeesReturned").asLong()}).as(week + " " + city.path("name").asText()).containsExactly(e);
                for (int i = 0; i < 4; i++) {
                    province[i] += e[i];
                }
            }
            JsonNode total = doc.path("provinceTotal");
            assertThat(new long[] {total.path("filed").asLong(), total.path("shouldResume").asLong(), total.path("resumed").asLong(),
                    total.path("employeesReturned").asLong()}).as(week + " province").containsExactly(province);
            assertThat(stored.path("manifest").path("recordCounts").path("filings").asLong()).isEqualTo(province[0]);
        }
        // the sandbox's filings are real data for at least one week
        assertThat(hub.queryForObject("SELECT MAX(filings) FROM weekly_report", Long.class)).isGreaterThan(100);

        // asking again for a week whose records did not change: the same report, nothing new sent
        ReportWeek some = weeks.first();
        String first = reports.latest(some).orElseThrow().get("report_id").toString();
        HttpResponse<String> again = post("/api/reports/weeks/" + some + "/generate");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(CanonicalJson.read(again.body()).path("report_id").asText()).isEqualTo(first);
        assertThat(CanonicalJson.read(again.body()).path("created").asBoolean()).isFalse();

        // every report is delivered to the three targets
        awaitAllDelivered();
        List<Map<String, Object>> received = platform.receivedReports();
        assertThat(received).hasSize(weeks.size());
        assertThat(received).allMatch(r -> ((Number) r.get("submissions")).intValue() == 1);
        for (Map<String, Object> r : received) {
            String id = (String) r.get("report_id");
            Path folder = ftp.drcMiitHome().resolve("reports").resolve(id);
            assertThat(folder.resolve("manifest.json")).exists();
            JsonNode manifest = CanonicalJson.read(Files.readString(folder.resolve("manifest.json")));
            for (JsonNode f : manifest.path("files")) {
                assertThat(WeeklyReports.sha256(Files.readAllBytes(folder.resolve(f.path("name").asText()))))
                        .as(f.path("name").asText()).isEqualTo(f.path("sha256").asText());
                assertThat(deliveries.archiveDir().resolve(manifest.path("week").asText()).resolve(id).resolve(f.path("name").asText()))
                        .exists();
            }
            assertThat(folder).isDirectoryNotContaining("glob:**.part");
        }
    }

    @Test
    @Order(2)
    void mondayAtEightTheScheduleGeneratesTheWeekOnceAndSendsItOnce() throws Exception {
        // Monday 6 April 2020, 07:59 Beijing time: the week before (23–29 March) is due, 2020-W14 is not yet
        CLOCK.set(Instant.parse("2020-04-05T23:59:00Z"));
        reports.runIfDue();
        assertThat(reports.latest(ReportWeek.parse("2020-W14"))).isEmpty();
        assertThat(reports.latest(ReportWeek.parse("2020-W13"))).isPresent();
        // 08:00 Beijing time
        CLOCK.set(Instant.parse("2020-04-06T00:00:00Z"));
        List<WeeklyReports.Stored> created = reports.runIfDue();
        assertThat(created).hasSize(1);
        assertThat(created.get(0).report().get("week")).isEqualTo("2020-W14");
        assertThat(created.get(0).report().get("trigger_kind")).isEqualTo("SCHEDULE");
        // the check runs again (every minute; or after a restart): nothing new
        CLOCK.set(Instant.parse("2020-04-06T00:01:00Z"));
        assertThat(reports.runIfDue()).isEmpty();
        assertThat(hub.queryForObject("SELECT COUNT(*) FROM weekly_report WHERE week = '2020-W14'", Long.class)).isEqualTo(1);
        awaitAllDelivered();
        assertThat(platform.receivedReports().stream().filter(r -> "2020-W14".equals(r.get("week"))).toList())
                .singleElement().satisfies(r -> assertThat(r.get("submissions")).isEqualTo(1));
        // down over the next two Mondays, back on Wednesday 22 April: both missed weeks are made
        CLOCK.set(Instant.parse("2020-04-22T02:00:00Z"));
        assertThat(reports.runIfDue()).extracting(s -> s.report().get("week")).containsExactly("2020-W15", "2020-W16");
        assertThat(reports.runIfDue()).isEmpty();
        // the schedule is a route with an id, started
        assertThat(camel.getRouteController().getRouteStatus("weekly-report").isStarted()).isTrue();
        assertThat(camel.getRouteController().getRouteStatus("weekly-report-delivery").isStarted()).isTrue();
    }

    @Test
    @Order(3)
    void aFailedDeliveryIsVisibleAndCanBeResent() throws Exception {
        awaitAllDelivered();
        ftp.drcMiitLogin(false); // the drop refuses uploads
        CLOCK.set(Instant.parse("2020-05-01T00:00:00Z"));
        HttpResponse<String> created = post("/api/reports/weeks/2020-W02/generate");
        assertThat(created.statusCode()).isEqualTo(201);
        String id = CanonicalJson.read(created.body()).path("report_id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> status(id, ReportDeliveries.FTP_DROP).equals("FAILED"));
        assertThat(status(id, ReportDeliveries.PLATFORM)).isEqualTo("DELIVERED");
        JsonNode failed = CanonicalJson.read(get("/api/reports/deliveries?status=FAILED").body());
        assertThat(failed.path("deliveries")).anySatisfy(d -> {
            assertThat(d.path("report_id").asText()).isEqualTo(id);
            assertThat(d.path("attempts").asInt()).isEqualTo(2);
            assertThat(d.path("last_error").asText()).isNotEmpty();
        });
        assertThat(CanonicalJson.read(get("/api/reports").body()).path("failedDeliveries").size()).isEqualTo(1);
        JsonNode health = CanonicalJson.read(get("/actuator/health").body()).path("components").path("reports");
        assertThat(health.path("details").path("deliveries").path("FAILED").asInt()).isEqualTo(1);
        assertThat(health.path("details").path("failed").get(0).asText()).contains(id, "drc-miit-ftp");
        // a delivered one cannot be re-sent while it is pending; the failed one can once the cause is fixed
        ftp.drcMiitLogin(true);
        assertThat(post("/api/reports/" + id + "/deliveries/" + ReportDeliveries.FTP_DROP + "/resend").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> status(id, ReportDeliveries.FTP_DROP).equals("DELIVERED"));
        assertThat(post("/api/reports/" + id + "/deliveries/nowhere/resend").statusCode()).isEqualTo(409);
        assertThat(ftp.drcMiitHome().resolve("reports").resolve(id).resolve("manifest.json")).exists();
    }

    @Test
    @Order(4)
    void theApiNeedsALoginAndServesTheFiles() throws Exception {
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(base() + "/api/reports")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        String id = reports.latest(ReportWeek.parse("2020-W14")).orElseThrow().get("report_id").toString();
        HttpResponse<byte[]> xlsx = http.send(authorised(base() + "/api/reports/" + id + "/files/" + id + ".xlsx").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(xlsx.statusCode()).isEqualTo(200);
        try (XSSFWorkbook wb = new XSSFWorkbook(new ByteArrayInputStream(xlsx.body()))) {
            assertThat(wb.getSheetAt(0).getSheetName()).isEqualTo("汇总");
            assertThat(wb.getSheetAt(0).getRow(1).getCell(1).getStringCellValue()).isEqualTo("设区市");
        }
        assertThat(get("/api/reports/" + id + "/files/../../hub/govhub.mv.db").statusCode()).isIn(400, 404);
        assertThat(post("/api/reports/weeks/2099-W01/generate").statusCode()).isEqualTo(400); // not ended
        assertThat(post("/api/reports/weeks/2020-13/generate").statusCode()).isEqualTo(400);
        JsonNode week = CanonicalJson.read(get("/api/reports/weeks/2020-W14").body());
        assertThat(week.path("manifest").path("files").size()).isEqualTo(10); // xlsx, 7 csv, json, png
    }

    @Test
    @Order(5)
    void neitherTheFtpPasswordNorThePlatformTokenIsInAnyEndpointUri(
            @Value("${govhub.report.delivery.ftp.password}") String ftpPassword,
            @Value("${govhub.platform.token}") String platformToken) {
        awaitAllDelivered();
        assertThat(hub.queryForObject("SELECT COUNT(*) FROM report_delivery WHERE status = 'DELIVERED'", Long.class)).isPositive();
        assertThat(List.of(ftpPassword, platformToken)).allSatisfy(secret -> assertThat(secret).isNotBlank());
        assertThat(camel.getEndpoints()).extracting(org.apache.camel.Endpoint::getEndpointUri)
                .anyMatch(uri -> uri.contains("/api/v1/reports")).anyMatch(uri -> uri.startsWith("ftp:"))
                .allSatisfy(uri -> assertThat(uri).doesNotContain(ftpPassword).doesNotContain(platformToken));
    }

    // ------------------------------------------------------------------ helpers

    /** Per city: filed, should have resumed, resumed, employees returned, from the platform's records, by the definitions in docs/weekly-report.md. */
    static Map<String, long[]> independently(List<JsonNode> records, ReportWeek week) {
        Instant cutOff = week.cutOff(ReportFixture.ZONE).toInstant();
        LocalDate sunday = week.sunday();
        Map<String, JsonNode> current = new HashMap<>();
        for (JsonNode r : records) {
            Instant updated = OffsetDateTime.parse(r.path("updatedAt").asText()).toInstant();
            if (!updated.isBefore(cutOff)) {
                continue;
            }
            String key = r.path("provenance").path("sourceId").asText() + "/" + r.path("provenance").path("sourceRecordKey").asText();
            JsonNode before = current.get(key);
            if (before == null || !OffsetDateTime.parse(before.path("updatedAt").asText()).toInstant().isAfter(updated)) {
                current.put(key, r);
            }
        }
        Map<String, long[]> byCity = new TreeMap<>();
        for (JsonNode r : current.values()) {
            String region = r.path("regionCode").asText();
            if (!region.startsWith("36") || "WITHDRAWN".equals(r.path("status").asText())
                    || !OffsetDateTime.parse(r.path("filedAt").asText()).toInstant().isBefore(cutOff)) {
                continue;
            }
            String actual = r.path("actualResumptionDate").asText("");
            String planned = r.path("plannedResumptionDate").asText("");
            boolean resumed = "RESUMED".equals(r.path("status").asText())
                    && (actual.isEmpty() || !LocalDate.parse(actual).isAfter(sunday));
            boolean should = resumed || (!planned.isEmpty() && !LocalDate.parse(planned).isAfter(sunday));
            long[] c = byCity.computeIfAbsent(region.substring(0, 4) + "00", k -> new long[4]);
            c[0]++;
            c[1] += should ? 1 : 0;
            c[2] += resumed ? 1 : 0;
            c[3] += r.path("employeesReturned").asLong();
        }
        return byCity;
    }

    List<JsonNode> platformRecords() {
        List<JsonNode> all = new ArrayList<>();
        platform.receivedRecords("provincial-filings").stream().map(r -> (String) r.get("batch_id")).distinct()
                .forEach(b -> platform.receivedRecordsOf(b).forEach(json -> all.add(CanonicalJson.read(json))));
        return all.stream().filter(r -> "provincial-filings".equals(r.path("provenance").path("sourceId").asText())).toList();
    }

    void awaitFilings() {
        long expected = provincial.published().stream().filter(v -> v.defect() == null && v.newContent()).count();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
                .until(() -> platform.receivedCount("provincial-filings") >= expected);
        assertThat(platform.receivedCount("provincial-filings")).isEqualTo(expected);
    }

    void awaitAllDelivered() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                hub.queryForObject("SELECT COUNT(*) FROM report_delivery WHERE status <> 'DELIVERED'", Long.class) == 0);
    }

    String status(String reportId, String target) {
        return hub.queryForObject("SELECT status FROM report_delivery WHERE report_id = ? AND target = ?", String.class,
                reportId, target);
    }

    String base() {
        return "http://localhost:" + port;
    }

    HttpRequest.Builder authorised(String url) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString(("admin:" + SandboxHubTest.OPERATOR_PASSWORD).getBytes(StandardCharsets.UTF_8)));
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(authorised(base() + path).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    HttpResponse<String> post(String path) throws Exception {
        return http.send(authorised(base() + path).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

}
