package org.govhub.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.govhub.GovHubApplication;
import org.govhub.normalise.CanonicalJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * A scheduled report that cannot be built, on a running hub: the chart font is set to a family
 * that is not installed. The Monday report fails, is retried with back-off (the error logged once in
 * full, then one line per attempt) and shows DOWN with its error under {@code reports} in health
 * and in {@code /api/reports}. The operator removes the setting and restarts the hub on the same
 * data: the report is built at once and health is UP again.
 */
class ReportFailureEndToEndTest {

    static final String PASSWORD = "Report-failure-test-26";
    static final MutableClock CLOCK = new MutableClock();

    @TestConfiguration
    static class FixedClock {
        @Bean
        @Primary
        Clock testClock() {
            return CLOCK;
        }
    }

    @TempDir
    Path dataDir;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aScheduledReportThatCannotBeBuiltIsDownWithItsErrorUntilItIsBuilt() throws Exception {
        CLOCK.set(Instant.parse("2020-03-02T00:00:05Z")); // Monday 08:00:05 Beijing time: 2020-W09 is due

        try (ConfigurableApplicationContext hub = start("--govhub.report.chart-font=No Such Font")) {
            ListAppender<ILoggingEvent> log = listen();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> failedReports(hub).size() == 1);
            long firstFailure = System.nanoTime();

            JsonNode failure = failedReports(hub).get(0);
            assertThat(failure.path("week").asText()).isEqualTo("2020-W09");
            assertThat(failure.path("last_error").asText()).contains("'No Such Font', which is not an installed font");
            assertThat(failure.path("attempts").asInt()).isGreaterThanOrEqualTo(1);
            assertThat(list(hub).path("reports")).isEmpty();

            HttpResponse<String> health = get(hub, "/actuator/health");
            assertThat(health.statusCode()).isEqualTo(503);
            JsonNode reports = CanonicalJson.read(health.body()).path("components").path("reports");
            assertThat(reports.path("status").asText()).isEqualTo("DOWN");
            assertThat(reports.path("details").path("failedReports").get(0).asText())
                    .startsWith("2020-W09: IllegalStateException: govhub.report.chart-font names 'No Such Font'");

            // checked every 200 ms, but retried after 200 ms, 400, 800, 1600, 3200: about 5 attempts in 3.5 s, not 17
            Thread.sleep(Math.max(0, 3500 - Duration.ofNanos(System.nanoTime() - firstFailure).toMillis()));
            int attempts = failedReports(hub).get(0).path("attempts").asInt();
            assertThat(attempts).isBetween(3, 7);
            // the error in full (with its stack) once, then one line per attempt
            List<ILoggingEvent> events = new ArrayList<>(log.list);
            assertThat(events).filteredOn(e -> e.getLevel() == Level.ERROR).singleElement().satisfies(e -> {
                assertThat(e.getFormattedMessage()).startsWith("weekly report for 2020-W09 could NOT be built (attempt 1)");
                assertThat(e.getThrowableProxy()).isNotNull();
            });
            assertThat(events).filteredOn(e -> e.getLevel() == Level.WARN).isNotEmpty().allSatisfy(e -> {
                assertThat(e.getFormattedMessage()).startsWith("weekly report for 2020-W09 still cannot be built (attempt ");
                assertThat(e.getThrowableProxy()).isNull();
            });

            // a request over the API says why too
            HttpResponse<String> requested = post(hub, "/api/reports/weeks/2020-W09/generate");
            assertThat(requested.statusCode()).isEqualTo(500);
            assertThat(requested.body()).contains("'No Such Font', which is not an installed font");
        }

        // the operator removes the setting and starts the hub again on the same data: the bundled font draws the chart
        try (ConfigurableApplicationContext hub = start()) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> list(hub).path("reports").size() == 1);
            JsonNode list = list(hub);
            assertThat(list.path("reports").get(0).path("week").asText()).isEqualTo("2020-W09");
            assertThat(list.path("reports").get(0).path("trigger_kind").asText()).isEqualTo("SCHEDULE");
            assertThat(list.path("failedReports")).isEmpty();
            HttpResponse<String> health = get(hub, "/actuator/health");
            JsonNode reports = CanonicalJson.read(health.body()).path("components").path("reports");
            assertThat(reports.path("status").asText()).isEqualTo("UP");
            assertThat(reports.path("details").has("failedReports")).isFalse();
        }
    }

    ConfigurableApplicationContext start(String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--govhub.data-dir=" + dataDir,
                "--govhub.security.admin-password=" + PASSWORD,
                "--govhub.sandbox.tax-bureau.rows=10",
                "--govhub.sandbox.credit-reference.rows=10",
                "--govhub.report.enabled=true",
                "--govhub.report.check-interval=200"));
        args.addAll(List.of(extra));
        return new SpringApplicationBuilder(GovHubApplication.class, FixedClock.class).run(args.toArray(String[]::new));
    }

    /** Captures what ReportFailures logs (Spring Boot resets logging when a hub starts: call after). */
    static ListAppender<ILoggingEvent> listen() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(ReportFailures.class)).addAppender(appender);
        return appender;
    }

    JsonNode list(ConfigurableApplicationContext hub) throws Exception {
        HttpResponse<String> response = get(hub, "/api/reports");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return CanonicalJson.read(response.body());
    }

    JsonNode failedReports(ConfigurableApplicationContext hub) throws Exception {
        return list(hub).path("failedReports");
    }

    HttpResponse<String> get(ConfigurableApplicationContext hub, String path) throws Exception {
        return http.send(authorised(hub, path).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    HttpResponse<String> post(ConfigurableApplicationContext hub, String path) throws Exception {
        return http.send(authorised(hub, path).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static HttpRequest.Builder authorised(ConfigurableApplicationContext hub, String path) {
        int port = ((WebServerApplicationContext) hub).getWebServer().getPort();
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).header("Authorization", "Basic "
                + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
    }
}
