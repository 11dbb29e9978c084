package org.govhub.batch;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Read side of the batch tables, for operators and the delivery stage. */
@Component
public class Batches {

    private final JdbcTemplate jdbc;

    public Batches(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public List<Map<String, Object>> list(String status, int limit) {
        String columns = "batch_id, schema_name, schema_version, status, record_count, opened_at, sealed_at,"
                + " payload_sha256, attempts, next_attempt_at, last_error, acknowledged_at, receipt_id";
        if (status == null) {
            return jdbc.queryForList("SELECT " + columns + " FROM batch ORDER BY opened_at DESC LIMIT ?", limit);
        }
        return jdbc.queryForList("SELECT " + columns + " FROM batch WHERE status = ? ORDER BY opened_at DESC LIMIT ?",
                status, limit);
    }

    public Optional<Map<String, Object>> find(String batchId) {
        return jdbc.queryForList("SELECT * FROM batch WHERE batch_id = ?", batchId).stream().findFirst();
    }

    public Map<String, Long> countByStatus() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        jdbc.query("SELECT status, COUNT(*) AS n FROM batch GROUP BY status",
                rs -> {
                    counts.put(rs.getString("status"), rs.getLong("n"));
                });
        return counts;
    }
}
