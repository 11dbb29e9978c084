package org.govhub.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.govhub.batch.RecordChunks;
import org.govhub.normalise.CanonicalJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps {@code report_filing_fact}: the few facts of every stored EnterpriseFiling version the
 * weekly report needs, so that a week is aggregated by the database. It reads {@code batch_record}
 * (and the records' text from {@link RecordChunks})
 * incrementally by id (ids are handed out before commit, so a window behind the mark is read again,
 * skipping what is already projected), one page per transaction; running it again changes nothing.
 * Each version's validity interval is kept: a version is current at T when
 * {@code valid_from < T <= valid_to} (valid_to NULL: still current); equal updatedAt: the later id wins.
 */
@Component
public class FilingFacts {

    private static final Logger log = LoggerFactory.getLogger(FilingFacts.class);
    static final String SCHEMA = "EnterpriseFiling";
    static final long WINDOW = 5000;
    static final int PAGE = 1000;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public FilingFacts(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    /** Projects every filing version not yet projected; returns how many it added. */
    public synchronized int catchUp() {
        int added = 0;
        while (true) {
            Integer page = tx.execute(status -> projectPage());
            added += page == null ? 0 : page;
            if (page == null || page < PAGE) {
                break;
            }
        }
        if (added > 0) {
            log.info("weekly report: {} filing version(s) projected", added);
        }
        return added;
    }

    private int projectPage() {
        List<Long> marks = jdbc.queryForList("SELECT last_id FROM report_projection WHERE name = 'filings'", Long.class);
        long mark = marks.isEmpty() ? 0 : marks.get(0);
        // the newest record now: when no filing follows the mark, it moves up to here, so the next run
        // does not read the other schemas' records again (the window behind it covers late commits)
        Long top = jdbc.queryForObject("SELECT MAX(id) FROM batch_record", Long.class);
        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT r.id, r.batch_id, r.seq, r.source_id, r.source_record_key FROM batch_record r"
                        + " JOIN batch b ON b.batch_id = r.batch_id"
                        + " WHERE r.id > ? AND b.schema_name = ?"
                        + " AND NOT EXISTS (SELECT 1 FROM report_filing_fact f WHERE f.record_id = r.id)"
                        + " ORDER BY r.id LIMIT " + PAGE, Math.max(0, mark - WINDOW), SCHEMA);
        // the records' text, from their batches' chunks (a page is mostly one or two batches)
        Map<String, Map<Integer, String>> text = new HashMap<>();
        rows.stream().collect(Collectors.groupingBy(row -> (String) row.get("batch_id"),
                Collectors.mapping(row -> ((Number) row.get("seq")).intValue(), Collectors.toList())))
                .forEach((batchId, seqs) -> text.put(batchId, RecordChunks.records(jdbc, batchId, seqs)));
        long max = mark;
        for (Map<String, Object> row : rows) {
            long id = ((Number) row.get("id")).longValue();
            Fact fact = Fact.of(id, (String) row.get("source_id"), (String) row.get("source_record_key"),
                    CanonicalJson.read(text.get(row.get("batch_id")).get(((Number) row.get("seq")).intValue())));
            insert(fact);
            max = Math.max(max, id);
        }
        if (rows.size() < PAGE && top != null) {
            max = Math.max(max, top);
        }
        if (marks.isEmpty()) {
            jdbc.update("INSERT INTO report_projection (name, last_id) VALUES ('filings', ?)", max);
        } else if (max > mark) {
            jdbc.update("UPDATE report_projection SET last_id = ? WHERE name = 'filings'", max);
        }
        return rows.size();
    }

    /** Inserts one version and fits it into its filing's chain of versions. */
    void insert(Fact f) {
        Long next = jdbc.queryForObject("SELECT MIN(valid_from) FROM report_filing_fact WHERE source_id = ? AND record_key = ?"
                + " AND (valid_from > ? OR (valid_from = ? AND record_id > ?))", Long.class,
                f.sourceId, f.recordKey, f.validFrom, f.validFrom, f.recordId);
        jdbc.update("UPDATE report_filing_fact SET valid_to = ? WHERE source_id = ? AND record_key = ?"
                + " AND (valid_from < ? OR (valid_from = ? AND record_id < ?)) AND (valid_to IS NULL OR valid_to > ?)",
                f.validFrom, f.sourceId, f.recordKey, f.validFrom, f.validFrom, f.recordId, f.validFrom);
        jdbc.update("INSERT INTO report_filing_fact (record_id, source_id, record_key, valid_from, valid_to, filed_at,"
                + " region_code, city_code, industry_section, priority_class, above_designated, sme, major_project, status,"
                + " planned_date, actual_date, employees_total, employees_returned, capacity_percent)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                f.recordId, f.sourceId, f.recordKey, f.validFrom, next, f.filedAt, f.regionCode, f.cityCode,
                f.industrySection, f.priorityClass, f.aboveDesignated ? 1 : 0, f.sme ? 1 : 0, f.majorProject ? 1 : 0,
                f.status, f.plannedDate, f.actualDate, f.employeesTotal, f.employeesReturned, f.capacityPercent);
    }

    /** The facts of one filing version, read from its canonical record. */
    record Fact(long recordId, String sourceId, String recordKey, long validFrom, long filedAt, String regionCode,
            String cityCode, String industrySection, int priorityClass, boolean aboveDesignated, boolean sme,
            boolean majorProject, String status, Integer plannedDate, Integer actualDate, long employeesTotal,
            long employeesReturned, BigDecimal capacityPercent) {

        static Fact of(long id, String sourceId, String recordKey, JsonNode r) {
            String region = r.path("regionCode").asText();
            // the size class the policy facts use (derived per the standard, else as given)
            String size = r.path("policy").path("enterpriseSize").path("sizeClass").asText(null);
            if (size == null || size.isEmpty()) {
                size = r.path("sizeClass").asText("");
            }
            JsonNode capacity = r.path("capacityRecoveryPercent");
            return new Fact(id, sourceId, recordKey, instant(r.path("updatedAt").asText()),
                    instant(r.path("filedAt").asText()), region, cityOf(region),
                    r.path("industryCode").asText("?").substring(0, 1), r.path("priority").path("class").asInt(3),
                    r.path("aboveDesignatedSize").asBoolean(false),
                    size.equals("MEDIUM") || size.equals("SMALL") || size.equals("MICRO"),
                    r.path("majorProject").asBoolean(false), r.path("status").asText(),
                    date(r.path("plannedResumptionDate")), date(r.path("actualResumptionDate")),
                    r.path("employeesTotal").asLong(0), r.path("employeesReturned").asLong(0),
                    capacity.isNumber() ? capacity.decimalValue() : null);
        }
    }

    /** Prefecture-level city 设区市 of a GB/T 2260 county code: its first 4 digits and 00. */
    public static String cityOf(String regionCode) {
        return regionCode.substring(0, 4) + "00";
    }

    static long instant(String isoOffsetDateTime) {
        return OffsetDateTime.parse(isoOffsetDateTime).toInstant().toEpochMilli();
    }

    static Integer date(JsonNode node) {
        if (node == null || !node.isTextual() || node.asText().isEmpty()) {
            return null;
        }
        return yyyymmdd(LocalDate.parse(node.asText()));
    }

    static int yyyymmdd(LocalDate d) {
        return d.getYear() * 10000 + d.getMonthValue() * 100 + d.getDayOfMonth();
    }
}
