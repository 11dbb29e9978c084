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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
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
import org.govhub.sandbox.SandboxFeed.Served;
import org.govhub.sandbox.SandboxFeed.Version;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Issue 11 on both REST sources, end to end on the sandbox: items whose updatedAt is broken (every
 * kind the sandbox can serve) or that have no id go to quarantine with their reason while every
 * other item arrives once, none vanishes, and the source goes on; a cursor that does not advance
 * (the same cursor back, the same page again) makes the source DOWN with the reason until the API
 * behaves, and nothing is lost or doubled meanwhile; an operator inspects, rewinds and skips through
 * the admin API, each move recorded; a mark poisoned before these rules existed is reported and
 * rewound. After every step the sources' counts add up: what the APIs served = items taken =
 * published + repeats + quarantined. The methods run in order on one hub.
 */
@HubTest({
            "govhub.sandbox.tax-bureau.rows=10",
            "govhub.batch.max-records=40",
            "govhub.batch.max-age=1s",
            "govhub.security.admin-password=" + SandboxHubTest.OPERATOR_PASSWORD,
            "govhub.sources.provincial-filings.enabled=true",
            "govhub.sources.provincial-filings.page-size=7",
            "govhub.sources.provincial-filings.rate-per-second=10",
            "govhub.sources.provincial-filings.poll-interval=300",
            "govhub.sources.provincial-filings.retry-delay=" + RestSourceMarkTest.RETRY_DELAY,
            "govhub.sources.provincial-filings.max-backoff=1600",
            "govhub.sources.provincial-filings.check-interval=100",
            "govhub.sources.credit-portal.enabled=true",
            "govhub.sources.credit-portal.page-size=6",
            "govhub.sources.credit-portal.rate-per-second=10",
            "govhub.sources.credit-portal.poll-interval=300",
            "govhub.sources.credit-portal.retry-delay=" + RestSourceMarkTest.RETRY_DELAY,
            "govhub.sources.credit-portal.max-backoff=1600",
            "govhub.sources.credit-portal.check-interval=100",
            "govhub.sandbox.provincial-platform.filings=40",
            "govhub.sandbox.provincial-platform.invalid-every=10",
            "govhub.sandbox.provincial-platform.max-requests-per-second=30",
            "govhub.sandbox.credit-portal.records=30",
            "govhub.sandbox.credit-portal.invalid-every=10",
            "govhub.sandbox.credit-portal.max-requests-per-second=30",
        })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestSourceMarkTest {

    static final int RETRY_DELAY = 200;
    static final String FILINGS = "provincial-filings";
    static final String CREDIT = "credit-portal";
    private static final String SOURCES = "/api/admin/sources/";

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

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    @Order(1)
    void itemsWithABrokenUpdatedAtOrNoIdAreQuarantinedWithTheirReasonAndNoOtherItemVanishes() throws Exception {
        awaitSettled(FILINGS, provincial.published(), provincial.feed());
        awaitSettled(CREDIT, creditPortal.published(), creditPortal.feed());

        // every kind of broken item, spread among 20 valid ones: pages of 7 put valid items after each
        List<Version> filings = provincial.publishNew(20, List.of(SandboxFeed.Broken.values()));
        List<Version> credit = creditPortal.publishNew(12, List.of(SandboxFeed.Broken.UNPARSEABLE_UPDATED_AT,
                SandboxFeed.Broken.EPOCH_MILLIS_UPDATED_AT, SandboxFeed.Broken.IMPOSSIBLE_UPDATED_AT,
                SandboxFeed.Broken.FAR_FUTURE_UPDATED_AT));
        awaitSettled(FILINGS, provincial.published(), provincial.feed());
        awaitSettled(CREDIT, creditPortal.published(), creditPortal.feed());

        Map<String, String> reasons = quarantineReasons(FILINGS);
        for (Version v : filings.stream().filter(v -> v.defect() != null).toList()) {
            Object value = v.item().get("updatedAt");
            String reason = reasons.get(v.defect().equals("no id") || v.defect().equals("an id instead of an item") ? "" : v.id());
            assertThat(reason).as("quarantine reasons of %s (%s)", v.id(), v.defect()).isNotNull();
            switch (v.defect()) {
                case "updatedAt that is not a time", "updatedAt in epoch milliseconds", "updatedAt without an offset" ->
                        assertThat(reason).contains("updatedAt '" + value + "' is not a real time in the source's format ISO_OFFSET_DATE_TIME");
                case "updatedAt on an impossible day" ->
                        assertThat(reason).contains("updatedAt '" + value + "' is not a real time", "DayOfMonth", "37");
                case "updatedAt far in the future" ->
                        assertThat(reason).contains("updatedAt '2099-12-31T23:59:59+08:00' lies in the future", "cannot be the source's mark");
                case "no updatedAt" -> assertThat(reason).contains("updatedAt is missing");
                case "no id" -> assertThat(reason).contains("filingId is missing");
                case "an id instead of an item" -> assertThat(reason).contains("items[", "] is not an item (a JSON object) but a text");
                default -> throw new AssertionError(v.defect());
            }
        }
        // the item is kept as it was served: the epoch-milliseconds one with its number
        Version epoch = filings.stream().filter(v -> "updatedAt in epoch milliseconds".equals(v.defect())).findFirst().orElseThrow();
        String raw = hub.queryForObject("SELECT raw_payload FROM quarantine WHERE source_id = ? AND source_record_key = ?",
                String.class, FILINGS, epoch.id());
        assertThat(CanonicalJson.read(raw).path("updatedAt").asText()).isEqualTo(epoch.item().get("updatedAt").toString());
        Map<String, String> creditReasons = quarantineReasons(CREDIT);
        credit.stream().filter(v -> v.defect() != null).forEach(v ->
                assertThat(creditReasons.get(v.id())).as(v.defect()).contains("updatedAt '" + v.item().get("updatedAt") + "'"));

        // no broken item became the mark: it stands at the last valid item
        assertThat(restPages.state(FILINGS).get("mark_updated_at")).isEqualTo(lastValidUpdatedAt(filings));
        assertThat(restPages.state(CREDIT).get("mark_updated_at")).isEqualTo(lastValidUpdatedAt(credit));

        // and the sources go on
        List<Version> more = provincial.publishNew(9, List.of());
        awaitSettled(FILINGS, provincial.published(), provincial.feed());
        assertThat(restPages.state(FILINGS).get("mark_updated_at")).isEqualTo(lastValidUpdatedAt(more));
        assertThat(health(FILINGS).path("status").asText()).isEqualTo("UP");
    }

    @Test
    @Order(2)
    void aCursorThatDoesNotAdvanceMakesTheSourceDownWithTheReasonUntilTheApiBehavesAndNothingIsLostOrDoubled() throws Exception {
        int filingRequests = provincial.feed().requests().size();
        post("/api/sandbox/provincial-platform/faults", "{\"behaviours\": [\"STALE_CURSOR\"], \"newItems\": 60}", 200);
        post("/api/sandbox/credit-portal/faults", "{\"behaviours\": [\"SAME_PAGE\"], \"newItems\": 40}", 200);

        JsonNode filings = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> health(FILINGS), h -> "DOWN".equals(h.path("status").asText()));
        assertThat(filings.path("details").path("reason").asText()).contains("answers a page's cursor with that same cursor",
                "does not advance");
        JsonNode credit = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> health(CREDIT), h -> "DOWN".equals(h.path("status").asText()));
        assertThat(credit.path("details").path("reason").asText()).contains("serves a page it served before");
        assertThat(health(null).path("status").asText()).isEqualTo("DOWN");
        // stays DOWN while the API misbehaves (several back-offs later)
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200))
                .until(() -> "DOWN".equals(health(FILINGS).path("status").asText()));

        post("/api/sandbox/provincial-platform/faults", "{\"behaviours\": []}", 200);
        post("/api/sandbox/credit-portal/faults", "{\"behaviours\": []}", 200);
        awaitSettled(FILINGS, provincial.published(), provincial.feed());
        awaitSettled(CREDIT, creditPortal.published(), creditPortal.feed());
        await().atMost(Duration.ofSeconds(10)).until(() -> "UP".equals(health(FILINGS).path("status").asText())
                && "UP".equals(health(CREDIT).path("status").asText()));

        // the stall was logged once, though it came back after every retry since the mark
        String log = Files.readString(Path.of("target/govhub-tests.log"), StandardCharsets.UTF_8);
        assertThat(occurrences(log, "source provincial-filings: STUCK: the source answers a page's cursor with that same cursor"))
                .isEqualTo(1);
        // after a stall, the next request asks since the mark, after a back-off that doubles
        List<Served> requests = provincial.feed().requests().subList(filingRequests, provincial.feed().requests().size());
        List<Long> backOffs = new ArrayList<>();
        for (int i = 0; i + 1 < requests.size(); i++) {
            Served r = requests.get(i);
            if (r.ok() && r.cursor() != null && r.cursor().equals(r.nextCursor())) {
                Served next = requests.get(i + 1);
                assertThat(next.cursor()).as("request after a stalled page").isNull();
                assertThat(next.updatedSince()).isNotNull();
                backOffs.add(Duration.between(r.at(), next.at()).toMillis());
            }
        }
        assertThat(backOffs).hasSizeGreaterThanOrEqualTo(3);
        assertThat(backOffs.get(0)).isGreaterThanOrEqualTo(RETRY_DELAY - 20);
        assertThat(backOffs.get(2)).isGreaterThanOrEqualTo(4L * RETRY_DELAY - 20);
    }

    @Test
    @Order(3)
    void anOperatorInspectsRewindsAndSkipsThroughTheAdminApiAndEveryMoveIsRecorded() throws Exception {
        awaitSettled(FILINGS, provincial.published(), provincial.feed());
        JsonNode source = get(SOURCES + FILINGS);
        JsonNode mark = source.path("mark");
        assertThat(mark.path("kind").asText()).isEqualTo("REST cursor");
        assertThat(mark.path("rule").asText()).contains("ISO_OFFSET_DATE_TIME", "1h");
        assertThat(mark.path("updatedAt").asText()).isEqualTo(restPages.state(FILINGS).get("mark_updated_at"));
        assertThat(mark.path("items").asLong()).isEqualTo(mark.path("published").asLong() + mark.path("repeats").asLong()
                + mark.path("quarantined").asLong());

        // wrong inputs: a clear 400 (or 404), nothing moves
        assertThat(post(SOURCES + FILINGS + "/mark/rewind", "{\"to\": \"2020-04-37\", \"reason\": \"x\"}", 400)
                .path("message").asText()).contains("'to' must be a date and time");
        assertThat(post(SOURCES + FILINGS + "/mark/rewind", "{\"to\": \"2099-01-01T00:00:00+08:00\", \"reason\": \"x\"}", 400)
                .path("message").asText()).contains("later than the hub's clock");
        assertThat(post(SOURCES + FILINGS + "/mark/rewind", "{\"to\": \"2020-03-01T00:00:00+08:00\"}", 400)
                .path("message").asText()).contains("reason");
        assertThat(post(SOURCES + FILINGS + "/mark/skip", "{\"key\": \" \", \"reason\": \"x\"}", 400)
                .path("message").asText()).contains("'key'");
        assertThat(post(SOURCES + FILINGS + "/mark/skip", "{\"key\": \"" + "G".repeat(201) + "\", \"reason\": \"x\"}", 400)
                .path("message").asText()).contains("201 characters");
        post(SOURCES + "no-such-source/mark/rewind", "{\"to\": \"2020-03-01T00:00:00+08:00\", \"reason\": \"x\"}", 404);
        assertThat(get(SOURCES + FILINGS).path("markChanges")).isEmpty();

        // forward: refused (it would pass over items never taken)
        assertThat(post(SOURCES + FILINGS + "/mark/rewind", "{\"to\": \"2026-01-01T00:00:00+08:00\", \"reason\": \"x\"}", 400)
                .path("message").asText()).contains("later than the mark", "skip single items instead");
        assertThat(get(SOURCES + FILINGS).path("markChanges")).isEmpty();

        // rewind to the middle of the first filings: read again, recognised, nothing delivered twice
        String middle = provincial.published().get(20).updatedAt();
        int received = received(FILINGS).size();
        long quarantined = quarantineCount(FILINGS);
        int requestsBefore = provincial.feed().requests().size();
        JsonNode moved = post(SOURCES + FILINGS + "/mark/rewind",
                "{\"to\": \"" + middle + "\", \"reason\": \"the platform lost a day of filings\"}", 200);
        JsonNode change = moved.path("markChanges").get(0);
        assertThat(change.path("action").asText()).isEqualTo("REWIND");
        assertThat(change.path("changed_by").asText()).isEqualTo("admin");
        assertThat(change.path("reason").asText()).isEqualTo("the platform lost a day of filings");
        assertThat(change.path("from_mark").asText()).contains(mark.path("updatedAt").asText());
        assertThat(change.path("to_mark").asText()).startsWith("(" + middle + ", [])");
        assertThat(change.path("changed_at").asText()).isNotEmpty();
        await().atMost(Duration.ofSeconds(20)).until(() -> provincial.feed().requests().size() > requestsBefore);
        assertThat(provincial.feed().requests().stream().skip(requestsBefore).map(Served::updatedSince)).contains(middle);
        awaitSettled(FILINGS, provincial.published(), provincial.feed());
        assertThat(received(FILINGS)).hasSize(received);
        assertThat(quarantineCount(FILINGS)).isEqualTo(quarantined);

        // skip: the item goes to quarantine with the operator's reason when it arrives; the others pass
        camel.getRouteController().stopRoute("provincial-filings-source");
        List<Version> batch = provincial.publishNew(6, List.of());
        Version skipped = batch.get(2);
        JsonNode afterSkip = post(SOURCES + FILINGS + "/mark/skip",
                "{\"key\": \"" + skipped.id() + "\", \"reason\": \"the department withdrew this filing\"}", 200);
        assertThat(afterSkip.path("markChanges").get(0).path("action").asText()).isEqualTo("SKIP");
        assertThat(afterSkip.path("mark").path("skips").get(0).path("status").asText()).isEqualTo("PENDING");
        assertThat(post(SOURCES + FILINGS + "/mark/skip", "{\"key\": \"" + skipped.id() + "\", \"reason\": \"again\"}", 400)
                .path("message").asText()).contains("waits to be skipped already");
        camel.getRouteController().startRoute("provincial-filings-source");
        await().atMost(Duration.ofSeconds(30)).until(() -> batch.stream().filter(v -> v != skipped).allMatch(v -> platform.holds(FILINGS, v.id()))
                && quarantineReasons(FILINGS).containsKey(skipped.id()));
        awaitAccounted(FILINGS, provincial.feed());
        assertThat(received(FILINGS).stream().map(r -> r.get("source_record_key"))).doesNotContain(skipped.id())
                .contains(batch.get(1).id(), batch.get(3).id());
        assertThat(quarantineReasons(FILINGS).get(skipped.id())).contains("skipped by admin on ", "the department withdrew this filing");
        JsonNode skip = get(SOURCES + FILINGS).path("mark").path("skips").get(0);
        assertThat(skip.path("status").asText()).isEqualTo("TAKEN");
        assertThat(skip.path("takenVersion").asText()).isEqualTo(skipped.updatedAt());

        // a later version of the skipped item passes
        Map<String, Object> corrected = new java.util.LinkedHashMap<>(skipped.item());
        corrected.put("updatedAt", "2020-06-01T08:00:00+08:00");
        corrected.put("status", "30");
        provincial.feed().publish(corrected);
        await().atMost(Duration.ofSeconds(30)).until(() -> platform.holds(FILINGS, skipped.id()));
        awaitAccounted(FILINGS, provincial.feed());
    }

    @Test
    @Order(4)
    void aMarkPoisonedBeforeTheseRulesIsReportedAndAnOperatorRewindsIt() throws Exception {
        camel.getRouteController().stopRoute("credit-portal-source");
        // what a far-future item made of the mark before updatedAt had a rule
        hub.update("UPDATE rest_cursor SET mark_updated_at = '2099-12-31T23:59:59+08:00', next_cursor = NULL WHERE source_id = ?", CREDIT);
        camel.getRouteController().startRoute("credit-portal-source");
        JsonNode down = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> health(CREDIT), h -> "DOWN".equals(h.path("status").asText()));
        assertThat(down.path("details").path("reason").asText()).contains("the stored mark's updatedAt '2099-12-31T23:59:59+08:00' lies in the future",
                "/api/admin/sources/credit-portal/mark/rewind");
        int received = received(CREDIT).size();
        post(SOURCES + CREDIT + "/mark/rewind", "{\"to\": \"2020-01-01T00:00:00+08:00\", \"reason\": \"poisoned mark\"}", 200);
        await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(health(CREDIT).path("status").asText()));
        awaitSettled(CREDIT, creditPortal.published(), creditPortal.feed());
        assertThat(received(CREDIT)).hasSize(received);
        assertThat(restPages.state(CREDIT).get("mark_updated_at")).isEqualTo(creditPortal.published().stream()
                .filter(v -> v.defect() == null).map(Version::updatedAt).max(java.util.Comparator.comparing(t -> Instant.from(
                        java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(t)))).orElseThrow());
    }

    // ---- helpers

    /**
     * Waits until every valid version is at the platform (once per content version) and every
     * broken one in quarantine, nothing more arrives, and the source's counts add up.
     */
    private void awaitSettled(String sourceId, List<Version> published, SandboxFeed feed) {
        Map<String, Integer> expected = RestSourcesEndToEndTest.expectedDeliveries(published);
        int total = expected.values().stream().mapToInt(Integer::intValue).sum();
        long broken = published.stream().filter(v -> v.defect() != null).map(Version::id).distinct().count();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() ->
                received(sourceId).size() >= total && quarantineCount(sourceId) >= broken);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10)).until(() -> received(sourceId).size() == total);
        Map<Object, Long> times = received(sourceId).stream()
                .collect(Collectors.groupingBy(r -> r.get("source_record_key"), Collectors.counting()));
        assertThat(times).isEqualTo(expected.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> (long) e.getValue())));
        assertThat(quarantineCount(sourceId)).isEqualTo(broken);
        awaitAccounted(sourceId, feed);
    }

    /** What the API served in its good answers = items taken = published + repeats + quarantined. */
    private void awaitAccounted(String sourceId, SandboxFeed feed) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            long served = feed.requests().stream().filter(Served::ok).mapToLong(r -> r.ids().size()).sum();
            Map<String, Object> s = restPages.state(sourceId);
            long items = ((Number) s.get("items")).longValue();
            assertThat(items).as("items taken of %s", sourceId).isEqualTo(served)
                    .isEqualTo(((Number) s.get("published")).longValue() + ((Number) s.get("repeats")).longValue()
                            + ((Number) s.get("quarantined")).longValue());
        });
    }

    private static String lastValidUpdatedAt(List<Version> versions) {
        List<Version> valid = versions.stream().filter(v -> v.defect() == null).toList();
        return valid.get(valid.size() - 1).updatedAt();
    }

    private List<Map<String, Object>> received(String sourceId) {
        return platform.receivedRecords(sourceId);
    }

    private long quarantineCount(String sourceId) {
        return hub.queryForObject("SELECT COUNT(*) FROM quarantine WHERE source_id = ?", Long.class, sourceId);
    }

    /** Reasons per quarantined key (the reasons of items without a key, under "", joined). */
    private Map<String, String> quarantineReasons(String sourceId) {
        return hub.queryForList("SELECT source_record_key, reasons FROM quarantine WHERE source_id = ?", sourceId).stream()
                .collect(Collectors.toMap(r -> (String) r.get("source_record_key"), r -> (String) r.get("reasons"), (a, b) -> a + " " + b));
    }

    private static int occurrences(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
            n++;
        }
        return n;
    }

    /** The health of one source, or the whole hub's with {@code null}. */
    private JsonNode health(String sourceId) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/actuator/health")).header("Authorization",
                basic()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isIn(200, 503); // 503 while DOWN
        JsonNode all = CanonicalJson.read(response.body());
        return sourceId == null ? all : all.path("components").path("sources").path("components").path(sourceId);
    }

    private JsonNode get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET(), 200, Function.identity());
    }

    private JsonNode post(String path, String json, int status) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), status, Function.identity());
    }

    private JsonNode send(HttpRequest.Builder request, int status, Function<JsonNode, JsonNode> f) throws Exception {
        HttpResponse<String> response = http.send(request.header("Authorization", basic()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s: %s", response.uri(), response.body()).isEqualTo(status);
        return f.apply(response.body().isEmpty() ? CanonicalJson.MAPPER.createObjectNode() : CanonicalJson.read(response.body()));
    }

    private static String basic() {
        return "Basic " + Base64.getEncoder().encodeToString(("admin:" + SandboxHubTest.OPERATOR_PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
