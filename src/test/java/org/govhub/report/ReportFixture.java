package org.govhub.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.govhub.batch.RecordChunks;
import org.govhub.normalise.CanonicalJson;
import org.govhub.normalise.RegionCodes;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A hand-made set of filing versions whose weekly figures were computed by hand (see
 * WeeklyFiguresTest): three cities of Jiangxi, one filing outside the province, versions that
 * arrive out of order, tie on updatedAt, change after the cut-off or exactly at it, a suspension
 * and a withdrawal, and weeks on both sides of the February–March boundary (2020 is a leap year).
 */
final class ReportFixture {

    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final RegionCodes REGIONS = new RegionCodes();
    private static final AtomicInteger DATABASES = new AtomicInteger();

    final DataSource dataSource;
    final JdbcTemplate jdbc;
    private int seq;

    ReportFixture() {
        this(new DriverManagerDataSource(
                "jdbc:h2:mem:report-" + DATABASES.incrementAndGet() + ";DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1", "sa", ""), null);
    }

    /** On another database; with a schema, in that schema, made afresh. */
    ReportFixture(DriverManagerDataSource ds, String schema) {
        if (schema != null) {
            new JdbcTemplate(ds).execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            Flyway.configure().dataSource(ds).schemas(schema).load().migrate();
        } else {
            Flyway.configure().dataSource(ds).load().migrate();
        }
        this.dataSource = ds;
        this.jdbc = new JdbcTemplate(ds);
        jdbc.update("INSERT INTO batch (batch_id, schema_name, schema_version, status, record_count, opened_at)"
                + " VALUES ('b-filings', 'EnterpriseFiling', '1.0.0', 'OPEN', 0, ?)", Timestamp.from(Instant.now()));
        jdbc.update("INSERT INTO batch (batch_id, schema_name, schema_version, status, record_count, opened_at)"
                + " VALUES ('b-tax', 'TaxRecord', '1.0.0', 'OPEN', 0, ?)", Timestamp.from(Instant.now()));
    }

    /** One stored filing version (the fields the report reads; the others do not matter here). */
    void filing(String key, String county, String industry, boolean above, String size, boolean major, int priorityClass,
            String status, String planned, String actual, int total, int returned, Integer capacity, String filedAt,
            String updatedAt) {
        ObjectNode r = CanonicalJson.MAPPER.createObjectNode();
        r.put("schema", "EnterpriseFiling");
        r.put("creditCode", "913601020000000000");
        r.put("regionCode", county);
        r.put("industryCode", industry);
        r.put("aboveDesignatedSize", above);
        r.put("sizeClass", size);
        r.put("majorProject", major);
        r.put("status", status);
        r.put("plannedResumptionDate", planned);
        r.put("actualResumptionDate", actual);
        r.put("employeesTotal", total);
        r.put("employeesReturned", returned);
        if (capacity == null) {
            r.putNull("capacityRecoveryPercent");
        } else {
            r.put("capacityRecoveryPercent", capacity);
        }
        r.put("filedAt", filedAt);
        r.put("updatedAt", updatedAt);
        r.putObject("priority").put("class", priorityClass).put("rule", "test");
        r.putObject("policy").putObject("enterpriseSize").put("sizeClass", size);
        String json = CanonicalJson.write(r);
        seq++;
        jdbc.update("INSERT INTO batch_record (batch_id, seq, content_hash, source_id, source_record_key, event_time,"
                + " added_at) VALUES ('b-filings', ?, ?, 'provincial-filings', ?, ?, ?)", seq,
                CanonicalJson.sha256(json + seq), key, updatedAt, Timestamp.from(Instant.now()));
        RecordChunks.write(jdbc, "b-filings", seq, List.of(json));
    }

    /** A record of another schema: never part of the report. */
    void taxRecord() {
        seq++;
        jdbc.update("INSERT INTO batch_record (batch_id, seq, content_hash, source_id, source_record_key, event_time,"
                + " added_at) VALUES ('b-tax', ?, ?, 'tax-bureau', 'T1', '2020-02-20', ?)",
                seq, CanonicalJson.sha256("tax" + seq), Timestamp.from(Instant.now()));
        RecordChunks.write(jdbc, "b-tax", seq, List.of("{\"regionCode\":\"360102\"}"));
    }

    static final String NANCHANG = "360102";
    static final String JIUJIANG = "360402";
    static final String GANZHOU = "360702";

