package org.govhub.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.govhub.HubTest;
import org.govhub.normalise.CanonicalJson;
import org.govhub.operate.OperatorAccounts;
import org.govhub.operate.Roles;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The exchange log in a running hub: every batch sent to the platform and its receipt, API actions
 * and logins are logged; auditors (and only they) read, filter and export it, and the export
 * verifies; when the log cannot be written, neither a batch nor an API action goes through.
 * Its own hub: the fail-closed test takes the log table away for a while.
 */
@HubTest({
            "govhub.sandbox.tax-bureau.rows=120",
            "govhub.batch.max-records=40",
            "govhub.batch.max-age=1s",
            "govhub.ingest.poll-interval=300",
            "govhub.delivery.poll-interval=200",
            "govhub.security.admin-password=" + ExchangeLogHubTest.ADMIN_PASSWORD,
        })
class ExchangeLogHubTest {

    static final String ADMIN_PASSWORD = "Exchange-log-owner-26";
    static final String AUDITOR_PASSWORD = "Exchange-log-reader-26";

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate hub;
    @Autowired
    NationalPlatformReceiver platform;
    @Autowired
    CamelContext camel;
    @Autowired
    OperatorAccounts accounts;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void batchesDeliveredAndAnAuditorAccount() {
        if (hub.queryForObject("SELECT COUNT(*) FROM operator_account WHERE username = 'auditor'", Long.class) == 0) {
            accounts.create("auditor", Roles.AUDITOR, AUDITOR_PASSWORD);
        }
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).until(() ->
                hub.queryForObject("SELECT COUNT(*) FROM batch WHERE status = 'ACKNOWLEDGED'", Long.class) > 0
                        && hub.queryForObject("SELECT COUNT(*) FROM batch WHERE status <> 'ACKNOWLEDGED'", Long.class) == 0);
    }

    @Test
    void everyBatchSentAndItsReceiptAreLoggedAndAuditorsReadFilterAndVerifyTheLog() throws Exception {
        var batches = hub.queryForList("SELECT batch_id, payload_sha256, receipt_id FROM batch WHERE status = 'ACKNOWLEDGED'");
        for (var b : batches) {
            String id = (String) b.get("batch_id");
            assertThat(hub.queryForObject("SELECT COUNT(*) FROM exchange_log WHERE batch_id = ? AND action = 'platform send'"
                    + " AND outcome = 'attempt' AND payload_sha256 = ?", Long.class, id, b.get("payload_sha256"))).isPositive();
            assertThat(hub.queryForObject("SELECT COUNT(*) FROM exchange_log WHERE batch_id = ? AND action = 'platform receipt'"
                    + " AND outcome LIKE ?", Long.class, id, "acknowledged, receipt " + b.get("receipt_id") + "%")).isPositive();
        }

        String batch = (String) batches.get(0).get("batch_id");
        HttpResponse<String> byBatch = get("/api/audit/entries?batch=" + batch, "auditor", AUDITOR_PASSWORD);
        assertThat(byBatch.statusCode()).isEqualTo(200);
        JsonNode found = CanonicalJson.read(byBatch.body());
        assertThat(found.path("entries")).isNotEmpty().allMatch(e -> e.path("batch").asText().equals(batch));
        assertThat(found.path("entries").findValuesAsText("action")).contains("platform send", "platform receipt");

        JsonNode page = CanonicalJson.read(get("/api/audit/entries?resource=national-platform&from=" + Instant.now().minusSeconds(600)
                + "&to=" + Instant.now().plusSeconds(60) + "&page=1&size=2", "auditor", AUDITOR_PASSWORD).body());
        assertThat(page.path("entries")).hasSize(2);
        assertThat(page.path("total").asLong()).isGreaterThanOrEqualTo(2L * batches.size());
        assertThat(CanonicalJson.read(get("/api/audit/entries?to=2020-01-01T00:00:00Z", "auditor", AUDITOR_PASSWORD).body())
                .path("total").asLong()).isZero();

        // the auditor's role only: an administrator is refused, and the admin API stays closed to the auditor
        assertThat(get("/api/audit/entries", "admin", ADMIN_PASSWORD).statusCode()).isEqualTo(403);
        assertThat(get("/api/audit/export", "admin", ADMIN_PASSWORD).statusCode()).isEqualTo(403);
        assertThat(get("/api/admin/batches", "auditor", AUDITOR_PASSWORD).statusCode()).isEqualTo(403);

        assertThat(verifiedExport()).isGreaterThanOrEqualTo(2L * batches.size());
    }

    @Test
    void apiActionsAndLoginsAreLoggedWithTheirOutcome() throws Exception {
        long before = lastSeq();
        HttpResponse<String> resend = send("POST", "/api/admin/batches/no-such-batch/resend", "admin", ADMIN_PASSWORD);
        assertThat(resend.statusCode()).isEqualTo(404);
        assertThat(hub.queryForList("SELECT outcome FROM exchange_log WHERE seq > ? AND actor = 'admin' AND action = 'api POST'"
                + " AND resource = '/api/admin/batches/no-such-batch/resend' AND batch_id = 'no-such-batch' ORDER BY seq",
                String.class, before)).containsExactly("attempt", "answered 404");

        assertThat(get("/api/admin/batches", "admin", "not-the-password").statusCode()).isEqualTo(401);
        assertThat(hub.queryForList("SELECT outcome FROM exchange_log WHERE seq > ? AND actor = 'admin' AND action = 'login'",
                String.class, before)).anyMatch(o -> o.startsWith("success from "))
                .anyMatch(o -> o.startsWith("failure from ") && o.endsWith("(BadCredentialsException)"));
        // no password ever reaches the log
        assertThat(hub.queryForObject("SELECT COUNT(*) FROM exchange_log WHERE outcome LIKE '%not-the-password%'"
                + " OR actor LIKE '%not-the-password%'", Long.class)).isZero();
    }

    @Test
    void whenTheLogCannotBeWrittenNoBatchIsSentAndNoActionIsDone() throws Exception {
        String batch = hub.queryForObject("SELECT batch_id FROM batch WHERE status = 'ACKNOWLEDGED' ORDER BY sealed_at LIMIT 1", String.class);
        int submissions = submissionsOf(batch);
        hub.execute("ALTER TABLE exchange_log RENAME TO exchange_log_away");
        try {
            // the batch is due again (as after a lost receipt), and an operator tries to re-send
            hub.update("UPDATE batch SET status = 'RETRYING', next_attempt_at = ? WHERE batch_id = ?",
                    java.sql.Timestamp.from(Instant.now()), batch);
            HttpResponse<String> resend = send("POST", "/api/admin/batches/" + batch + "/resend", "admin", ADMIN_PASSWORD);
            assertThat(resend.statusCode()).isEqualTo(503);
            assertThat(resend.body()).contains("exchange log cannot be written");

            NotifyBuilder rounds = new NotifyBuilder(camel).fromRoute("platform-delivery").whenCompleted(10).create();
            assertThat(rounds.matches(60, TimeUnit.SECONDS)).isTrue();
            assertThat(hub.queryForObject("SELECT status FROM batch WHERE batch_id = ?", String.class, batch)).isEqualTo("RETRYING");
            assertThat(submissionsOf(batch)).isEqualTo(submissions);
        } finally {
            hub.execute("ALTER TABLE exchange_log_away RENAME TO exchange_log");
        }
        // the log back: the batch goes (the platform answers with its first receipt) and is logged
        await().atMost(Duration.ofSeconds(30)).until(() ->
                "ACKNOWLEDGED".equals(hub.queryForObject("SELECT status FROM batch WHERE batch_id = ?", String.class, batch)));
        assertThat(submissionsOf(batch)).isEqualTo(submissions + 1);
        assertThat(hub.queryForObject("SELECT COUNT(*) FROM exchange_log WHERE batch_id = ? AND outcome LIKE '%already held%'",
                Long.class, batch)).isEqualTo(1);
        verifiedExport();
    }

    private long verifiedExport() throws Exception {
        String pem = get("/api/audit/public-key", "auditor", AUDITOR_PASSWORD).body();
        HttpResponse<String> export = get("/api/audit/export", "auditor", AUDITOR_PASSWORD);
        assertThat(export.statusCode()).isEqualTo(200);
        List<String> lines = export.body().lines().toList();
        assertThat(ExchangeLogVerifier.verify(lines, Pem.publicKey(pem))).isEmpty();
        return lines.size();
    }

    private int submissionsOf(String batch) {
        return platform.receivedBatches().stream().filter(b -> batch.equals(b.get("batch_id")))
                .mapToInt(b -> ((Number) b.get("submissions")).intValue()).sum();
    }

    private long lastSeq() {
        return hub.queryForObject("SELECT last_seq FROM exchange_log_head WHERE id = 1", Long.class);
    }

    private HttpResponse<String> get(String path, String user, String password) throws Exception {
        return send("GET", path, user, password);
    }

    private HttpResponse<String> send(String method, String path, String user, String password) throws Exception {
        String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
