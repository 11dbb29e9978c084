package org.govhub.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.govhub.normalise.CanonicalJson;
import org.govhub.normalise.RegionCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Generates, stores and archives the weekly resumption reports, on schedule ({@link #tick()}, from
 * the {@code weekly-report} route) and on request (the report API).
 *
 * <p>Idempotent: a week's content is a pure function of the records held (checksum
 * {@code dataSha256}); the schedule generates a week only when it has no report, and a request for a
 * week whose content is unchanged returns the stored report without storing or sending anything. A
 * changed content (records that arrived late) becomes the week's next revision, sent like the first.
 * A hub that was down on Monday generates the missed weeks on its next check. A scheduled week that
 * cannot be built is recorded ({@link ReportFailures}) and retried with back-off; later weeks wait for it.
 */
@Component("weeklyReports")
public class WeeklyReports {

    private static final Logger log = LoggerFactory.getLogger(WeeklyReports.class);

    private final FilingFacts facts;
    private final WeeklyFigures figures;
    private final RegionCodes regions;
    private final ReportProperties properties;
    private final ReportDeliveries deliveries;
    private final ReportSchedule schedule;
    private final ReportFailures failures;
    private final Clock clock;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Path dir;

    public WeeklyReports(DataSource dataSource, FilingFacts facts, WeeklyFigures figures, RegionCodes regions,
            ReportProperties properties, ReportDeliveries deliveries, ReportFailures failures, Clock clock,
            @Value("${govhub.data-dir}") String dataDir) {
        this.facts = facts;
        this.figures = figures;
        this.regions = regions;
        this.properties = properties;
        this.deliveries = deliveries;
        this.failures = failures;
        this.clock = clock;
        this.schedule = new ReportSchedule(properties.cron(), properties.zone(), clock);
        this.jdbc = new JdbcTemplate(dataSource);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.dir = Path.of(properties.dir() == null || properties.dir().isBlank() ? dataDir + "/reports" : properties.dir())
                .toAbsolutePath().normalize();
        try {
            log.info("weekly report: schedule '{}' in {}, chart font {}", properties.cron(), properties.zone(),
                    CjkFonts.describe(CjkFonts.chartFont(properties.chartFont())));
        } catch (IllegalStateException e) {
            log.error("weekly report: {}. No report can be built until this is fixed.", e.getMessage());
        }
    }

    /** A stored report: its row and whether this call created it. */
    public record Stored(Map<String, Object> report, boolean created) {
    }

    /** The schedule's check (every {@code check-interval}): projects new filings, generates what is due. */
    public void tick() {
        facts.catchUp();
        if (properties.enabled()) {
            runIfDue();
        }
    }

    /**
     * Generates every due week that has no report yet, oldest first; returns the reports it created. A
     * week that fails is recorded and stops the run (the weeks after it wait); it is tried again once its back-off has passed.
     */
    public synchronized List<Stored> runIfDue() {
        List<String> newest = jdbc.queryForList("SELECT MAX(week) FROM weekly_report WHERE trigger_kind = 'SCHEDULE'", String.class);
        ReportWeek newestDone = newest.isEmpty() || newest.get(0) == null ? null : ReportWeek.parse(newest.get(0));
        List<Stored> created = new ArrayList<>();
        for (ReportWeek week : schedule.weeksToGenerate(newestDone)) {
            Optional<Map<String, Object>> existing = latest(week);
            if (existing.isPresent() && "SCHEDULE".equals(existing.get().get("trigger_kind"))) {
                continue;
            }
            if (!failures.due(week)) {
                break;
            }
            log.info("weekly report for {} is due (schedule '{}' {})", week, properties.cron(), properties.zone());
            try {
                created.add(generate(week, "SCHEDULE", null, true));
            } catch (RuntimeException | LinkageError e) { // LinkageError: a JRE without its font libraries
                failures.failed(week, e);
                break;
            }
        }
        return created;
    }

    /**
     * Generates a week's report (on request: any week that has ended). Unchanged content returns the
     * stored report ({@code created} false); the scheduled run stores even unchanged content once,
     * marked SCHEDULE, so that the schedule knows the week is done (without sending it again).
     */
    public synchronized Stored generate(ReportWeek week, String trigger, String requestedBy) {
        return generate(week, trigger, requestedBy, false);
    }

