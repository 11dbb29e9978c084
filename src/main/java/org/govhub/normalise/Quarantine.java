package org.govhub.normalise;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Records that cannot be shared, kept in the hub database with every reason and the raw row.
 * Nothing is dropped: a row read twice (after a crash before the watermark moved) is kept once.
 */
@Component("quarantine")
public class Quarantine {

    private static final Logger log = LoggerFactory.getLogger(Quarantine.class);

    private final JdbcTemplate jdbc;

    public Quarantine(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void keep(@Body NormalisedRecord record) {
        String reasons = CanonicalJson.write(CanonicalJson.MAPPER.valueToTree(record.reasons()));
        try {
            jdbc.update("""
                    INSERT INTO quarantine (source_id, mapping_id, schema_name, source_record_key, raw_hash,
                                            raw_payload, reasons, status, quarantined_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'OPEN', ?)""",
                    record.sourceId(), record.mappingId(), record.schema(),
                    record.recordKey() == null ? "" : record.recordKey(), CanonicalJson.sha256(record.rawJson()),
                    record.rawJson(), reasons, Timestamp.from(Instant.now()));
            log.warn("quarantined {} record {}: {}", record.sourceId(), record.recordKey(), record.reasons());
        } catch (DuplicateKeyException e) {
            log.debug("record {} of {} is already in quarantine", record.recordKey(), record.sourceId());
        }
    }

    public List<Map<String, Object>> list(String sourceId, int limit) {
        if (sourceId == null) {
            return jdbc.queryForList("SELECT * FROM quarantine ORDER BY id LIMIT ?", limit);
        }
        return jdbc.queryForList("SELECT * FROM quarantine WHERE source_id = ? ORDER BY id LIMIT ?", sourceId, limit);
    }

    public long count() {
        Long n = jdbc.queryForObject("SELECT COUNT(*) FROM quarantine", Long.class);
        return n == null ? 0 : n;
    }
}
