package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.govhub.HubTest;
import org.govhub.SandboxHubTest;
import org.govhub.ingest.RestPages;
import org.govhub.normalise.CanonicalJson;
import org.govhub.sandbox.CreditPortalSandbox;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.govhub.sandbox.ProvincialPlatformSandbox;
import org.govhub.sandbox.SandboxFeed;
import org.govhub.sandbox.SandboxFeed.Fault;
import org.govhub.sandbox.SandboxFeed.Served;
import org.govhub.sandbox.SandboxFeed.Version;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Both REST sources end to end on the sandbox: provincial platform (bearer token) and credit portal
 * (API key) → rest-source template → broker → batches → national platform. The sandbox APIs fail on
 * purpose (HTTP 500, a hang past the timeout, a cut-off body, HTTP 429) in the middle of the pull;
 * pages are small, so page boundaries cut through items that tie on updatedAt. The methods run in
 * order on one hub: first pull, then a wrong credential, later versions, a rewound cursor.
 */
@HubTest({
            "govhub.sandbox.tax-bureau.rows=10",
            "govhub.batch.max-records=40",
            "govhub.batch.max-age=1s",
            "govhub.security.admin-password=" + SandboxHubTest.OPERATOR_PASSWORD,
            "camel.component.http.response-timeout=1500",
            // the hub's side
            "govhub.sources.provincial-filings.enabled=true",
            "govhub.sources.provincial-filings.page-size=7",
            "govhub.sources.provincial-filings.rate-per-second=" + RestSourcesEndToEndTest.FILINGS_RATE,
            "govhub.sources.provincial-filings.poll-interval=500",
            "govhub.sources.provincial-filings.retry-delay=300",
            "govhub.sources.provincial-filings.max-backoff=2000",
            "govhub.sources.provincial-filings.check-interval=100",
            "govhub.sources.credit-portal.enabled=true",
            "govhub.sources.credit-portal.page-size=9",
            "govhub.sources.credit-portal.rate-per-second=" + RestSourcesEndToEndTest.CREDIT_RATE,
            "govhub.sources.credit-portal.poll-interval=500",
            "govhub.sources.credit-portal.retry-delay=300",
            "govhub.sources.credit-portal.max-backoff=1000",
            "govhub.sources.credit-portal.check-interval=100",
            // the sandbox's side: its own limits, and faults in the middle of the first pull
            "govhub.sandbox.provincial-platform.filings=120",
            "govhub.sandbox.provincial-platform.invalid-every=12",
            "govhub.sandbox.provincial-platform.max-requests-per-second=" + (RestSourcesEndToEndTest.FILINGS_RATE + 2),
            "govhub.sandbox.provincial-platform.hang-millis=2500",
            "govhub.sandbox.provincial-platform.fail-after=4",
            "govhub.sandbox.provincial-platform.faults=SERVER_ERROR,SERVER_ERROR,HANG,GARBAGE,TOO_MANY_REQUESTS",
            "govhub.sandbox.credit-portal.records=80",
            "govhub.sandbox.credit-portal.invalid-every=8",
            "govhub.sandbox.credit-portal.max-requests-per-second=" + (RestSourcesEndToEndTest.CREDIT_RATE + 2),
            "govhub.sandbox.credit-portal.hang-millis=2500",
            "govhub.sandbox.credit-portal.fail-after=2",
            "govhub.sandbox.credit-portal.faults=GARBAGE,SERVER_ERROR,HANG",
        })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestSourcesEndToEndTest {

    static final int FILINGS_RATE = 4;
    static final int CREDIT_RATE = 3;
    static final String FILINGS = "provincial-filings";
    static final String CREDIT = "credit-portal";

    /** The sandbox's credentials, generated at its first start (SandboxCredentials). */
    @Value("${govhub.sandbox.credit-portal.api-key}")
    String creditPortalKey;
    @Value("${govhub.sandbox.provincial-platform.token}")
    String provincialToken;
    @Autowired
    CamelContext camel;
    @Autowired
    ProvincialPlatformSandbox provincial;
    @Autowired
    CreditPortalSandbox creditPortal;
    @Autowired
    NationalPlatformReceiver platform;
    @Autowired
    RestPages restPages;
    @Autowired
    JdbcTemplate hub;
    @LocalServerPort
    int port;

    @Test
    @Order(1)
    void everyValidFilingReachesThePlatformOnceThroughFailingPagesAndEveryInvalidOneIsQuarantinedWithReasons() {
        awaitDelivered(FILINGS, provincial.published());
        assertDeliveredOncePerContentVersion(FILINGS, provincial.published());
        Map<String, String> reasons = quarantineReasons(FILINGS, provincial.published());
        provincial.published().stream().filter(v -> v.defect() != null).forEach(v -> {
            String all = reasons.get(v.id());
            switch (v.defect()) {
                case "credit code with a wrong check character" -> assertThat(all).contains("creditCode", "GB32100 check character");
                case "unknown industry code" -> assertThat(all).contains("industryCode", "Z01");
                case "industry division not in its section" -> assertThat(all).contains("industryCode", "division 52 is not in section C");
                case "region code missing from GB/T 2260" -> assertThat(all).contains("regionCode", "369999", "GB/T 2260");
                case "unknown status code" -> assertThat(all).contains("status (from status)", "'99'");
                case "revenue with fractions of a fen" -> assertThat(all).contains("operatingRevenueFen (from enterprise.revenueWan)");
                case "impossible planned date and unreadable returned count" -> assertThat(all).contains(
                        "plannedResumptionDate (from resumption.plannedDate)", "employeesReturned (from workforce.returned)");
                default -> throw new AssertionError(v.defect());
            }
        });
        // the raw item is kept as JSON, nested objects included
        String raw = hub.queryForObject("SELECT raw_payload FROM quarantine WHERE source_id = ? ORDER BY id LIMIT 1",
                String.class, FILINGS);
        assertThat(CanonicalJson.read(raw).path("enterprise").path("uscc").isTextual()).isTrue();

        // every planned fault happened in the middle of the pull, and no page was skipped for it
        SandboxFeed feed = provincial.feed();
        assertThat(feed.pendingFaults()).isZero();
        assertThat(feed.requests().stream().map(Served::fault).filter(f -> f != null).collect(Collectors.toSet()))
                .isEqualTo(EnumSet.of(Fault.SERVER_ERROR, Fault.HANG, Fault.GARBAGE, Fault.TOO_MANY_REQUESTS));
        assertPagingWasSound(feed.requests(), FILINGS_RATE);
        // ties on updatedAt were cut by page boundaries, and still every item was served and taken
        assertThat(servedIds(feed.requests())).containsAll(provincial.published().stream().map(Version::id).toList());
    }

    @Test
    @Order(2)
    void everyValidCreditEventArrivesOnceAndIdentityNumbersAreNeverLoggedOrShownUnmasked() throws Exception {
        awaitDelivered(CREDIT, creditPortal.published());
        assertDeliveredOncePerContentVersion(CREDIT, creditPortal.published());
        Map<String, String> reasons = quarantineReasons(CREDIT, creditPortal.published());
        for (Version v : creditPortal.published()) {
            if (v.defect() == null) {
                continue;
            }
            String all = reasons.get(v.id());
            String code = subjectCode(v);
            switch (v.defect()) {
                case "invalid identity number" -> assertThat(all).contains("subjectId", "GB11643", code.substring(0, 6) + "**********")
                        .doesNotContain(code);
                case "credit code with a wrong check character" -> assertThat(all).contains("subjectId", "GB32100 check character");
                case "unknown credit category" -> assertThat(all).contains("recordType (from category)", "'99'");
                case "region code missing from GB/T 2260" -> assertThat(all).contains("regionCode", "369999");
                case "impossible occurrence date" -> assertThat(all).contains("occurredOn (from occurredOn)", "2020-13-01");
                default -> throw new AssertionError(v.defect());
            }
        }
        assertThat(creditPortal.feed().pendingFaults()).isZero();
        assertPagingWasSound(creditPortal.feed().requests(), CREDIT_RATE);
        assertTheLogHoldsNoSecretsOrIdentityNumbers();
    }

    @Test
    @Order(3)
    void aWrongCredentialIsReportedInHealthAndTheLogAndNothingIsSkippedWhileItLasts() throws Exception {
        Map<String, Object> before = restPages.state(CREDIT);
        int requestsBefore = creditPortal.feed().requests().size();
        creditPortal.useToken("rotated-by-the-portal");
        try {
            // changes pile up at the portal while the hub cannot get in
            assertThat(creditPortal.revise()).isPositive();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() ->
                    creditPortal.feed().requests().stream().skip(requestsBefore).filter(r -> r.status() == 401).count() >= 3);
            JsonNode health = health();
            assertThat(health.path("status").asText()).as(health.toString()).isEqualTo("DOWN");
            JsonNode source = health.path("components").path("sources").path("components").path(CREDIT);
            assertThat(source.path("status").asText()).isEqualTo("DOWN");
            assertThat(source.path("details").path("error").asText()).contains("HTTP 401");
            assertThat(source.path("details").path("failures").asInt()).isGreaterThanOrEqualTo(3);
            // the other REST source is unaffected
            assertThat(health.path("components").path("sources").path("components").path(FILINGS).path("status").asText())
                    .isEqualTo("UP");
            Map<String, Object> during = restPages.state(CREDIT);
            assertThat(during.get("mark_updated_at")).isEqualTo(before.get("mark_updated_at"));
            assertThat(during.get("mark_id")).isEqualTo(before.get("mark_id"));
            assertThat(Files.readString(Path.of("target/govhub-tests.log"), StandardCharsets.UTF_8))
                    .contains("source credit-portal: page failed", "HTTP 401");
        } finally {
            creditPortal.useToken(creditPortalKey);
        }
        // the key is right again: everything that changed meanwhile arrives, each content version once
        awaitDelivered(CREDIT, creditPortal.published());
        assertDeliveredOncePerContentVersion(CREDIT, creditPortal.published());
        assertThat(health().path("components").path("sources").path("components").path(CREDIT).path("status").asText())
                .isEqualTo("UP");
        // requests after each 401 asked for the same page again: nothing was skipped
        assertPagingWasSound(creditPortal.feed().requests(), CREDIT_RATE);
        assertTheLogHoldsNoSecretsOrIdentityNumbers();
    }

    @Test
    @Order(4)
    void aChangedFilingIsANewVersionAndIsDeliveredAgainButAReReadIsNot() throws Exception {
        awaitDelivered(FILINGS, provincial.published());
        int revisions = provincial.revise();
        assertThat(revisions).isPositive();
        awaitDelivered(FILINGS, provincial.published());
        assertDeliveredOncePerContentVersion(FILINGS, provincial.published());
        long resumedTwice = platform.receivedRecords().stream().filter(r -> FILINGS.equals(r.get("source_id")))
                .collect(Collectors.groupingBy(r -> r.get("source_record_key"), Collectors.counting()))
                .values().stream().filter(n -> n == 2).count();
        // every revision of a filing delivered before is delivered again; a corrected one arrives for the first time
        long revisionsOfDelivered = provincial.published().stream().filter(v -> v.stage() == 1)
                .filter(v -> provincial.published().stream().anyMatch(o -> o.stage() == 0 && o.id().equals(v.id()) && o.defect() == null))
                .count();
        assertThat(revisionsOfDelivered).isPositive().isLessThan(revisions);
        assertThat(resumedTwice).isEqualTo(revisionsOfDelivered);

        // rewind the pull to the very beginning: everything is read again, nothing is delivered again
        int received = platform.receivedRecords().size();
        long quarantined = hub.queryForObject("SELECT COUNT(*) FROM quarantine", Long.class);
        camel.getRouteController().stopRoute("provincial-filings-source");
        hub.update("DELETE FROM rest_cursor WHERE source_id = ?", FILINGS);
        int requestsBefore = provincial.feed().requests().size();
        camel.getRouteController().startRoute("provincial-filings-source");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Map<String, Object> s = restPages.state(FILINGS);
            return !s.isEmpty() && s.get("next_cursor") == null
                    && ((Number) s.get("items")).longValue() >= provincial.feed().size();
        });
        assertThat(provincial.feed().requests().get(requestsBefore).cursor()).isNull();
        assertThat(provincial.feed().requests().get(requestsBefore).updatedSince()).isNull();
        Thread.sleep(3000); // a few batch and delivery rounds
        assertThat(platform.receivedRecords()).hasSize(received);
        assertThat(hub.queryForObject("SELECT COUNT(*) FROM quarantine", Long.class)).isEqualTo(quarantined);
    }

    // ---- helpers

    private void awaitDelivered(String sourceId, List<Version> published) {
        int expected = expectedDeliveries(published).values().stream().mapToInt(Integer::intValue).sum();
        long invalid = published.stream().filter(v -> v.defect() != null).count();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() ->
                received(sourceId).size() >= expected
                        && hub.queryForObject("SELECT COUNT(*) FROM quarantine WHERE source_id = ?", Long.class, sourceId) >= invalid);
        // a few more polls and delivery rounds: nothing more may arrive
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> received(sourceId).size() == expected);
    }

    private List<Map<String, Object>> received(String sourceId) {
        return platform.receivedRecords().stream().filter(r -> sourceId.equals(r.get("source_id"))).toList();
    }

    /** Per id, how often it must reach the platform: its first valid version, and every later one with new content. */
    static Map<String, Integer> expectedDeliveries(List<Version> published) {
        Map<String, Integer> times = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (Version v : published) {
            if (v.defect() == null && (seen.add(v.id()) || v.newContent())) {
                times.merge(v.id(), 1, Integer::sum);
            }
        }
        return times;
    }

    private void assertDeliveredOncePerContentVersion(String sourceId, List<Version> published) {
        List<Map<String, Object>> received = received(sourceId);
        Map<Object, Long> times = received.stream().collect(Collectors.groupingBy(r -> r.get("source_record_key"), Collectors.counting()));
        Map<Object, Long> expected = expectedDeliveries(published).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> (long) e.getValue()));
        assertThat(times).isEqualTo(expected);
        // no content version twice
        assertThat(received.stream().map(r -> r.get("content_hash")).distinct().count()).isEqualTo(received.size());
    }

    /** Reasons per quarantined id; exactly the broken versions are there, once each. */
    private Map<String, String> quarantineReasons(String sourceId, List<Version> published) {
        List<Map<String, Object>> rows = hub.queryForList(
                "SELECT source_record_key, reasons FROM quarantine WHERE source_id = ?", sourceId);
        assertThat(rows).extracting(r -> (String) r.get("source_record_key")).containsExactlyInAnyOrderElementsOf(
                published.stream().filter(v -> v.defect() != null).map(Version::id).toList());
        return rows.stream().collect(Collectors.toMap(r -> (String) r.get("source_record_key"), r -> (String) r.get("reasons")));
    }

    /**
     * What the API saw: a failed request is followed by the same request (same cursor or updatedSince)
     * after a back-off; a good page with a next cursor is followed by a request for exactly that
     * cursor; never more requests in a second than the hub's configured rate, so the API's own limit
     * (HTTP 429) never struck except where injected.
     */
    private static void assertPagingWasSound(List<Served> log, int rate) {
        assertThat(log).hasSizeGreaterThan(3);
        for (int i = 0; i + 1 < log.size(); i++) {
            Served r = log.get(i);
            Served next = log.get(i + 1);
            if (!r.ok()) {
                assertThat(next.position()).as("request %d after failed request %d (%s)", i + 1, i, r).isEqualTo(r.position());
                assertThat(Duration.between(r.at(), next.at()).toMillis()).as("back-off after %s", r).isGreaterThanOrEqualTo(250);
            } else if (r.nextCursor() != null) {
                assertThat(next.cursor()).as("request %d after page %d", i + 1, i).isEqualTo(r.nextCursor());
            } else {
                assertThat(next.cursor()).as("after catching up, changes since the mark").isNull();
                assertThat(next.updatedSince()).isNotNull();
            }
        }
        assertThat(log).noneMatch(r -> r.status() == 429 && r.fault() == null);
        for (int i = 0; i < log.size(); i++) {
            Served first = log.get(i);
            // a second, less 150 ms for network and scheduling jitter between the hub's throttle and the
            // API; on a loaded machine one request of the next second can arrive early, hence + 1 (the
            // API's own limit, the rate + 2, is the referee: no 429 struck unless injected, above)
            long inWindow = log.stream().skip(i).takeWhile(r -> r.at().isBefore(first.at().plusMillis(850))).count();
            assertThat(inWindow).as("requests within a second from %s", first.at()).isLessThanOrEqualTo(rate + 1);
        }
    }

    static Set<String> servedIds(List<Served> log) {
        return log.stream().filter(Served::ok).flatMap(r -> r.ids().stream()).collect(Collectors.toSet());
    }

    private static String subjectCode(Version v) {
        return (String) ((Map<?, ?>) v.item().get("subject")).get("code");
    }

    private void assertTheLogHoldsNoSecretsOrIdentityNumbers() throws Exception {
        String log = Files.readString(Path.of("target/govhub-tests.log"), StandardCharsets.UTF_8);
        assertThat(log).contains("source credit-portal: page done: ");
        assertThat(log).doesNotContain(creditPortalKey, provincialToken);
        List<String> identityNumbers = new ArrayList<>();
        creditPortal.published().stream().filter(v -> "自然人".equals(((Map<?, ?>) v.item().get("subject")).get("type")))
                .forEach(v -> identityNumbers.add(subjectCode(v)));
        assertThat(identityNumbers).isNotEmpty();
        for (String id : identityNumbers) {
            assertThat(log).doesNotContain(id);
        }
    }

    private JsonNode health() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        ("admin:" + SandboxHubTest.OPERATOR_PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .GET().build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        return CanonicalJson.read(response.body());
    }
}
