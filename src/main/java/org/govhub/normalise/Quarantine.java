package org.govhub.normalise;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import org.apache.camel.Body;
import org.govhub.IndexRepair;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Records that cannot be shared, kept in the hub database with every reason and the raw row.
 * Nothing is dropped: a row read twice (after a crash before the watermark moved) is kept once.
 */
@Component("quarantine")
public class Quarantine {

    private static final Logger log = LoggerFactory.getLogger(Quarantine.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public Quarantine(JdbcTemplate jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    public void keep(@Body NormalisedRecord record) {
        try {
            jdbc.update(INSERT, values(record));
            logKept(record);
        } catch (DuplicateKeyException e) {
            if (holds(record.sourceId(), record.recordKey(), record.rawHash())) {
                log.debug("record {} of {} is already in quarantine", record.recordKey(), record.sourceId());
                return;
            }
            // the unique index refuses a row the table does not hold: repaired, then kept; if it cannot be,
            // the failure stops the poll (its mark does not move) rather than drop the row
            log.error("the unique index of quarantine refuses record {} of {}, which quarantine does not hold ({}); rebuilding it",
                    record.recordKey(), record.sourceId(), e.getMostSpecificCause().getMessage());
            if (!IndexRepair.rebuild(jdbc, "quarantine", "uq_quarantine_row", "source_id, source_record_key, raw_hash",
                    "it refused a row quarantine did not hold")) {
                throw e;
            }
            jdbc.update(INSERT, values(record));
            logKept(record);
        }
    }

    /**
     * The invalid rows of one poll, in one database batch and transaction. A row already kept (a
     * re-read after a crash) fails the batch; then each is kept alone and the repeat is passed over.
     */
    public void keepAll(List<NormalisedRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        try {
            tx.executeWithoutResult(s -> jdbc.batchUpdate(INSERT, records.stream().map(Quarantine::values).toList()));
            records.forEach(Quarantine::logKept);
        } catch (DuplicateKeyException e) {
            records.forEach(this::keep);
        }
    }

    private static final String INSERT = """
            INSERT INTO quarantine (source_id, mapping_id, schema_name, source_record_key, raw_hash,
                                    raw_payload, reasons, status, quarantined_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'OPEN', ?)""";

    private static Object[] values(NormalisedRecord record) {
        String raw = record.rawJson(); // built from the row on each call: once here
        return new Object[] {record.sourceId(), record.mappingId(), record.schema(),
                record.recordKey() == null ? "" : record.recordKey(), CanonicalJson.sha256(raw),
                raw, CanonicalJson.write(CanonicalJson.MAPPER.valueToTree(record.reasons())),
                Timestamp.from(Instant.now())};
    }

    private static void logKept(NormalisedRecord record) {
        try (var fields = LogFields.of(LogFields.SOURCE, record.sourceId(), LogFields.RECORD, record.recordKey())) {
            log.warn("quarantined {} record {}: {}", record.sourceId(), ControlCharacters.escape(record.recordKey()), record.reasons());
        }
    }

    /** Whether this row (same source, key and raw content) is in quarantine already. */
    public boolean holds(String sourceId, String recordKey, String rawHash) {
        List<Long> found = jdbc.queryForList("SELECT id FROM quarantine WHERE source_id = ? AND source_record_key = ? AND raw_hash = ?",
                Long.class, sourceId, recordKey == null ? "" : recordKey, rawHash);
        // confirmed by primary key: H2 answers the lookup from the unique index alone, and an entry its crash
        // recovery kept of a rolled-back row would pass for a kept row (see BatchAssembler.GhostIndexEntry)
        return !found.isEmpty() && jdbc.queryForObject("SELECT COUNT(*) FROM quarantine WHERE id = ?", Integer.class, found.get(0)) > 0;
    }

    /** What an operator may filter the quarantine by; null fields do not filter. */
    public record Filter(String sourceId, String status, String reasonContains, Instant from, Instant to) {
    }

    public List<Map<String, Object>> list(Filter filter, int limit, int offset) {
        StringBuilder sql = new StringBuilder("SELECT * FROM quarantine WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        where(filter, sql, args);
        sql.append(" ORDER BY id LIMIT ? OFFSET ?");
        args.add(limit);
        args.add(offset);
        return jdbc.queryForList(sql.toString(), args.toArray());
    }

    public long count(Filter filter) {
        StringBuilder sql = new StringBuilder("SELECT COUNT(*) FROM quarantine WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        where(filter, sql, args);
        Long n = jdbc.queryForObject(sql.toString(), Long.class, args.toArray());
        return n == null ? 0 : n;
    }

    private static void where(Filter f, StringBuilder sql, List<Object> args) {
        if (f.sourceId() != null) {
            sql.append(" AND source_id = ?");
            args.add(f.sourceId());
        }
        if (f.status() != null) {
            sql.append(" AND status = ?");
            args.add(f.status());
        }
        if (f.reasonContains() != null) {
            sql.append(" AND reasons LIKE ?");
            args.add("%" + f.reasonContains().replace("%", "\\%").replace("_", "\\_") + "%");
        }
        if (f.from() != null) {
            sql.append(" AND quarantined_at >= ?");
            args.add(Timestamp.from(f.from()));
        }
        if (f.to() != null) {
            sql.append(" AND quarantined_at < ?");
            args.add(Timestamp.from(f.to()));
        }
    }

    /** A source record's quarantine entries (without the payload, which may be personal data), oldest first. */
    public List<Map<String, Object>> entriesFor(String sourceId, String recordKey) {
        return jdbc.query("SELECT id, status, reasons, quarantined_at, resolved_at, resolved_by FROM quarantine"
                + " WHERE source_id = ? AND source_record_key = ? ORDER BY id", (rs, n) -> {
                    Map<String, Object> entry = new java.util.LinkedHashMap<>();
                    entry.put("id", rs.getLong("id"));
                    entry.put("status", rs.getString("status"));
                    entry.put("reasons", CanonicalJson.read(rs.getString("reasons")));
                    entry.put("quarantinedAt", rs.getTimestamp("quarantined_at").toInstant().toString());
                    Timestamp resolved = rs.getTimestamp("resolved_at");
                    entry.put("resolvedAt", resolved == null ? null : resolved.toInstant().toString());
                    entry.put("resolvedBy", rs.getString("resolved_by"));
                    return entry;
                }, sourceId, recordKey);
    }

    public Optional<Map<String, Object>> find(long id) {
        return jdbc.queryForList("SELECT * FROM quarantine WHERE id = ?", id).stream().findFirst();
    }

    /** Stores an operator's corrected row; the original raw payload is kept as it came. */
    public boolean correct(long id, String correctedJson) {
        return jdbc.update("UPDATE quarantine SET corrected_payload = ? WHERE id = ? AND status = 'OPEN'", correctedJson, id) == 1;
    }

    /** A replay that failed again: the reasons now are those of the corrected row. */
    public void stillInvalid(long id, List<String> reasons) {
        jdbc.update("UPDATE quarantine SET reasons = ? WHERE id = ?",
                CanonicalJson.write(CanonicalJson.MAPPER.valueToTree(reasons)), id);
    }

    /** A replay that passed: the record is on its way; the row stays for the record's history. */
    public void replayed(long id, String operator) {
        jdbc.update("UPDATE quarantine SET status = 'REPLAYED', resolved_at = ?, resolved_by = ? WHERE id = ?",
                Timestamp.from(Instant.now()), operator, id);
    }

    public long count() {
        return count(new Filter(null, null, null, null, null));
    }
}