    private Stored generate(ReportWeek week, String trigger, String requestedBy, boolean scheduled) {
        Instant now = clock.instant();
        if (week.cutOff(properties.zone()).toInstant().isAfter(now)) {
            throw new IllegalArgumentException("week " + week + " has not ended yet (it ends "
                    + week.cutOff(properties.zone()).toOffsetDateTime() + ")");
        }
        facts.catchUp();
        Map<String, Object> doc = content(week, null);
        doc.remove("reportId");
        String sha = dataSha256(doc);
        Optional<Map<String, Object>> latest = latest(week);
        if (latest.isPresent() && sha.equals(latest.get().get("data_sha256"))) {
            if (scheduled && !"SCHEDULE".equals(latest.get().get("trigger_kind"))) {
                jdbc.update("UPDATE weekly_report SET trigger_kind = 'SCHEDULE' WHERE report_id = ?", latest.get().get("report_id"));
            }
            log.info("weekly report for {}: figures unchanged, report {} stands (not sent again)", week,
                    latest.get().get("report_id"));
            failures.succeeded(week);
            return new Stored(find((String) latest.get().get("report_id")).orElseThrow(), false);
        }
        int revision = latest.map(r -> ((Number) r.get("revision")).intValue() + 1).orElse(1);
        String reportId = "resumption-" + week + "-r" + revision;
        Map<String, Object> withId = new LinkedHashMap<>();
        withId.put("reportId", reportId);
        withId.putAll(doc);
        Path folder = dir.resolve(reportId);
        Map<String, Object> manifest = writeFiles(withId, folder, week, revision, now, trigger, requestedBy, sha);
        tx.executeWithoutResult(status -> {
            jdbc.update("INSERT INTO weekly_report (report_id, week, revision, week_start, week_end, generated_at, trigger_kind,"
                    + " requested_by, data_sha256, filings, directory, manifest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    reportId, week.toString(), revision, java.sql.Date.valueOf(week.monday()), java.sql.Date.valueOf(week.sunday()),
                    Timestamp.from(now), trigger, requestedBy, sha, ((Map<?, ?>) manifest.get("recordCounts")).get("filings"),
                    folder.toString(), CanonicalJson.write(CanonicalJson.MAPPER.valueToTree(manifest)));
            deliveries.queue(reportId);
            failures.succeeded(week);
        });
        log.info("weekly report {} generated ({} trigger), {} filings; deliveries queued", reportId, trigger,
                ((Map<?, ?>) manifest.get("recordCounts")).get("filings"));
        return new Stored(find(reportId).orElseThrow(), true);
    }

    /** The week's content as the report shows it (figures from the database). */
    public Map<String, Object> content(ReportWeek week, String reportId) {
        var zone = properties.zone();
        String province = properties.province();
        WeeklyFigures.Weeks weeks = figures.weeks(week, Math.max(1, properties.lagging().stalledWeeks()), zone, province);
        return ReportContent.build(reportId, week, zone, province, regions, properties.lagging(), weeks.cube(), weeks.earlier());
    }