    /** The hand-computed fixture (numbers in WeeklyFiguresTest). */
    void standard() {
        // 南昌 Nanchang
        filing("F1", NANCHANG, "C3971", true, "LARGE", false, 2, "RESUMED", "2020-02-20", "2020-02-21", 100, 90, 80,
                "2020-02-15T10:00:00+08:00", "2020-02-21T09:00:00+08:00");
        // F2: its second version (resumed on Sunday 1 March, 23:30 Beijing time, written in UTC) arrives first
        filing("F2", NANCHANG, "C1711", false, "SMALL", false, 3, "RESUMED", "2020-02-28", "2020-03-01", 20, 18, 60,
                "2020-02-16T09:00:00+08:00", "2020-03-01T15:30:00Z");
        filing("F2", NANCHANG, "C1711", false, "SMALL", false, 3, "APPROVED", "2020-02-28", null, 20, 5, null,
                "2020-02-16T09:00:00+08:00", "2020-02-16T09:00:00+08:00");
        filing("F3", NANCHANG, "F5126", false, "MICRO", false, 2, "FILED", "2020-03-05", null, 5, 0, null,
                "2020-02-25T12:00:00+08:00", "2020-02-25T12:00:00+08:00");
        filing("F4", NANCHANG, "C2710", true, "MEDIUM", true, 2, "RESUMED", "2020-02-18", "2020-02-19", 50, 40, 70,
                "2020-02-10T08:00:00+08:00", "2020-02-19T10:00:00+08:00");
        filing("F4", NANCHANG, "C2710", true, "MEDIUM", true, 2, "SUSPENDED", "2020-02-18", "2020-02-19", 50, 10, 30,
                "2020-02-10T08:00:00+08:00", "2020-02-26T10:00:00+08:00");
        filing("F5", NANCHANG, "C1391", false, "SMALL", false, 3, "FILED", "2020-02-14", null, 12, 0, null,
                "2020-02-12T10:00:00+08:00", "2020-02-12T10:00:00+08:00");
        filing("F5", NANCHANG, "C1391", false, "SMALL", false, 3, "WITHDRAWN", "2020-02-14", null, 12, 0, null,
                "2020-02-12T10:00:00+08:00", "2020-02-27T10:00:00+08:00");
        filing("F6", NANCHANG, "E4810", false, "SMALL", false, 3, "APPROVED", "2020-02-22", null, 40, 20, null,
                "2020-02-20T10:00:00+08:00", "2020-02-20T10:00:00+08:00");
        // exactly at the week's cut-off: belongs to the next week
        filing("F6", NANCHANG, "E4810", false, "SMALL", false, 3, "RESUMED", "2020-02-22", "2020-03-02", 40, 40, 90,
                "2020-02-20T10:00:00+08:00", "2020-03-02T00:00:00+08:00");
        // F7: two versions with the same updatedAt; the later stored one counts
        filing("F7", NANCHANG, "H6210", false, "SMALL", false, 3, "FILED", "2020-02-25", null, 10, 0, null,
                "2020-02-25T09:00:00+08:00", "2020-02-25T10:00:00+08:00");
        filing("F7", NANCHANG, "H6210", false, "SMALL", false, 3, "RESUMED", "2020-02-25", "2020-02-25", 10, 10, 100,
                "2020-02-25T09:00:00+08:00", "2020-02-25T10:00:00+08:00");
        // 九江 Jiujiang: one resumed since week 7, three that should have since week 8: stalled
        filing("J1", JIUJIANG, "C3581", true, "LARGE", true, 1, "RESUMED", "2020-02-10", "2020-02-10", 200, 150, 90,
                "2020-02-08T10:00:00+08:00", "2020-02-10T10:00:00+08:00");
        filing("J2", JIUJIANG, "G5430", false, "SMALL", false, 2, "APPROVED", "2020-02-20", null, 30, 0, null,
                "2020-02-09T10:00:00+08:00", "2020-02-09T10:00:00+08:00");
        filing("J3", JIUJIANG, "G5430", false, "MICRO", false, 2, "APPROVED", "2020-02-21", null, 10, 0, null,
                "2020-02-09T10:00:00+08:00", "2020-02-09T10:00:00+08:00");
        filing("J4", JIUJIANG, "C1711", false, "SMALL", false, 3, "APPROVED", "2020-02-21", null, 8, 2, null,
                "2020-02-09T10:00:00+08:00", "2020-02-09T10:00:00+08:00");
        // 赣州 Ganzhou: resumed on Monday 24 February, no capacity reported
        filing("G1", GANZHOU, "A0141", false, "MICRO", false, 2, "RESUMED", "2020-02-24", "2020-02-24", 3, 3, null,
                "2020-02-23T10:00:00+08:00", "2020-02-24T08:00:00+08:00");
        // 武汉 (another province): never in the report
        filing("X1", "420102", "C3971", true, "LARGE", false, 2, "RESUMED", "2020-02-20", "2020-02-20", 500, 500, 100,
                "2020-02-15T10:00:00+08:00", "2020-02-20T10:00:00+08:00");
        taxRecord();
    }

    /** The week's content, as WeeklyReports builds it. */
    Map<String, Object> content(ReportWeek week, ReportProperties.Lagging lagging) {
        WeeklyFigures.Weeks weeks = new WeeklyFigures(dataSource).weeks(week, Math.max(1, lagging.stalledWeeks()), ZONE, "36");
        return ReportContent.build("test-" + week, week, ZONE, "36", REGIONS, lagging, weeks.cube(), weeks.earlier());
    }
}
