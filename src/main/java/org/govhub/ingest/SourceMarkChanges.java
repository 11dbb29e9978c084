package org.govhub.ingest;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The record of every change an operator made to a source (table {@code source_mark_change}): mark
 * moves (rewind, skip) and pauses and resumes ({@link SourcePauses}); who, when, from, to, why.
 */
@Component
public class SourceMarkChanges {

    private static final Logger log = LoggerFactory.getLogger(SourceMarkChanges.class);

    private final JdbcTemplate jdbc;

    public SourceMarkChanges(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void record(String sourceId, String action, SourceMarks.Move move, String reason, String operator) {
        jdbc.update("""
                INSERT INTO source_mark_change (source_id, action, from_mark, to_mark, reason, changed_by, changed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)""",
                sourceId, action, move.from(), move.to(), reason.length() > 1000 ? reason.substring(0, 1000) : reason,
                operator, Timestamp.from(Instant.now()));
        log.warn("source {}: {} by {}: {} -> {}; reason: {}", sourceId, action, operator, move.from(), move.to(), reason);
    }

    /** The changes of one source, newest first. */
    public List<Map<String, Object>> history(String sourceId) {
        return jdbc.queryForList("""
                SELECT action, from_mark, to_mark, reason, changed_by, changed_at FROM source_mark_change
                 WHERE source_id = ? ORDER BY changed_at DESC, id DESC""", sourceId);
    }
}
