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

    /** The newest batches, each filter applied when not null. */
    public List<Map<String, Object>> list(String status, String schema, Integer priorityClass, int limit) {
        StringBuilder sql = new StringBuilder("SELECT batch_id, schema_name, schema_version, priority_class, status, record_count,"
                + " opened_at, sealed_at, payload_sha256, attempts, next_attempt_at, last_error, acknowledged_at, receipt_id"
                + " FROM batch WHERE 1 = 1");
        List<Object> args = new java.util.ArrayList<>();
        if (status != null) {
            sql.append(" AND status = ?");
            args.add(status);
        }
        if (schema != null) {
            sql.append(" AND schema_name = ?");
            args.add(schema);
        }
        if (priorityClass != null) {
            sql.append(" AND priority_class = ?");
            args.add(priorityClass);
        }
        sql.append(" ORDER BY opened_at DESC LIMIT ?");
        args.add(limit);
        return jdbc.queryForList(sql.toString(), args.toArray());
    }

    public Optional<Map<String, Object>> find(String batchId) {
        return jdbc.queryForList("SELECT * FROM batch WHERE batch_id = ?", batchId).stream().findFirst();
    }

    /**
     * Where a source's record went: each version the hub batched (its provenance, batch, place in the
     * batch, and the batch's state and platform receipt), oldest first. The lookup leads with the key,
     * as uq_batch_record_repeat does.
     */
    public List<Map<String, Object>> versions(String sourceId, String recordKey) {
        List<Map<String, Object>> versions = jdbc.query("SELECT r.batch_id, r.seq, r.content_hash, r.added_at, b.schema_name,"
                + " b.status, b.sealed_at, b.payload_sha256, b.acknowledged_at, b.receipt_id FROM batch_record r"
                + " JOIN batch b ON b.batch_id = r.batch_id WHERE r.source_record_key = ? AND r.source_id = ? ORDER BY r.id",
                (rs, n) -> {
                    Map<String, Object> version = new java.util.LinkedHashMap<>();
                    version.put("provenance", null);
                    version.put("contentHash", rs.getString("content_hash"));
                    version.put("batchedAt", rs.getTimestamp("added_at").toInstant().toString());
                    Map<String, Object> batch = new java.util.LinkedHashMap<>();
                    batch.put("batchId", rs.getString("batch_id"));
                    batch.put("seq", rs.getInt("seq"));
                    batch.put("schema", rs.getString("schema_name"));
                    batch.put("status", rs.getString("status"));
                    batch.put("sealedAt", instant(rs.getTimestamp("sealed_at")));
                    batch.put("payloadSha256", rs.getString("payload_sha256"));
                    batch.put("acknowledgedAt", instant(rs.getTimestamp("acknowledged_at")));
                    batch.put("receiptId", rs.getString("receipt_id"));
                    version.put("batch", batch);
                    return version;
                }, recordKey, sourceId);
        for (Map<String, Object> version : versions) {
            @SuppressWarnings("unchecked")
            Map<String, Object> batch = (Map<String, Object>) version.get("batch");
            int seq = (Integer) batch.get("seq");
            String record = RecordChunks.records(jdbc, (String) batch.get("batchId"), List.of(seq)).get(seq);
            // the provenance only: the record's fields may be personal data (the masked views are elsewhere)
            version.put("provenance", record == null ? null : org.govhub.normalise.CanonicalJson.read(record).path("provenance"));
        }
        return versions;
    }

    private static String instant(java.sql.Timestamp t) {
        return t == null ? null : t.toInstant().toString();
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
