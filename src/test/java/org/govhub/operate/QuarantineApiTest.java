package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.govhub.HubTest;
import org.govhub.SandboxHubTest;
import org.govhub.normalise.CanonicalJson;
import org.govhub.sandbox.CreditReferenceSandbox;
import org.govhub.sandbox.GeneratedRow;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.govhub.sandbox.TaxBureauSandbox;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * An operator at work on the quarantine over the admin API: filter, look, correct, replay, accept
 * a real credit code. Its own hub (replays change what the platform holds).
 */
@HubTest({
            "govhub.sandbox.tax-bureau.rows=200",
            "govhub.sandbox.credit-reference.rows=120",
            "govhub.batch.max-records=40",
            "govhub.batch.max-age=1s",
            "govhub.ingest.poll-interval=300",
            "govhub.security.admin-password=Quarantine-test-26",
        })
class QuarantineApiTest {

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate hub;
    @Autowired
    TaxBureauSandbox taxBureau;
    @Autowired
    CreditReferenceSandbox creditCentre;
    @Autowired
    NationalPlatformReceiver platform;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void everythingIngested() {
        long invalid = taxBureau.rows().stream().filter(r -> !r.valid()).count()
                + creditCentre.rows().stream().filter(r -> !r.valid()).count();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> hub.queryForObject("SELECT COUNT(*) FROM quarantine", Long.class) >= invalid);
    }

    @Test
    void operatorsFilterTheQuarantineAndSeeIdentityNumbersOnlyMasked() throws Exception {
        JsonNode byReason = json(call("GET", "/api/admin/quarantine?source=tax-bureau&reason=" + enc("GB32100 check character"), null));
        long wrongCheck = taxBureau.rows().stream().filter(r -> "credit code with a wrong check character".equals(r.defect())).count();
        assertThat(byReason.path("total").asLong()).isEqualTo(wrongCheck);
        byReason.path("records").forEach(r -> assertThat(r.path("reasons").toString()).contains("GB32100 check character"));

        GeneratedRow person = creditCentre.rows().stream()
                .filter(r -> "identity number with a wrong check character".equals(r.defect())).findFirst().orElseThrow();
        String idNumber = (String) person.columns().get("zt_dm");
        String list = call("GET", "/api/admin/quarantine?source=credit-reference&limit=1000", null).body();
        assertThat(list).doesNotContain(idNumber).contains(idNumber.substring(0, 6) + "**********");

        long id = quarantineId("credit-reference", person.key());
        assertThat(call("GET", "/api/admin/quarantine/" + id, null).body()).contains(idNumber);

        assertThat(call("GET", "/api/admin/quarantine", null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void aCorrectedRowIsReplayedThroughValidationAndDelivered() throws Exception {
        GeneratedRow row = taxBureau.rows().stream().filter(r -> "region code missing from GB/T 2260".equals(r.defect()))
                .findFirst().orElseThrow();
        long id = quarantineId("tax-bureau", row.key());

        // replaying the unchanged row fails again, with its reasons
        HttpResponse<String> unchanged = call("POST", "/api/admin/quarantine/" + id + "/replay", "");
        assertThat(unchanged.statusCode()).isEqualTo(422);
        assertThat(unchanged.body()).contains("regionCode '369999'");

        JsonNode raw = json(call("GET", "/api/admin/quarantine/" + id, null)).path("raw_payload");
        String corrected = raw.toString().replace("\"369999\"", "\"360102\"");
        assertThat(call("PUT", "/api/admin/quarantine/" + id + "/correction", corrected).statusCode()).isEqualTo(200);
        HttpResponse<String> replayed = call("POST", "/api/admin/quarantine/" + id + "/replay", "");
        assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .until(() -> platform.receivedRecords("tax-bureau").stream().anyMatch(r -> row.key().equals(r.get("source_record_key"))));
        String batchId = (String) platform.receivedRecords("tax-bureau").stream()
                .filter(r -> row.key().equals(r.get("source_record_key"))).findFirst().orElseThrow().get("batch_id");
        assertThat(platform.receivedRecordsOf(batchId)).anySatisfy(r -> assertThat(r).contains("\"regionCode\":\"360102\""));
        assertThat(hub.queryForObject("SELECT status FROM quarantine WHERE id = ?", String.class, id)).isEqualTo("REPLAYED");
        assertThat(call("POST", "/api/admin/quarantine/" + id + "/replay", "").statusCode()).isEqualTo(409);
    }

    @Test
    void anAcceptedNonStandardCreditCodeLetsItsRecordsThrough() throws Exception {
        List<GeneratedRow> wrongCheck = taxBureau.rows().stream()
                .filter(r -> "credit code with a wrong check character".equals(r.defect())).toList();
        assertThat(wrongCheck).isNotEmpty();
        for (GeneratedRow r : wrongCheck) {
            String body = CanonicalJson.write(CanonicalJson.MAPPER.valueToTree(Map.of("code", r.columns().get("nsrsbh"),
                    "reason", "issued in the 2015 pilot, confirmed with the market regulator")));
            assertThat(call("POST", "/api/admin/accepted-identifiers", body).statusCode()).isEqualTo(201);
        }
        JsonNode result = json(call("POST", "/api/admin/quarantine/replay?source=tax-bureau&reason=" + enc("GB32100 check character"), ""));
        assertThat(result.path("replayed").asInt()).isEqualTo(wrongCheck.size());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .until(() -> wrongCheck.stream().allMatch(w -> platform.receivedRecords("tax-bureau").stream()
                        .anyMatch(r -> w.key().equals(r.get("source_record_key")))));
        assertThat(call("GET", "/api/admin/accepted-identifiers", null).body()).contains("2015 pilot");
    }

    private long quarantineId(String source, String key) {
        return hub.queryForObject("SELECT id FROM quarantine WHERE source_id = ? AND source_record_key = ?", Long.class, source, key);
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        return call(method, path, body, "admin:Quarantine-test-26");
    }

    private HttpResponse<String> call(String method, String path, String body, String credentials) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (credentials != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return CanonicalJson.read(response.body());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
