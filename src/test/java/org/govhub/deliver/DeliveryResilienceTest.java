package org.govhub.deliver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.govhub.HubTest;
import org.govhub.SandboxHubTest;
import org.govhub.normalise.CanonicalJson;
import org.govhub.operate.RoundsHealth;
import org.govhub.sandbox.GeneratedRow;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.govhub.sandbox.TaxBureauSandbox;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The national platform misbehaving: down from the start, then back; refusing a batch. Nothing is
 * lost, nothing arrives twice, the circuit breaker stops the hammering, a dead batch waits for an
 * operator and is delivered once re-sent.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@HubTest({
            "govhub.sandbox.tax-bureau.rows=120",
            "govhub.sandbox.credit-reference.rows=0",
            "govhub.batch.max-records=20",
            "govhub.batch.max-age=1s",
            "govhub.ingest.poll-interval=300",
            "govhub.delivery.poll-interval=200",
            "govhub.platform.max-backoff=2s",
            "govhub.platform.failure-threshold=3",
            "govhub.platform.open-for=3s",
            "govhub.platform.max-attempts=3",
            "govhub.sandbox.platform.initial-fault=UNAVAILABLE",
            "govhub.security.admin-password=Delivery-test-26",
        })
class DeliveryResilienceTest {

    @LocalServerPort
    int port;
    @Autowired
    NationalPlatformReceiver platform;
    @Autowired
    TaxBureauSandbox taxBureau;
    @Autowired
    JdbcTemplate hub;
    @Autowired
    CircuitBreaker circuit;
    @Autowired
    ConnectionFactory connectionFactory;
    @Value("${govhub.sandbox.tax-bureau.url}")
    String taxBureauUrl;

    @Test
    @Order(1)
    void aPlatformDownFromTheStartGetsEverythingOnceWhenItComesBackAndIsNotHammeredMeanwhile() throws Exception {
        Set<String> valid = taxBureau.rows().stream().filter(GeneratedRow::valid).map(GeneratedRow::key).collect(Collectors.toSet());
        // batches pile up while the platform answers 503, and the circuit breaker opens
        await().atMost(Duration.ofSeconds(30)).until(() -> circuit.getState() == CircuitBreaker.State.OPEN
                && hub.queryForObject("SELECT COUNT(*) FROM batch WHERE status = 'RETRYING'", Integer.class) > 0);
        int before = platform.submissionAttempts();
        Thread.sleep(2500); // inside the 3 s the circuit stays open
        assertThat(platform.submissionAttempts() - before).as("calls while the circuit is open").isLessThanOrEqualTo(1);
        assertThat(platform.receivedRecords("tax-bureau")).isEmpty();
        // a long outage: trial call after trial call fails, more of them than max-attempts (3), and
        // still no batch is given up (trial calls are the outage going on, not a batch failing)
        await().atMost(Duration.ofSeconds(40)).until(() -> platform.submissionAttempts() - before >= 6);
        assertThat(hub.queryForObject("SELECT COUNT(*) FROM batch WHERE status = 'DEAD'", Integer.class))
                .as("batches dead after a long outage").isZero();
        assertThat(platform.receivedRecords("tax-bureau")).isEmpty();

        platform.recover();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> platform.receivedRecords("tax-bureau").size() >= valid.size()
                        && hub.queryForObject("SELECT COUNT(*) FROM batch WHERE status <> 'ACKNOWLEDGED'", Integer.class) == 0);
        Map<String, Long> times = platform.receivedRecords("tax-bureau").stream()
                .collect(Collectors.groupingBy(r -> (String) r.get("source_record_key"), Collectors.counting()));
        assertThat(times.keySet()).isEqualTo(valid);
        assertThat(times.values()).allMatch(n -> n == 1);
        assertThat(circuit.getState()).isEqualTo(CircuitBreaker.State.CLOSED);

