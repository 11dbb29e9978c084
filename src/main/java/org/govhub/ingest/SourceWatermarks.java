package org.govhub.ingest;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.govhub.normalise.RecordNormaliser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Incremental pull state of each source, kept in the hub database so that a restart neither
 * re-reads nor skips rows. The watermark only moves after every row of a poll has been put on
 * the broker or into quarantine; a crash in between re-reads those rows and the batch stage
 * recognises them by content hash.
 */
@Component("sourceWatermarks")
public class SourceWatermarks {

    private static final Logger log = LoggerFactory.getLogger(SourceWatermarks.class);

    /** Exchange property naming the source's key column, set by the source route. */
    public static final String KEY_COLUMN = "govhubKeyColumn";

    private final JdbcTemplate jdbc;

    public SourceWatermarks(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The highest key already taken from a source whose key column is numeric; 0 before the first pull. */
    public long current(@ExchangeProperty(RecordNormaliser.SOURCE_ID) String sourceId) {
        List<String> values = jdbc.queryForList(
                "SELECT watermark FROM source_watermark WHERE source_id = ?", String.class, sourceId);
        return values.isEmpty() ? 0L : Long.parseLong(values.get(0));
    }

    /**
     * Moves the watermark to the key of the last row of a poll (rows come ordered by key).
     *
     * @return the new watermark
     */
    public long advance(@ExchangeProperty(RecordNormaliser.SOURCE_ID) String sourceId,
            @ExchangeProperty(KEY_COLUMN) String keyColumn, @Body List<Map<String, Object>> rows) {
        long current = current(sourceId);
        if (rows == null || rows.isEmpty()) {
            return current;
        }
        Object last = RowKeys.value(rows.get(rows.size() - 1), keyColumn);
        if (last == null) {
            throw new IllegalStateException("source " + sourceId + ": last row has no value in key column " + keyColumn);
        }
        long next = Long.parseLong(last.toString().trim());
        if (next <= current) {
            return current;
        }
        Timestamp now = Timestamp.from(Instant.now());
        int updated = jdbc.update("UPDATE source_watermark SET watermark = ?, updated_at = ? WHERE source_id = ?",
                Long.toString(next), now, sourceId);
        if (updated == 0) {
            jdbc.update("INSERT INTO source_watermark (source_id, watermark, updated_at) VALUES (?, ?, ?)",
                    sourceId, Long.toString(next), now);
        }
        log.info("source {}: {} rows taken, watermark {} -> {}", sourceId, rows.size(), current, next);
        return next;
    }

    public List<Map<String, Object>> all() {
        return jdbc.queryForList("SELECT source_id, watermark, updated_at FROM source_watermark ORDER BY source_id");
    }
}
