package org.govhub.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.impl.DefaultCamelContext;
import org.govhub.EmbeddedFtpServer;
import org.govhub.audit.Entry;
import org.govhub.audit.ExchangeLog;
import org.govhub.operate.NoAutomaticRetries;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.mock.env.MockEnvironment;

/**
 * The three transports of {@link ReportDeliveries}, each through Camel's component against a real
 * server or folder: what arrives, write-then-rename, a repeat, a re-send that replaces, and that
 * neither the FTP password nor the platform token is ever part of an endpoint URI.
 */
class ReportTransportsTest {

    static final String PASSWORD = "s3cret-drc-pw";
    static final String TOKEN = "s3cret-platform-token";

    @TempDir
    Path tmp;
    DefaultCamelContext camel;
    EmbeddedFtpServer ftpServer;
    HttpServer platform;
    final Map<String, String> requestHeaders = new ConcurrentHashMap<>();
    volatile int platformStatus = 201;
    ReportDeliveries deliveries;
    Path report;

    @BeforeEach
    void start() throws Exception {
        Path ftpHome = Files.createDirectories(tmp.resolve("ftp"));
        ftpServer = EmbeddedFtpServer.start(ftpHome, "drc", PASSWORD, true);

        platform = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        platform.createContext("/api/v1/reports", exchange -> {
            exchange.getRequestHeaders().forEach((k, v) -> requestHeaders.put(k.toLowerCase(), v.get(0)));
            requestHeaders.put("body", new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] answer = (platformStatus == 201 ? "{\"receiptId\":\"R-1\",\"duplicate\":false}" : "{\"error\":\"down\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(platformStatus, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        platform.start();

        camel = new DefaultCamelContext();
        camel.getRegistry().bind("noAutomaticRetries", new NoAutomaticRetries());
        camel.start();
        var delivery = new ReportProperties.Delivery(List.of(ReportDeliveries.PLATFORM, ReportDeliveries.FTP_DROP,
                ReportDeliveries.ARCHIVE), 2, Duration.ofSeconds(5), Duration.ofMinutes(10), 2000,
                "http://127.0.0.1:" + platform.getAddress().getPort(), TOKEN,
                new ReportProperties.Ftp("127.0.0.1", ftpServer.port(), "drc", PASSWORD, "reports"), tmp.resolve("archive").toString());
        var properties = new ReportProperties(false, "0 0 8 * * MON", java.time.ZoneId.of("Asia/Shanghai"), "36", 60000,
                null, new ReportProperties.Lagging(10, 2), delivery, "");
        deliveries = new ReportDeliveries(new DriverManagerDataSource(), properties, Clock.systemUTC(), new MockEnvironment(),
                tmp.toString(), camel, camel.createProducerTemplate(), new ExchangeLog() {
                    // the report's transports are what is tested here, not their log entries
                    @Override
                    public Entry append(Event event) {
                        return null;
                    }

                    @Override
                    public boolean appendWith(Event event, java.util.function.BooleanSupplier change) {
                        return change.getAsBoolean();
                    }
                });

        report = Files.createDirectories(tmp.resolve("reports").resolve("resumption-2020-W14-r1"));
        Files.writeString(report.resolve("resumption-2020-W14-r1.json"), "{\"week\":\"2020-W14\"}");
        Files.writeString(report.resolve("汇总.csv"), "city,filed\n360100,12\n");
        Files.writeString(report.resolve("manifest.json"), "{\"reportId\":\"resumption-2020-W14-r1\",\"week\":\"2020-W14\"}");
    }

    @AfterEach
    void stop() {
        camel.stop();
        ftpServer.stop();
        platform.stop(0);
    }

    @Test
    void theFtpDropGetsTheFilesAsPartThenRenamedAndARepeatOfTheSameManifestIsNotUploadedAgain() throws Exception {
        Path drop = tmp.resolve("ftp/reports/resumption-2020-W14-r1");
        assertThat(deliveries.toFtp("resumption-2020-W14-r1", report)).isEqualTo("3 files in 127.0.0.1:reports/resumption-2020-W14-r1");
        assertThat(drop.resolve("汇总.csv")).hasContent("city,filed\n360100,12\n");
        assertThat(drop.resolve("manifest.json")).hasSameBinaryContentAs(report.resolve("manifest.json"));
        assertThat(drop).isDirectoryNotContaining("glob:**.part");
        // each file stored as .part and renamed, the manifest last
        assertThat(ftpServer.commands()).filteredOn(c -> c.startsWith("STOR ")).hasSize(3).allMatch(c -> c.endsWith(".part"));
        assertThat(ftpServer.commands()).filteredOn(c -> c.startsWith("RNTO ")).hasSize(3).last().asString().endsWith("/manifest.json");

        ftpServer.commands().clear();
        assertThat(deliveries.toFtp("resumption-2020-W14-r1", report)).startsWith("already complete in");
        assertThat(ftpServer.commands()).noneMatch(c -> c.startsWith("STOR ") || c.startsWith("RNTO ") || c.startsWith("DELE "));

        // a different manifest: everything is uploaded again and replaces what is there
        Files.writeString(report.resolve("汇总.csv"), "city,filed\n360100,13\n");
        Files.writeString(report.resolve("manifest.json"), "{\"reportId\":\"resumption-2020-W14-r1\",\"week\":\"2020-W14\",\"n\":2}");
        assertThat(deliveries.toFtp("resumption-2020-W14-r1", report)).startsWith("3 files in");
        assertThat(drop.resolve("汇总.csv")).hasContent("city,filed\n360100,13\n");
        assertThat(drop.resolve("manifest.json")).hasSameBinaryContentAs(report.resolve("manifest.json"));
        assertThat(drop).isDirectoryNotContaining("glob:**.part");
        assertNoSecretInEndpointUris();
    }

    @Test
    void anFtpDropThatIsDownFailsTheAttempt() {
        ftpServer.stop();
        assertThatThrownBy(() -> deliveries.toFtp("resumption-2020-W14-r1", report)).isNotNull();
        assertNoSecretInEndpointUris();
    }

    @Test
    void theArchiveGetsTheReportFolderWholeAndAReSendReplacesIt() throws Exception {
        Path archived = tmp.resolve("archive/2020-W14/resumption-2020-W14-r1");
        assertThat(deliveries.toArchive("resumption-2020-W14-r1", report, "2020-W14")).isEqualTo("archived in " + archived);
        assertThat(archived.resolve("汇总.csv")).hasContent("city,filed\n360100,12\n");
        Files.delete(report.resolve("汇总.csv"));
        deliveries.toArchive("resumption-2020-W14-r1", report, "2020-W14");
        assertThat(archived).isDirectoryNotContaining("glob:**.csv");
        assertThat(archived.resolve("manifest.json")).exists();
        assertThat(archived.resolveSibling("resumption-2020-W14-r1.part")).doesNotExist();
    }

    @Test
    void thePlatformGetsTheTokenAsAHeaderAndTheReportIdAsIdempotencyKey() throws Exception {
        assertThat(deliveries.toPlatform("resumption-2020-W14-r1", report)).isEqualTo("receipt R-1");
        assertThat(requestHeaders).containsEntry("authorization", "Bearer " + TOKEN)
                .containsEntry("idempotency-key", "resumption-2020-W14-r1");
        assertThat(requestHeaders.get("body")).contains("\"manifest\"", "\"report\"", "2020-W14");
        platformStatus = 503;
        assertThatThrownBy(() -> deliveries.toPlatform("resumption-2020-W14-r1", report)).isInstanceOf(IOException.class)
                .hasMessage("national platform answered HTTP 503: {\"error\":\"down\"}");
        assertNoSecretInEndpointUris();
    }

    void assertNoSecretInEndpointUris() {
        assertThat(camel.getEndpoints()).isNotEmpty().allSatisfy(e -> assertThat(e.getEndpointUri())
                .doesNotContain(PASSWORD).doesNotContain(TOKEN));
        assertThat(camel.getEndpointRegistry().keySet()).allSatisfy(k -> assertThat(k.toString())
                .doesNotContain(PASSWORD).doesNotContain(TOKEN));
    }
}
