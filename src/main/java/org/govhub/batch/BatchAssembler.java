package org.govhub.batch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.govhub.normalise.CanonicalJson;
import org.govhub.normalise.RecordNormaliser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Builds batches in the hub database, not in memory, so a crash loses nothing: a record taken
 * from the broker is committed to its batch before the broker message is acknowledged. A batch is
 * sealed (made mature) at the size limit or the age limit; sealing writes its manifest.
 */
@Component("batchAssembler")
public class BatchAssembler {

    private static final Logger log = LoggerFactory.getLogger(BatchAssembler.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final BatchProperties properties;
    private final BatchLifecycle lifecycle;
    /** One writer at a time: the broker consumer and the age sealer both touch the open batch. */
    private final ReentrantLock lock = new ReentrantLock();

    public BatchAssembler(JdbcTemplate jdbc, TransactionTemplate tx, BatchProperties properties, BatchLifecycle lifecycle) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.properties = properties;
        this.lifecycle = lifecycle;
    }

    /**
     * Adds one canonical record to the open batch of its schema.
     *
     * @return false when a record with the same content hash was already taken (a repeat)
     */
    public boolean add(@Body String record, @Header(RecordNormaliser.H_SCHEMA) String schema,
            @Header(RecordNormaliser.H_SCHEMA_VERSION) String schemaVersion,
            @Header(RecordNormaliser.H_CONTENT_HASH) String contentHash,
            @Header(RecordNormaliser.H_SOURCE_ID) String sourceId,
            @Header(RecordNormaliser.H_RECORD_KEY) String recordKey,
            @Header(RecordNormaliser.H_EVENT_TIME) String eventTime,
            @Header(RecordNormaliser.H_PRIORITY_CLASS) Integer priorityClassHeader) {
        int priorityClass = priorityClassHeader == null ? 3 : priorityClassHeader;
        lock.lock();
        try {
            Boolean added = tx.execute(status -> {
                Integer seen = jdbc.queryForObject("SELECT COUNT(*) FROM batch_record WHERE content_hash = ?",
                        Integer.class, contentHash);
                if (seen != null && seen > 0) {
                    log.info("record {} of {} repeats content {}; not batched again", recordKey, sourceId, contentHash);
                    return false;
                }
                Timestamp now = Timestamp.from(Instant.now());
                List<Map<String, Object>> open = jdbc.queryForList(
                        "SELECT batch_id, record_count FROM batch WHERE schema_name = ? AND schema_version = ?"
                                + " AND priority_class = ? AND status = 'OPEN'", schema, schemaVersion, priorityClass);
                String batchId;
                int count;
                if (open.isEmpty()) {
                    batchId = UUID.randomUUID().toString();
                    count = 0;
                    jdbc.update("INSERT INTO batch (batch_id, schema_name, schema_version, priority_class, status, record_count,"
                            + " opened_at) VALUES (?, ?, ?, ?, 'OPEN', 0, ?)", batchId, schema, schemaVersion, priorityClass, now);
                    lifecycle.opened(batchId, "first " + schema + " record of priority class " + priorityClass + " arrived");
                } else {
                    batchId = (String) open.get(0).get("batch_id");
                    count = ((Number) open.get(0).get("record_count")).intValue();
                }
                jdbc.update("INSERT INTO batch_record (batch_id, seq, content_hash, source_id, source_record_key, event_time,"
                        + " record, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        batchId, count + 1, contentHash, sourceId, recordKey, eventTime, record, now);
                jdbc.update("UPDATE batch SET record_count = ? WHERE batch_id = ?", count + 1, batchId);
                int limit = properties.maxRecords(schema, priorityClass);
                if (count + 1 >= limit) {
                    seal(batchId, "size limit " + limit + " reached");
                }
                return true;
            });
            return Boolean.TRUE.equals(added);
        } finally {
            lock.unlock();
        }
    }

    /** Seals every open batch whose first record is older than its age limit (per schema and class). */
    public int sealDue() {
        Instant now = Instant.now();
        lock.lock();
        try {
            int sealed = 0;
            for (Map<String, Object> open : jdbc.queryForList(
                    "SELECT batch_id, schema_name, priority_class, opened_at FROM batch WHERE status = 'OPEN' AND record_count > 0")) {
                Duration maxAge = properties.maxAge((String) open.get("schema_name"), ((Number) open.get("priority_class")).intValue());
                if (!((Timestamp) open.get("opened_at")).toInstant().plus(maxAge).isAfter(now)) {
                    String batchId = (String) open.get("batch_id");
                    tx.executeWithoutResult(s -> seal(batchId, "age limit " + maxAge + " reached"));
                    sealed++;
                }
            }
            return sealed;
        } finally {
            lock.unlock();
        }
    }

    /** Closes a batch and writes its manifest; from here on its content never changes. */
    private void seal(String batchId, String why) {
        Map<String, Object> batch = jdbc.queryForMap("SELECT * FROM batch WHERE batch_id = ?", batchId);
        List<Map<String, Object>> records = jdbc.queryForList(
                "SELECT source_id, event_time FROM batch_record WHERE batch_id = ? ORDER BY seq", batchId);
        String payload = payload(batchId);
        TreeSet<String> sources = new TreeSet<>();
        TreeSet<String> times = new TreeSet<>();
        for (Map<String, Object> r : records) {
            sources.add((String) r.get("source_id"));
            if (r.get("event_time") != null) {
                times.add((String) r.get("event_time"));
            }
        }
        Instant sealedAt = Instant.now();
        ObjectNode manifest = CanonicalJson.MAPPER.createObjectNode();
        manifest.put("batchId", batchId);
        manifest.put("schema", (String) batch.get("schema_name"));
        manifest.put("schemaVersion", (String) batch.get("schema_version"));
        manifest.put("priorityClass", ((Number) batch.get("priority_class")).intValue());
        manifest.put("recordCount", records.size());
        manifest.put("payloadSha256", CanonicalJson.sha256(payload));
        ObjectNode range = manifest.putObject("timeRange");
        range.put("from", times.isEmpty() ? null : times.first());
        range.put("to", times.isEmpty() ? null : times.last());
        manifest.set("sources", CanonicalJson.MAPPER.valueToTree(sources));
        manifest.put("openedAt", ((Timestamp) batch.get("opened_at")).toInstant().toString());
        manifest.put("sealedAt", sealedAt.toString());
        lifecycle.move(batchId, BatchLifecycle.State.OPEN, BatchLifecycle.State.SEALED,
                "sealed with " + records.size() + " records: " + why,
                "sealed_at = ?, payload_sha256 = ?, manifest = ?, next_attempt_at = ?",
                Timestamp.from(sealedAt), CanonicalJson.sha256(payload), CanonicalJson.write(manifest), Timestamp.from(sealedAt));
        log.info("batch {} sealed with {} {} records ({})", batchId, records.size(), batch.get("schema_name"), why);
    }

    /** The canonical payload of a batch: its records in order, as one JSON array. */
    public String payload(String batchId) {
        List<String> records = jdbc.queryForList("SELECT record FROM batch_record WHERE batch_id = ? ORDER BY seq",
                String.class, batchId);
        return "[" + String.join(",", records) + "]";
    }
}