    /**
     * SHA-256 of the content without its reportId, in canonical JSON as it reads back from its text
     * (keys sorted, no whitespace, decimals as doubles: 60.0): what a receiver computes from the JSON it gets.
     */
    static String dataSha256(Map<String, Object> doc) {
        try {
            JsonNode node = CanonicalJson.read(CanonicalJson.MAPPER.writeValueAsString(doc));
            if (node instanceof ObjectNode o) {
                o.remove("reportId");
            }
            return CanonicalJson.sha256(CanonicalJson.write(node));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, Object> writeFiles(Map<String, Object> doc, Path folder, ReportWeek week, int revision, Instant now,
            String trigger, String requestedBy, String sha) {
        String base = (String) doc.get("reportId");
        Map<String, byte[]> files = new LinkedHashMap<>();
        List<ReportTables.Table> tables = ReportTables.of(doc);
        // the workbook's creation date is the week's cut-off, so the same figures give the same bytes
        files.put(base + ".xlsx", ReportFiles.xlsx(tables, week.cutOff(properties.zone()).toInstant()));
        for (ReportTables.Table t : tables) {
            files.put(base + "-" + t.file() + ".csv", ReportFiles.csv(t));
        }
        files.put(base + ".json", ReportFiles.json(doc));
        files.put(base + "-chart.png", ReportFiles.chart(doc, CjkFonts.chartFont(properties.chartFont())));

        @SuppressWarnings("unchecked")
        Map<String, Object> total = (Map<String, Object>) doc.get("provinceTotal");
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("reportId", base);
        manifest.put("title", ReportContent.TITLE);
        manifest.put("week", week.toString());
        manifest.put("weekStart", week.monday().toString());
        manifest.put("weekEnd", week.sunday().toString());
        manifest.put("cutOff", doc.get("cutOff"));
        manifest.put("revision", revision);
        manifest.put("generatedAt", now.toString());
        manifest.put("trigger", trigger);
        if (requestedBy != null) {
            manifest.put("requestedBy", requestedBy);
        }
        manifest.put("dataSha256", sha);
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("filings", total.get("filed"));
        counts.put("shouldResume", total.get("shouldResume"));
        counts.put("resumed", total.get("resumed"));
        counts.put("cities", ((List<?>) doc.get("cities")).size());
        counts.put("laggingCities", ((List<?>) doc.get("laggingCities")).size());
        manifest.put("recordCounts", counts);
        List<Map<String, Object>> list = new ArrayList<>();
        files.forEach((name, bytes) -> {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("name", name);
            f.put("bytes", bytes.length);
            f.put("sha256", sha256(bytes));
            list.add(f);
        });
        manifest.put("files", list);
        try {
            Path tmp = Files.createDirectories(dir).resolve(base + ".tmp");
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
            Files.createDirectories(tmp);
            for (var e : files.entrySet()) {
                Files.write(tmp.resolve(e.getKey()), e.getValue());
            }
            Files.write(tmp.resolve("manifest.json"), ReportFiles.json(manifest));
            if (Files.exists(folder)) {
                deleteTree(folder);
            }
            Files.move(tmp, folder, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write report " + base + " to " + folder, e);
        }
        return manifest;
    }

    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path p) throws IOException {
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    /** The newest revision of a week's report. */
    public Optional<Map<String, Object>> latest(ReportWeek week) {
        return jdbc.queryForList("SELECT report_id, revision, data_sha256, trigger_kind FROM weekly_report WHERE week = ?"
                + " ORDER BY revision DESC LIMIT 1", week.toString()).stream().findFirst();
    }

    /** One report: its manifest and deliveries. */
    public Optional<Map<String, Object>> find(String reportId) {
        return jdbc.queryForList("SELECT report_id, week, revision, week_start, week_end, generated_at, trigger_kind,"
                + " requested_by, data_sha256, filings, directory, manifest FROM weekly_report WHERE report_id = ?", reportId)
                .stream().findFirst().map(this::present);
    }

    /** Every report, newest week and revision first. */
    public List<Map<String, Object>> list(int limit) {
        return jdbc.queryForList("SELECT report_id, week, revision, generated_at, trigger_kind, filings, data_sha256"
                + " FROM weekly_report ORDER BY week DESC, revision DESC LIMIT " + Math.max(1, Math.min(limit, 500)))
                .stream().map(r -> {
                    Map<String, Object> m = lower(r);
                    m.put("deliveries", deliveries.of((String) r.get("report_id")));
                    return m;
                }).toList();
    }

    private Map<String, Object> present(Map<String, Object> row) {
        Map<String, Object> m = lower(row);
        m.put("manifest", CanonicalJson.read(row.get("manifest").toString()));
        m.remove("directory");
        m.put("deliveries", deliveries.of((String) row.get("report_id")));
        return m;
    }

    private static Map<String, Object> lower(Map<String, Object> row) {
        Map<String, Object> m = new LinkedHashMap<>();
        row.forEach((k, v) -> m.put(k.toLowerCase(java.util.Locale.ROOT), v instanceof java.sql.Date d ? d.toLocalDate().toString() : v));
        return m;
    }

    /** A file of a stored report, or empty (only the files its manifest lists). */
    public Optional<Path> file(String reportId, String name) {
        return jdbc.queryForList("SELECT directory, manifest FROM weekly_report WHERE report_id = ?", reportId).stream()
                .findFirst().flatMap(r -> {
                    JsonNode manifest = CanonicalJson.read(r.get("manifest").toString());
                    boolean listed = "manifest.json".equals(name);
                    for (JsonNode f : manifest.path("files")) {
                        listed |= f.path("name").asText().equals(name);
                    }
                    Path p = Path.of(r.get("directory").toString()).resolve(name);
                    return listed && Files.exists(p) ? Optional.of(p) : Optional.empty();
                });
    }

    /** The folder a stored report's files are in. */
    public Optional<Path> folder(String reportId) {
        return jdbc.queryForList("SELECT directory FROM weekly_report WHERE report_id = ?", String.class, reportId).stream()
                .findFirst().map(Path::of);
    }

    public ReportSchedule schedule() {
        return schedule;
    }

    LocalDate today() {
        return clock.instant().atZone(properties.zone()).toLocalDate();
    }
}
