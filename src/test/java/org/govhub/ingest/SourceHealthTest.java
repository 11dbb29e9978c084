package org.govhub.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import org.govhub.GovHubApplication;
import org.govhub.RealDatabases;
import org.govhub.normalise.CanonicalJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Health tells the truth about a source, in {@code /actuator/health} and {@code /api/admin/sources}
 * alike: a SQL source whose table is locked by the department (its poll hangs) is BLOCKED, one
 * whose table is gone fails every poll and is FAILING, with the error logged once and then counted,
 * not once per poll; both are UP again once the cause is gone. A source whose route an operator
 * stopped is STOPPED. On the machine's PostgreSQL.
 */
class SourceHealthTest {

    static final String SCHEMA = "govhub_it_health";
    static final String PASSWORD = "Source-health-test-26";

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aBlockedAndAFailingSourceAreNotUpAndSayWhy() throws Exception {
        RealDatabases.require("PostgreSQL", RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER,
                "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE", "CREATE SCHEMA " + SCHEMA);
        String url = RealDatabases.POSTGRES_URL + "?currentSchema=" + SCHEMA;
        try (ConfigurableApplicationContext hub = new SpringApplicationBuilder(GovHubApplication.class).run(
                "--server.port=0", "--govhub.data-dir=" + dir, "--govhub.security.admin-password=" + PASSWORD,
                "--govhub.sandbox.tax-bureau.rows=50", "--govhub.sandbox.credit-reference.rows=0",
                "--govhub.sandbox.tax-bureau.url=" + url, "--govhub.sandbox.tax-bureau.username=postgres",
                "--govhub.sources.tax-bureau.url=" + url, "--govhub.sources.tax-bureau.username=postgres",
                "--govhub.ingest.poll-interval=200", "--govhub.ingest.blocked-after=3s");
                Connection department = DriverManager.getConnection(url, RealDatabases.POSTGRES_USER, "")) {
            int port = Integer.parseInt(hub.getEnvironment().getProperty("local.server.port"));
            await().atMost(Duration.ofSeconds(60)).until(() -> "UP".equals(taxBureau(port).path("status").asText())
                    && taxBureau(port).path("details").path("published").asLong() > 0);

            // the department locks its table: the next poll waits for the lock
            department.setAutoCommit(false);
            try (Statement s = department.createStatement()) {
                s.execute("LOCK TABLE tax_declaration IN ACCESS EXCLUSIVE MODE");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> "DOWN".equals(taxBureau(port).path("status").asText()));
            JsonNode blocked = taxBureau(port);
            assertThat(blocked.path("details").path("state").asText()).isEqualTo("BLOCKED");
            assertThat(blocked.path("details").path("reason").asText()).contains("has not finished");
            JsonNode admin = adminSource(port);
            assertThat(admin.path("status").asText()).isEqualTo("DOWN");
            assertThat(admin.path("details").path("state").asText()).isEqualTo("BLOCKED");
            department.rollback();
            await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(taxBureau(port).path("status").asText()));

            // the table goes away: every poll fails
            try (Statement s = department.createStatement()) {
                s.execute("ALTER TABLE tax_declaration RENAME TO tax_declaration_gone");
            }
            department.commit();
            await().atMost(Duration.ofSeconds(30)).until(() -> "DOWN".equals(taxBureau(port).path("status").asText()));
            JsonNode failing = taxBureau(port);
            assertThat(failing.path("details").path("state").asText()).isEqualTo("FAILING");
            assertThat(failing.path("details").path("reason").asText()).contains("tax_declaration");
            Thread.sleep(2000); // about ten more polls fail meanwhile
            java.util.regex.Matcher failures = java.util.regex.Pattern.compile("\\((\\d+) failure\\(s\\)\\)")
                    .matcher(adminSource(port).path("details").path("reason").asText());
            assertThat(failures.find()).as("the reason counts the failures").isTrue();
            assertThat(Integer.parseInt(failures.group(1))).isGreaterThanOrEqualTo(5);
            try (Statement s = department.createStatement()) {
                s.execute("ALTER TABLE tax_declaration_gone RENAME TO tax_declaration");
            }
            department.commit();
            await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(taxBureau(port).path("status").asText()));

            // an operator stops the source's route (Hawtio): it takes nothing, so it is not UP
            org.apache.camel.CamelContext camel = hub.getBean(org.apache.camel.CamelContext.class);
            camel.getRouteController().stopRoute("tax-bureau-source");
            JsonNode stopped = taxBureau(port);
            assertThat(stopped.path("status").asText()).isEqualTo("DOWN");
            assertThat(stopped.path("details").path("state").asText()).isEqualTo("STOPPED");
            assertThat(stopped.path("details").path("reason").asText()).contains("tax-bureau-source", "Stopped");
            camel.getRouteController().startRoute("tax-bureau-source");
            assertThat(taxBureau(port).path("status").asText()).isEqualTo("UP");
        }
        String log = java.nio.file.Files.readString(Path.of("target/govhub-tests.log"), StandardCharsets.UTF_8);
        String ours = log.substring(log.lastIndexOf("source tax-bureau: page done"));
        long firstLines = ours.lines().filter(l -> l.contains("source tax-bureau: page failed: ")).count();
        assertThat(firstLines).as("log lines of the failing polls (once, not once per poll)").isBetween(1L, 2L);
        assertThat(ours).contains("source tax-bureau: working again after");
    }

    private JsonNode taxBureau(int port) throws Exception {
        return get(port, "/actuator/health/sources/tax-bureau");
    }

    private JsonNode adminSource(int port) throws Exception {
        return get(port, "/api/admin/sources/tax-bureau");
    }

    private JsonNode get(int port, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        return CanonicalJson.read(response.body());
    }
}
