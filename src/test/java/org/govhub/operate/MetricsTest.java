package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.govhub.HubTest;
import org.govhub.SandboxHubTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * /actuator/prometheus needs a login and shows Camel's route figures and the hub's own, and the
 * hub's figures agree with its database: records taken per source and outcome, batches by state and
 * class, delivery latency, broker backlog per class, the platform circuit.
 */
// Spring Boot switches metrics export off in tests unless asked
@AutoConfigureObservability(tracing = false)
@HubTest({
            "govhub.sandbox.tax-bureau.rows=300",
            "govhub.batch.max-records=50",
            "govhub.batch.max-age=1s",
            "govhub.ingest.poll-interval=300",
            "govhub.metrics.period=1000",
            "govhub.security.admin-password=" + SandboxHubTest.OPERATOR_PASSWORD,
        })
class MetricsTest {

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void scrapingNeedsALoginAndTheFiguresAgreeWithTheDatabase() throws Exception {
        assertThat(scrape(null).statusCode()).isEqualTo(401);

        // the tax bureau's rows are taken, batched and acknowledged
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            HttpResponse<String> scraped = scrape(admin());
            assertThat(scraped.statusCode()).isEqualTo(200);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM batch WHERE status = 'ACKNOWLEDGED'", Long.class)).isPositive();
            assertThat(value(scraped.body(), "govhub_delivery_latency_seconds_count")).as(scraped.body()).isPositive();
        });

        // the next snapshot agrees with the database
        long acknowledged = jdbc.queryForObject("SELECT COUNT(*) FROM batch WHERE status = 'ACKNOWLEDGED'", Long.class);
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            String body = scrape(admin()).body();
            long now = jdbc.queryForObject("SELECT COUNT(*) FROM batch WHERE status = 'ACKNOWLEDGED'", Long.class);
            return sum(body, "govhub_batches", "state=\"ACKNOWLEDGED\"") == now;
        });
        String body = scrape(admin()).body();
        assertThat(sum(body, "govhub_batches", "state=\"ACKNOWLEDGED\"")).isGreaterThanOrEqualTo(acknowledged);

        // what the tax bureau handed over, as SourceActivity counted it, is what the hub holds once all is through
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            String now = scrape(admin()).body();
            long held = jdbc.queryForObject("SELECT COUNT(*) FROM batch_record WHERE source_id = 'tax-bureau'", Long.class);
            long kept = jdbc.queryForObject("SELECT COUNT(*) FROM quarantine WHERE source_id = 'tax-bureau'", Long.class);
            assertThat(sum(now, "govhub_records_taken_total", "outcome=\"valid\",source=\"tax-bureau\"")).isEqualTo((double) held);
            assertThat(sum(now, "govhub_records_taken_total", "outcome=\"quarantined\",source=\"tax-bureau\"")).isEqualTo((double) kept);
            assertThat(held).isPositive();
            assertThat(kept).isPositive();
        });
        body = scrape(admin()).body();

        assertThat(body).contains("govhub_source_up{source=\"tax-bureau\"} 1.0");
        assertThat(body).contains("govhub_source_condition{condition=\"OK\",source=\"tax-bureau\"} 1.0");
        assertThat(body).contains("govhub_platform_circuit_state 0.0");
        assertThat(sum(body, "govhub_exchange_log_entries_total")).as("sends and receipts are logged").isPositive();
        assertThat(body).contains("govhub_batch_oldest_undelivered_seconds{class=\"1\"}");
        assertThat(body).contains("govhub_broker_backlog{class=\"1\",queue=");
        // every series the alert rules (docker/prometheus) and the dashboard (docker/grafana) watch is one the hub exposes
        String watchedText = java.nio.file.Files.readString(java.nio.file.Path.of("docker/prometheus/govhub-alerts.yml"))
                + java.nio.file.Files.readString(java.nio.file.Path.of("docker/grafana/dashboards/govhub-pipeline.json"));
        Matcher watched = Pattern.compile("(govhub|camel)_[a-z_]+").matcher(watchedText);
        boolean subscriptions = jdbc.queryForObject("SELECT COUNT(*) FROM subscription", Long.class) > 0;
        boolean reportDeliveries = jdbc.queryForObject("SELECT COUNT(*) FROM report_delivery", Long.class) > 0;
        while (watched.find()) {
            String series = watched.group();
            if ((series.startsWith("govhub_subscription_") && !subscriptions)
                    || (series.equals("govhub_report_deliveries") && !reportDeliveries)) {
                continue; // one series per subscription or report delivery: none here yet
            }
            assertThat(body).as("the rules or the dashboard watch " + series).containsPattern("(?m)^" + series + "[{ ]");
        }
        // Camel's own route figures
        assertThat(body).containsPattern("camel_exchanges_total\\{[^}]*routeId=\"platform-delivery\"");
    }

    private String admin() {
        return "admin:" + SandboxHubTest.OPERATOR_PASSWORD;
    }

    private HttpResponse<String> scrape(String credentials) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"));
        if (credentials != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The sum of a metric's series whose labels contain any of the given fragments (all series when none). */
    private static double sum(String body, String metric, String... fragments) {
        double total = 0;
        Matcher m = Pattern.compile("(?m)^" + metric + "(\\{[^}]*})? (\\S+)$").matcher(body);
        while (m.find()) {
            String labels = m.group(1) == null ? "" : m.group(1);
            boolean wanted = fragments.length == 0;
            for (String f : fragments) {
                wanted |= labels.contains(f);
            }
            if (wanted) {
                total += Double.parseDouble(m.group(2));
            }
        }
        return total;
    }

    private static double value(String body, String metric) {
        return sum(body, metric);
    }
}
