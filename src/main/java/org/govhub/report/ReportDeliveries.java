package org.govhub.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.file.remote.FtpEndpoint;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.govhub.Backoff;
import org.govhub.normalise.CanonicalJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Delivers each report to its targets, each on its own with retries and a recorded outcome:
 * <ul>
 * <li>{@code national-platform}: POST {platform}/api/v1/reports, bearer token, Idempotency-Key = report id
 *     (the platform answers a repeat with its first receipt);</li>
 * <li>{@code drc-miit-ftp}: the files and manifest.json into {directory}/{reportId}/ on the provincial DRC/MIIT
 *     FTP drop, each uploaded as .part and renamed, the manifest last (its arrival says the report is complete);</li>
 * <li>{@code archive}: the files and manifest into {archive}/{week}/{reportId}/, written beside and moved in.</li>
 * </ul>
 * Each through Camel's own component (camel-http, camel-ftp, camel-file); no secret is ever part of an endpoint URI.
 * States: PENDING → DELIVERED; a failed attempt → RETRYING after 5 s, 10 s, … up to max-backoff; after
 * max-attempts FAILED (logged as an error, listed by the report API) until an operator re-sends it.
 */
@Component("reportDeliveries")
public class ReportDeliveries {

    private static final Logger log = LoggerFactory.getLogger(ReportDeliveries.class);

    public static final String PLATFORM = "national-platform";
    public static final String FTP_DROP = "drc-miit-ftp";
    public static final String ARCHIVE = "archive";

    private final JdbcTemplate jdbc;
    private final ReportProperties.Delivery config;
    private final Clock clock;
    private final org.springframework.core.env.Environment environment;
    private final Path archive;
    private final CamelContext camel;
    private final ProducerTemplate producer;
    private final org.govhub.audit.ExchangeLog exchangeLog;