        // a batch's history tells the story: sealed, failed, retried, acknowledged
        String someBatch = hub.queryForObject("SELECT batch_id FROM batch ORDER BY sealed_at LIMIT 1", String.class);
        List<String> states = hub.queryForList("SELECT to_status FROM batch_transition WHERE batch_id = ? ORDER BY id",
                String.class, someBatch);
        assertThat(states).startsWith("OPEN", "SEALED", "SENDING", "FAILED", "RETRYING").endsWith("SENDING", "ACKNOWLEDGED");
        assertThat(hub.queryForObject("SELECT reason FROM batch_transition WHERE batch_id = ? AND to_status = 'FAILED'"
                + " ORDER BY id LIMIT 1", String.class, someBatch)).contains("HTTP 503");
    }

    @Test
    @Order(2)
    void aRefusedBatchIsDeadUntilAnOperatorResendsItAndItsManifestIsPublishedWhenDelivered() throws Exception {
        platform.recover();
        try (Connection connection = connectionFactory.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer delivered = session.createConsumer(session.createTopic("govhub.delivered.tax-record"));
            connection.start();

            // as an operator would, over the admin API
            HttpResponse<String> fault = call("POST", "/api/sandbox/platform/faults", "{\"fault\":\"REFUSE\",\"count\":1}");
            assertThat(fault.statusCode()).as(fault.body()).isEqualTo(200);
            // a new declaration arrives at the tax bureau
            try (var c = DriverManager.getConnection(taxBureauUrl, "sa", ""); var s = c.createStatement()) {
                s.execute("INSERT INTO tax_declaration (decl_id, nsrsbh, nsrmc, sssq, zsxm_dm, nsrlx, sbrq, ybtse, sjje, yjbz,"
                        + " yjqx, xzqh_dm) VALUES (100001, '91350100M000100Y43', '南昌晨鸣医药有限公司', '202002', '10101', '1',"
                        + " '2020-02-24', '1,000.00', '1000.00', 'N', NULL, '360102')");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> hub.queryForObject(
                    "SELECT COUNT(*) FROM batch WHERE status = 'DEAD'", Integer.class) == 1);
            String dead = hub.queryForObject("SELECT batch_id FROM batch WHERE status = 'DEAD'", String.class);
            assertThat(hub.queryForObject("SELECT last_error FROM batch WHERE batch_id = ?", String.class, dead)).contains("HTTP 422");
            Thread.sleep(1500);
            assertThat(hub.queryForObject("SELECT status FROM batch WHERE batch_id = ?", String.class, dead))
                    .as("a refused batch is not retried by itself").isEqualTo("DEAD");

            HttpResponse<String> list = call("GET", "/api/admin/batches?status=DEAD");
            assertThat(list.body()).contains(dead);
            HttpResponse<String> resend = call("POST", "/api/admin/batches/" + dead + "/resend");
            assertThat(resend.statusCode()).as(resend.body()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> "ACKNOWLEDGED".equals(
                    hub.queryForObject("SELECT status FROM batch WHERE batch_id = ?", String.class, dead)));
            assertThat(platform.receivedRecords("tax-bureau")).filteredOn(r -> "100001".equals(r.get("source_record_key"))).hasSize(1);
            assertThat(call("GET", "/api/admin/batches/" + dead).body()).contains("re-sent by operator admin", "DEAD");
            assertThat(call("POST", "/api/admin/batches/" + dead + "/resend").statusCode()).isEqualTo(409);

            // the departments' feed heard about it, with the manifest
            boolean seen = false;
            for (TextMessage m; (m = (TextMessage) delivered.receive(5000)) != null; ) {
                if (CanonicalJson.read(m.getText()).path("batchId").asText().equals(dead)) {
                    seen = true;
                    assertThat(m.getStringProperty("govhubReceiptId")).startsWith("NP-");
                    break;
                }
            }
            assertThat(seen).as("manifest of the re-sent batch on govhub.delivered.tax-record").isTrue();
        }
    }

    @Test
    @Order(3)
    void aBatchLeftSendingWithoutARecordedOutcomeIsSentAgainAndAnsweredWithItsFirstReceipt() {
        platform.recover();
        String batchId = hub.queryForObject("SELECT batch_id FROM batch WHERE status = 'ACKNOWLEDGED' ORDER BY sealed_at LIMIT 1",
                String.class);
        String receipt = hub.queryForObject("SELECT receipt_id FROM batch WHERE batch_id = ?", String.class, batchId);
        int records = platform.receivedRecordsOf(batchId).size();
        // as if the hub database had failed while the receipt was being recorded
        hub.update("UPDATE batch SET status = 'SENDING', receipt_id = NULL WHERE batch_id = ?", batchId);
        await().atMost(Duration.ofSeconds(30)).until(() -> "ACKNOWLEDGED".equals(
                hub.queryForObject("SELECT status FROM batch WHERE batch_id = ?", String.class, batchId)));
        assertThat(hub.queryForObject("SELECT receipt_id FROM batch WHERE batch_id = ?", String.class, batchId)).isEqualTo(receipt);
        assertThat(hub.queryForList("SELECT reason FROM batch_transition WHERE batch_id = ? ORDER BY id", String.class, batchId))
                .anyMatch(r -> r.contains("without a recorded outcome"));
        assertThat(platform.receivedRecordsOf(batchId)).hasSize(records);
    }

    @Test
    @Order(4)
    void aDeliveryRoundThatFailsAsAWholeIsNotUpInHealthUntilOneSucceedsAgain() throws Exception {
        platform.recover();
        await().atMost(Duration.ofSeconds(10)).until(() -> "OK".equals(round("platform-delivery").path("state").asText()));
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logged);
        logged.start();
        // every round fails on the hub database, as it did with an H2 index entry of a row it did not hold
        hub.execute("ALTER TABLE batch ALTER COLUMN next_attempt_at RENAME TO next_attempt_at_away");
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> round("platform-delivery").path("failedRunsInARow").asInt() >= 3);
            JsonNode round = round("platform-delivery");
            assertThat(round.path("state").asText()).isEqualTo("FAILING");
            assertThat(round.path("lastError").asText()).containsIgnoringCase("next_attempt_at");
            assertThat(round.path("failingSince").asText()).isNotEmpty();
            HttpResponse<String> health = call("GET", "/actuator/health");
            assertThat(health.statusCode()).as("the hub is not UP").isEqualTo(503);
            assertThat(CanonicalJson.read(health.body()).path("components").path("rounds").path("status").asText()).isEqualTo("DOWN");
            // logged once with its stack by the rounds' watch, not by Camel's error handler on every run
            List<ILoggingEvent> events = List.copyOf(logged.list);
            assertThat(events).as("logged by Camel (error handler, timer) on every run")
                    .filteredOn(e -> e.getLoggerName().startsWith("org.apache.camel") && e.getLevel().isGreaterOrEqual(Level.WARN)
                            && (e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage())).contains("next_attempt_at")).isEmpty();
            List<ILoggingEvent> failed = events.stream()
                    .filter(e -> e.getFormattedMessage().startsWith("round platform-delivery: failed")).toList();
            assertThat(failed).extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
                    .startsWith("round platform-delivery: failed: ").containsIgnoringCase("next_attempt_at");
            assertThat(failed.get(0).getThrowableProxy()).as("with its stack").isNotNull();
        } finally {
            hub.execute("ALTER TABLE batch ALTER COLUMN next_attempt_at_away RENAME TO next_attempt_at");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> "OK".equals(round("platform-delivery").path("state").asText()));
        assertThat(CanonicalJson.read(call("GET", "/actuator/health/rounds").body()).path("status").asText()).isEqualTo("UP");
        root.detachAppender(logged);
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).as("its recovery, once")
                .filteredOn(m -> m.startsWith("round platform-delivery: runs again after ")).hasSize(1);
    }

    @Test
    @Order(5)
    void everyRoundLeavesItsFailedRunsToTheRoundsWatch(@Autowired CamelContext camel,
            @Value("${govhub.health.rounds}") List<String> rounds) {
        for (String id : rounds) {
            RouteDefinition route = ((ModelCamelContext) camel).getRouteDefinition(id);
            assertThat(route).as(id).isNotNull();
            assertThat(route.getRouteConfigurationId()).as(id + " takes routes/rounds.yaml").isEqualTo("hub-rounds");
        }
    }

    /** The health detail of one of the hub's rounds (by route id). */
    private JsonNode round(String routeId) throws Exception {
        return CanonicalJson.read(call("GET", "/actuator/health/rounds").body()).path("details").path(routeId);
    }

    private HttpResponse<String> call(String method, String path) throws Exception {
        return call(method, path, null);
    }

    private HttpResponse<String> call(String method, String path, String json) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("admin:Delivery-test-26".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