    public ReportDeliveries(DataSource dataSource, ReportProperties properties, Clock clock,
            org.springframework.core.env.Environment environment, @Value("${govhub.data-dir}") String dataDir,
            CamelContext camel, ProducerTemplate producer, org.govhub.audit.ExchangeLog exchangeLog) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.exchangeLog = exchangeLog;
        this.camel = camel;
        this.producer = producer;
        this.config = properties.delivery();
        this.clock = clock;
        this.environment = environment;
        this.archive = Path.of(blank(config.archiveDir()) ? dataDir + "/reports-archive" : config.archiveDir()).toAbsolutePath().normalize();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** A new report: one PENDING delivery per target (called in the report's transaction). */
    void queue(String reportId) {
        Timestamp now = Timestamp.from(clock.instant());
        for (String target : config.targets()) {
            jdbc.update("INSERT INTO report_delivery (report_id, target, status, attempts, next_attempt_at, updated_at)"
                    + " VALUES (?, ?, 'PENDING', 0, ?, ?)", reportId, target, now, now);
        }
    }

    /** The delivery route's round: every delivery whose time has come, one attempt each. */
    public synchronized int deliverDue() {
        List<Map<String, Object>> due = jdbc.queryForList("SELECT d.report_id, d.target, d.attempts, r.directory, r.week"
                + " FROM report_delivery d JOIN weekly_report r ON r.report_id = d.report_id"
                + " WHERE d.status IN ('PENDING', 'RETRYING') AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at",
                Timestamp.from(clock.instant()));
        for (Map<String, Object> d : due) {
            attempt((String) d.get("report_id"), (String) d.get("target"), ((Number) d.get("attempts")).intValue(),
                    Path.of(d.get("directory").toString()), (String) d.get("week"));
        }
        return due.size();
    }

    private void attempt(String reportId, String target, int attemptsBefore, Path folder, String week) {
        int attempts = attemptsBefore + 1;
        Instant now = clock.instant();
        try {
            // logged first: an entry that cannot be written makes this a failed attempt, nothing sent
            exchangeLog.append(reportEvent(reportId, target, "attempt " + attempts));
            String receipt = switch (target) {
                case PLATFORM -> toPlatform(reportId, folder);
                case FTP_DROP -> toFtp(reportId, folder);
                case ARCHIVE -> toArchive(reportId, folder, week);
                default -> throw new IllegalStateException("unknown delivery target '" + target + "'");
            };
            // and before it is marked delivered: if it cannot be, the delivery is repeated (each target replaces what it holds)
            exchangeLog.append(reportEvent(reportId, target, "delivered: " + cut(receipt, 500)));
            jdbc.update("UPDATE report_delivery SET status = 'DELIVERED', attempts = ?, delivered_at = ?, receipt = ?,"
                    + " last_error = NULL, next_attempt_at = NULL, updated_at = ? WHERE report_id = ? AND target = ?",
                    attempts, Timestamp.from(now), cut(receipt, 500), Timestamp.from(now), reportId, target);
            log.info("weekly report {} delivered to {} (attempt {}): {}", reportId, target, attempts, receipt);
        } catch (Exception e) {
            String error = cut(e.getClass().getSimpleName() + ": " + (e.getMessage() != null ? e.getMessage()
                    : e.getCause() != null ? e.getCause().toString() : "(no message)"), 2000);
            if (attempts >= config.maxAttempts()) {
                jdbc.update("UPDATE report_delivery SET status = 'FAILED', attempts = ?, last_error = ?, next_attempt_at = NULL,"
                        + " updated_at = ? WHERE report_id = ? AND target = ?", attempts, error, Timestamp.from(now), reportId, target);
                log.error("weekly report {} could NOT be delivered to {} after {} attempts: {}. Fix the cause, then re-send:"
                        + " POST /api/reports/{}/deliveries/{}/resend", reportId, target, attempts, error, reportId, target);
            } else {
                Duration wait = backoff(attempts);
                jdbc.update("UPDATE report_delivery SET status = 'RETRYING', attempts = ?, last_error = ?, next_attempt_at = ?,"
                        + " updated_at = ? WHERE report_id = ? AND target = ?", attempts, error, Timestamp.from(now.plus(wait)),
                        Timestamp.from(now), reportId, target);
                log.warn("weekly report {} to {}: attempt {} failed ({}), next in {}", reportId, target, attempts, error, wait);
            }
        }
    }

    private static org.govhub.audit.ExchangeLog.Event reportEvent(String reportId, String target, String outcome) {
        return new org.govhub.audit.ExchangeLog.Event(org.govhub.audit.ExchangeLog.HUB, "report delivery",
                "weekly-report/" + reportId + "/" + target, null, null, null, outcome);
    }

    Duration backoff(int attempts) {
        return new Backoff(config.firstBackoff(), config.maxBackoff()).after(attempts);
    }

    /** An operator's re-send of a FAILED (or already DELIVERED) delivery: attempted again at once with fresh attempts. */
    public synchronized boolean resend(String reportId, String target, String operator) {
        int n = jdbc.update("UPDATE report_delivery SET status = 'PENDING', attempts = 0, next_attempt_at = ?, updated_at = ?"
                + " WHERE report_id = ? AND target = ? AND status IN ('FAILED', 'DELIVERED')",
                Timestamp.from(clock.instant()), Timestamp.from(clock.instant()), reportId, target);
        if (n == 1) {
            log.info("weekly report {}: delivery to {} re-sent by {}", reportId, target, operator);
        }
        return n == 1;
    }

    /** A report's deliveries. */
    public List<Map<String, Object>> of(String reportId) {
        return jdbc.queryForList("SELECT target, status, attempts, next_attempt_at, last_error, delivered_at, receipt"
                + " FROM report_delivery WHERE report_id = ? ORDER BY target", reportId).stream().map(ReportDeliveries::lower).toList();
    }

    /** Deliveries in a state (FAILED: what operators must look at), newest first. */
    public List<Map<String, Object>> list(String status, int limit) {
        String where = status == null ? "" : " WHERE status = ?";
        Object[] args = status == null ? new Object[0] : new Object[] {status};
        return jdbc.queryForList("SELECT report_id, target, status, attempts, next_attempt_at, last_error, delivered_at, receipt,"
                + " updated_at FROM report_delivery" + where + " ORDER BY updated_at DESC LIMIT " + Math.max(1, Math.min(limit, 1000)),
                args).stream().map(ReportDeliveries::lower).toList();
    }

    /** Count of deliveries per state. */
    public Map<String, Long> counts() {
        Map<String, Long> m = new LinkedHashMap<>();
        jdbc.query("SELECT status, COUNT(*) AS n FROM report_delivery GROUP BY status ORDER BY status",
                rs -> {
                    m.put(rs.getString("status"), rs.getLong("n"));
                });
        return m;
    }

    private static Map<String, Object> lower(Map<String, Object> row) {
        Map<String, Object> m = new LinkedHashMap<>();
        row.forEach((k, v) -> m.put(k.toLowerCase(java.util.Locale.ROOT), v));
        return m;
    }

    // ------------------------------------------------------------------ targets

    String toPlatform(String reportId, Path folder) throws Exception {
        // read when sending: the sandbox URL names the server's port, known only once it listens
        String platformUrl = blank(config.platformUrl()) ? environment.getProperty("govhub.platform.url") : config.platformUrl();
        String platformToken = blank(config.platformToken()) ? environment.getProperty("govhub.platform.token") : config.platformToken();
        if (blank(platformUrl)) {
            throw new IllegalStateException("no national platform URL (govhub.platform.url)");
        }
        JsonNode manifest = CanonicalJson.read(Files.readString(folder.resolve("manifest.json")));
        JsonNode report = CanonicalJson.read(Files.readString(folder.resolve(reportId + ".json")));
        ObjectNode body = CanonicalJson.MAPPER.createObjectNode();
        body.set("manifest", manifest);
        body.set("report", report);
        // as the platform-delivery route: camel-http, timeouts from camel.component.http, retries ours, its TLS
        // (PlatformTls, only when the govhub-platform bundle is configured); the token goes as a header, never into the endpoint's URI
        Exchange answer = producer.request(platformUrl + "/api/v1/reports?throwExceptionOnFailure=true"
                + "&httpClientConfigurer=#noAutomaticRetries&sslContextParameters={{?govhub.platform.ssl-context-parameters}}", exchange -> {
                    exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
                    exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
                    exchange.getMessage().setHeader("Idempotency-Key", reportId);
                    if (!blank(platformToken)) {
                        exchange.getMessage().setHeader("Authorization", "Bearer " + platformToken);
                    }
                    exchange.getMessage().setBody(CanonicalJson.write(body).getBytes(StandardCharsets.UTF_8));
                });
        if (answer.getException() instanceof HttpOperationFailedException http) {
            throw new IOException("national platform answered HTTP " + http.getStatusCode() + ": " + cut(http.getResponseBody(), 300));
        } else if (answer.getException() != null) {
            throw answer.getException();
        }
        JsonNode receipt = CanonicalJson.read(answer.getMessage().getBody(String.class));
        return "receipt " + receipt.path("receiptId").asText("?") + (receipt.path("duplicate").asBoolean() ? " (repeat)" : "");
    }

    String toFtp(String reportId, Path folder) throws Exception {
        ReportProperties.Ftp ftp = config.ftp();
        String target = ftp.directory() + "/" + reportId;
        List<Path> files = files(folder);
        // manifest.json goes last: when the drop already holds this very manifest, a hub that stopped
        // after the upload but before recording it does not put the report there a second time
        Path manifest = folder.resolve("manifest.json");
        if (Files.exists(manifest) && Arrays.equals(fromFtp(target, "manifest.json"), Files.readAllBytes(manifest))) {
            return "already complete in " + ftp.host() + ":" + target + " (same manifest)";
        }
        // each file as name.part, then renamed over what is there (a re-send replaces it, which stays until then)
        Endpoint drop = ftpEndpoint(ftp.directory(), "&tempFileName=${file:onlyname}.part&eagerDeleteTargetFile=false");
        for (Path f : files) {
            put(drop, reportId + "/" + f.getFileName(), Files.readAllBytes(f));
        }
        return files.size() + " files in " + ftp.host() + ":" + target;
    }

    /** A file on the drop, or null when it has none (or cannot be read: the upload then says why). */
    private byte[] fromFtp(String directory, String name) throws Exception {
        Endpoint endpoint = ftpEndpoint(directory, "&fileName=" + name + "&noop=true&idempotent=false&autoCreate=false"
                + "&ignoreFileNotFoundOrPermissionError=true&sendEmptyMessageWhenIdle=true&initialDelay=0&delay=5000");
        try (ConsumerTemplate reader = camel.createConsumerTemplate()) {
            Exchange found = reader.receive(endpoint, 5000);
            return found == null ? null : found.getMessage().getBody(byte[].class);
        } finally {
            camel.removeEndpoint(endpoint); // one per report: not kept once looked at
        }
    }

    /**
     * A camel-ftp endpoint on the drop. Its password is set on the endpoint, not written in its URI: the URIs
     * Camel registers (JMX, Hawtio, the endpoint list) never hold it.
     */
    private Endpoint ftpEndpoint(String directory, String options) {
        ReportProperties.Ftp ftp = config.ftp();
        FtpEndpoint<?> endpoint = camel.getEndpoint("ftp://" + ftp.host() + ":" + ftp.port() + "/" + directory
                + "?username=RAW(" + ftp.username() + ")&binary=true&passiveMode=true&stepwise=false&disconnect=true"
                + "&ftpClient.controlEncoding=UTF-8&connectTimeout=5000&soTimeout=15000&maximumReconnectAttempts=0" + options,
                FtpEndpoint.class);
        endpoint.getConfiguration().setPassword(ftp.password());
        return endpoint;
    }

    String toArchive(String reportId, Path folder, String week) throws Exception {
        Path target = archive.resolve(week).resolve(reportId);
        Path tmp = archive.resolve(week).resolve(reportId + ".part");
        if (Files.exists(tmp)) {
            WeeklyReports.deleteTree(tmp);
        }
        Endpoint folders = camel.getEndpoint("file:" + archive);
        for (Path f : files(folder)) {
            put(folders, week + "/" + tmp.getFileName() + "/" + f.getFileName(), f.toFile());
        }
        // by hand: camel-file renames files, not folders, and the report's folder must appear whole at once
        if (Files.exists(target)) {
            WeeklyReports.deleteTree(target);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        return "archived in " + target;
    }

    /** One file to a camel-file or camel-ftp endpoint, under a name relative to the endpoint's folder. */
    private void put(Endpoint endpoint, String name, Object body) throws Exception {
        Exchange sent = producer.send(endpoint, exchange -> {
            exchange.getMessage().setHeader(Exchange.FILE_NAME, name);
            exchange.getMessage().setBody(body);
        });
        if (sent.getException() != null) {
            throw sent.getException();
        }
    }

    /** The report's files, manifest.json last. */
    private static List<Path> files(Path folder) throws IOException {
        try (var s = Files.list(folder)) {
            return s.filter(Files::isRegularFile)
                    .sorted((a, b) -> Boolean.compare(a.getFileName().toString().equals("manifest.json"),
                            b.getFileName().toString().equals("manifest.json")) != 0
                            ? Boolean.compare(a.getFileName().toString().equals("manifest.json"), b.getFileName().toString().equals("manifest.json"))
                            : a.getFileName().compareTo(b.getFileName()))
                    .toList();
        }
    }

    private static String cut(String s, int max) {
        return s == null ? null : s.length() <= max ? s : s.substring(0, max);
    }

    public Path archiveDir() {
        return archive;
    }
}
