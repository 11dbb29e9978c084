package org.govhub.batch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import org.govhub.IndexRepair;
import org.govhub.normalise.CanonicalJson;
import org.govhub.normalise.LogFields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Builds batches in the hub database, not in memory, so a crash loses nothing: a record taken
 * from the broker is committed to its batch before the broker message is acknowledged. A batch is
 * sealed (made mature) at the size limit, the age limit or, once it holds enough, when records stop
 * joining it ({@link BatchProperties}); sealing writes its manifest.
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

    /** A canonical record as it comes off its schema's queue, with the headers it travelled with. */
    public record Incoming(String record, String schema, String schemaVersion, String contentHash, String sourceId,
            String recordKey, String eventTime, int priorityClass, String enterpriseCode) {
    }

    /**
     * Adds records taken from the broker to the open batches of their schema and priority class, in
     * one database transaction (the broker transaction they came in is committed after it). A batch
     * that reaches its size limit is sealed on the way and the next record opens a new one.
     *
     * @return how many were added; a record already taken (same source, source key and content hash:
     *         a re-read after a crash, a redelivery) is a repeat and is left out
     */
    public int store(List<Incoming> records) {
        if (records.isEmpty()) {
            return 0;
        }
        lock.lock();
        try {
            Integer added = tx.execute(status -> {
                Set<String> taken = alreadyTaken(records);
                Map<List<Object>, OpenBatch> open = new HashMap<>();
                // written in the order they were taken from the broker (most urgent first), whatever their batch
                List<Object[]> pending = new ArrayList<>();
                Timestamp now = Timestamp.from(Instant.now());
                int count = 0;
                for (Incoming r : records) {
                    if (!taken.add(repeatKey(r.sourceId(), r.recordKey(), r.contentHash()))) {
                        try (var fields = LogFields.of(LogFields.SOURCE, r.sourceId(), LogFields.RECORD, r.recordKey())) {
                            log.info("record {} of {} repeats content {}; not batched again", r.recordKey(), r.sourceId(), r.contentHash());
                        }
                        continue;
                    }
                    List<Object> key = List.of(r.schema(), r.schemaVersion(), r.priorityClass());
                    OpenBatch batch = open.computeIfAbsent(key, k -> openBatch(r.schema(), r.schemaVersion(), r.priorityClass(), now));
                    batch.count++;
                    batch.unwritten.add(r.record());
                    pending.add(new Object[] {batch.batchId, batch.count, r.contentHash(), r.sourceId(), r.recordKey(),
                            r.eventTime(), now, r.enterpriseCode()});
                    count++;
                    int limit = properties.maxRecords(r.schema(), r.priorityClass());
                    if (batch.count >= limit) {
                        flush(pending, open.values(), now);
                        seal(batch.batchId, "size limit " + limit + " reached");
                        open.remove(key);
                    }
                }
                flush(pending, open.values(), now);
                return count;
            });
            return added == null ? 0 : added;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The records among these that are already in a batch: same source, same source key, same content
     * (a re-read after a crash, a redelivery). Equal content under another key is another record.
     * Looked up by key and source, the leading columns of the repeat index (V15).
     */
    private Set<String> alreadyTaken(List<Incoming> records) {
        Map<String, List<String>> keysBySource = new HashMap<>();
        for (Incoming r : records) {
            keysBySource.computeIfAbsent(r.sourceId(), s -> new ArrayList<>()).add(r.recordKey());
        }
        Map<Long, String> found = new HashMap<>();
        keysBySource.forEach((sourceId, keys) -> {
            List<String> distinct = keys.stream().distinct().toList();
            for (int from = 0; from < distinct.size(); from += 500) {
                found.putAll(indexed(sourceId, distinct.subList(from, Math.min(distinct.size(), from + 500)), null));
            }
        });
        Set<Long> held = held(found.keySet());
        for (Map.Entry<Long, String> entry : found.entrySet()) {
            if (!held.contains(entry.getKey())) {
                throw new GhostIndexEntry(entry.getValue().replace('\u0000', ' '));
            }
        }
        return new HashSet<>(found.values());
    }

    /**
     * What the repeat index finds for these keys of one source (and content hash, when given): row id
     * to repeat key. H2 answers this from the index alone, as it holds every column asked for.
     */
    private Map<Long, String> indexed(String sourceId, List<String> keys, String contentHash) {
        List<Object> args = new ArrayList<>(keys.size() + 2);
        args.add(sourceId);
        args.addAll(keys);
        if (contentHash != null) {
            args.add(contentHash);
        }
        Map<Long, String> found = new HashMap<>();
        jdbc.query("SELECT id, source_id, source_record_key, content_hash FROM batch_record WHERE source_id = ?"
                + " AND source_record_key IN (" + String.join(",", Collections.nCopies(keys.size(), "?")) + ")"
                + (contentHash == null ? "" : " AND content_hash = ?"),
                rs -> {
                    found.put(rs.getLong(1), repeatKey(rs.getString(2), rs.getString(3), rs.getString(4)));
                }, args.toArray());
        return found;
    }

    /**
     * The ids among {@code ids} whose rows the table holds, read by primary key: an index entry that
     * H2's crash recovery kept of a rolled-back row is found by the repeat lookup but has no row, and
     * taking it for a repeat would drop the record (seen after a SIGKILL in CrashTest).
     */
    private Set<Long> held(Collection<Long> ids) {
        Set<Long> held = new HashSet<>();
        List<Long> all = List.copyOf(ids);
        for (int from = 0; from < all.size(); from += 500) {
            List<Long> chunk = all.subList(from, Math.min(all.size(), from + 500));
            held.addAll(jdbc.queryForList("SELECT id FROM batch_record WHERE id IN ("
                    + String.join(",", Collections.nCopies(chunk.size(), "?")) + ")", Long.class, chunk.toArray()));
        }
        return held;
    }

    /**
     * The repeat index holds an entry for a record the table does not hold: a unique violation in
     * all but name, so the batch stage repairs it as one (rebuilds the unique indexes, tries again).
     */
    public static final class GhostIndexEntry extends DuplicateKeyException {
        GhostIndexEntry(String record) {
            super("the unique index " + REPEAT_INDEX + " holds " + record + ", a row batch_record does not hold"
                    + " (an index entry left by a rolled-back row)");
        }
    }

    private static String repeatKey(String sourceId, String recordKey, String contentHash) {
        return sourceId + "\u0000" + recordKey + "\u0000" + contentHash;
    }

    /**
     * Whether this record is in a batch already, as the table has it (the same lookup the store makes
     * before it writes, each row found confirmed by its primary key): a repeat found here is a true
     * repeat. An index entry without its row, or a lookup that fails, answers no.
     */
    public boolean holds(Incoming r) {
        return holds(r.sourceId(), r.recordKey(), r.contentHash());
    }

    /** {@link #holds(Incoming)} by the three fields that make a repeat (the sources' re-reads ask it too). */
    public boolean holds(String sourceId, String recordKey, String contentHash) {
        try {
            Map<Long, String> found = indexed(sourceId, List.of(recordKey), contentHash);
            return !held(found.keySet()).isEmpty();
        } catch (DataAccessException e) {
            log.warn("looking up record {} of {} failed ({}); taken as not batched", recordKey, sourceId, e.getMessage());
            return false;
        }
    }

    /** Whether a unique violation names one of batch_record's unique constraints (the ones a rebuild repairs). */
    public static boolean namesUniqueIndex(DataAccessException e) {
        String message = String.valueOf(e.getMostSpecificCause().getMessage()).toLowerCase(Locale.ROOT);
        return UNIQUE_INDEXES.keySet().stream().anyMatch(message::contains);
    }

    /**
     * Builds the unique indexes of batch_record again from its rows, at most once per
     * {@value #REBUILD_PAUSE_MINUTES} minutes. Needed when one refuses a record the table does not
     * hold: seen once with embedded H2 after the hub was killed in the middle of a batch transaction
     * (its crash recovery kept an index entry of a row it rolled back). The batch writers wait
     * meanwhile, so no repeat can slip in.
     *
     * @return false when it was not done: too soon after the last one, or on a database the hub
     *         cannot rebuild indexes on, or because it failed (logged)
     */
    public boolean rebuildUniqueIndexes() {
        lock.lock();
        try {
            Instant now = Instant.now();
            if (lastRebuild != null && lastRebuild.plus(Duration.ofMinutes(REBUILD_PAUSE_MINUTES)).isAfter(now)) {
                log.warn("unique indexes of batch_record were rebuilt at {}; not again before {} minutes have passed",
                        lastRebuild, REBUILD_PAUSE_MINUTES);
                return false;
            }
            lastRebuild = now;
            long started = System.nanoTime();
            for (Map.Entry<String, String> unique : UNIQUE_INDEXES.entrySet()) {
                if (!IndexRepair.rebuild(jdbc, "batch_record", unique.getKey(), unique.getValue(),
                        "it refused or found a record batch_record did not hold")) {
                    log.error("the unique indexes of batch_record need rebuilding; the hub only knows how to do it on H2 and PostgreSQL");
                    return false;
                }
            }
            log.warn("unique indexes {} rebuilt from batch_record in {} ms", UNIQUE_INDEXES.keySet(),
                    (System.nanoTime() - started) / 1_000_000);
            return true;
        } catch (DataAccessException e) {
            log.error("rebuilding the unique indexes of batch_record failed: {}", e.getMostSpecificCause().getMessage());
            return false;
        } finally {
            lock.unlock();
        }
    }

    static final int REBUILD_PAUSE_MINUTES = 10;
    private Instant lastRebuild;

    /** The unique index that makes a record (source, source key, content hash) go into one batch only (migration V9). */
    public static final String REPEAT_INDEX = "uq_batch_record_repeat";

    /** batch_record's unique constraints (migrations V1, V15) and their columns. */
    private static final Map<String, String> UNIQUE_INDEXES = Map.of(
            "uq_batch_record_seq", "batch_id, seq",
            REPEAT_INDEX, "source_record_key, source_id, content_hash");

    /** Whether the hub database answers at all (to tell a refused record from a database that is down). */
    public boolean storeAnswers() {
        try {
            return Integer.valueOf(1).equals(jdbc.queryForObject("SELECT 1", Integer.class));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The open batch of a schema and class, opened now if there is none. */
    private OpenBatch openBatch(String schema, String schemaVersion, int priorityClass, Timestamp now) {
        List<Map<String, Object>> open = jdbc.queryForList(
                "SELECT batch_id, record_count FROM batch WHERE schema_name = ? AND schema_version = ?"
                        + " AND priority_class = ? AND status = 'OPEN'", schema, schemaVersion, priorityClass);
        if (!open.isEmpty()) {
            return new OpenBatch((String) open.get(0).get("batch_id"), ((Number) open.get(0).get("record_count")).intValue());
        }
        String batchId = UUID.randomUUID().toString();
        jdbc.update("INSERT INTO batch (batch_id, schema_name, schema_version, priority_class, status, record_count,"
                + " opened_at) VALUES (?, ?, ?, ?, 'OPEN', 0, ?)", batchId, schema, schemaVersion, priorityClass, now);
        lifecycle.opened(batchId, "first " + schema + " record of priority class " + priorityClass + " arrived");
        return new OpenBatch(batchId, 0);
    }

    /**
     * Writes the records gathered so far: their rows (one JDBC batch), their text as chunks
     * ({@link RecordChunks}) and the new counts of their batches.
     */
    private void flush(List<Object[]> pending, Collection<OpenBatch> batches, Timestamp now) {
        if (pending.isEmpty()) {
            return;
        }
        jdbc.batchUpdate("INSERT INTO batch_record (batch_id, seq, content_hash, source_id, source_record_key, event_time,"
                + " added_at, enterprise_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", pending);
        pending.clear();
        for (OpenBatch batch : batches) {
            if (batch.count != batch.written) {
                RecordChunks.write(jdbc, batch.batchId, batch.written + 1, batch.unwritten);
                batch.unwritten.clear();
                jdbc.update("UPDATE batch SET record_count = ?, last_added_at = ? WHERE batch_id = ?", batch.count, now, batch.batchId);
                batch.written = batch.count;
            }
        }
    }

    private static final class OpenBatch {
        final String batchId;
        /** Records in the batch, counting those not written yet. */
        int count;
        /** The record count last written to the batch row. */
        int written;
        /** The text of the records after {@link #written}, in order, for their chunks. */
        final List<String> unwritten = new ArrayList<>();

        OpenBatch(String batchId, int count) {
            this.batchId = batchId;
            this.count = count;
            this.written = count;
        }
    }

    /**
     * Seals every open batch that is due (per schema and class): its first record is older than the
     * age limit, or it holds at least the idle minimum and no record has joined it for the idle limit.
     */
    public int sealDue() {
        Instant now = Instant.now();
        lock.lock();
        try {
            int sealed = 0;
            for (Map<String, Object> open : jdbc.queryForList("SELECT batch_id, schema_name, priority_class, record_count,"
                    + " opened_at, last_added_at FROM batch WHERE status = 'OPEN' AND record_count > 0")) {
                String schema = (String) open.get("schema_name");
                int priorityClass = ((Number) open.get("priority_class")).intValue();
                String why = dueBecause(schema, priorityClass, ((Number) open.get("record_count")).intValue(),
                        ((Timestamp) open.get("opened_at")).toInstant(), (Timestamp) open.get("last_added_at"), now);
                if (why != null) {
                    String batchId = (String) open.get("batch_id");
                    tx.executeWithoutResult(s -> seal(batchId, why));
                    sealed++;
                }
            }
            return sealed;
        } finally {
            lock.unlock();
        }
    }

    /** Why an open batch is due now, or null; a batch written before V24 has no last-added time and counts from its opening. */
    private String dueBecause(String schema, int priorityClass, int records, Instant openedAt, Timestamp lastAddedAt, Instant now) {
        Duration maxAge = properties.maxAge(schema, priorityClass);
        if (!openedAt.plus(maxAge).isAfter(now)) {
            return "age limit " + maxAge + " reached";
        }
        Duration maxIdle = properties.maxIdle(schema, priorityClass);
        int idleMinRecords = properties.idleMinRecords(schema, priorityClass);
        Instant lastAdded = lastAddedAt == null ? openedAt : lastAddedAt.toInstant();
        if (records >= idleMinRecords && !lastAdded.plus(maxIdle).isAfter(now)) {
            return "no record joined for " + maxIdle + " (" + records + " records, idle minimum " + idleMinRecords + ")";
        }
        return null;
    }

    /** Closes a batch and writes its manifest; from here on its content never changes. */
    private void seal(String batchId, String why) {
        Map<String, Object> batch = jdbc.queryForMap("SELECT * FROM batch WHERE batch_id = ?", batchId);
        TreeSet<String> sources = new TreeSet<>();
        TreeSet<String> times = new TreeSet<>();
        Payload payload = Payload.hashOnly();
        TreeSet<String> enterprises = new TreeSet<>();
        int[] rows = {0};
        jdbc.query("SELECT source_id, event_time, enterprise_code FROM batch_record WHERE batch_id = ?", rs -> {
            rows[0]++;
            sources.add(rs.getString(1));
            if (rs.getString(2) != null) {
                times.add(rs.getString(2));
            }
            if (rs.getString(3) != null) {
                enterprises.add(rs.getString(3));
            }
        }, batchId);
        RecordChunks.payloadParts(jdbc, batchId, payload::add);
        if (payload.count() != rows[0]) {
            // never sealed with a record missing or extra: the transaction rolls back and the batch stays open
            throw new IllegalStateException("batch " + batchId + " has " + rows[0] + " records but its chunks hold " + payload.count());
        }
        if (!enterprises.isEmpty()) {
            // the enterprises the batch is about, for the policy API (V15: one row per batch, not an index entry per record)
            jdbc.update("INSERT INTO batch_enterprise (batch_id, codes) VALUES (?, ?)", batchId, "," + String.join(",", enterprises) + ",");
        }
        String sha256 = payload.sha256();
        Instant sealedAt = Instant.now();
        ObjectNode manifest = CanonicalJson.MAPPER.createObjectNode();
        manifest.put("batchId", batchId);
        manifest.put("schema", (String) batch.get("schema_name"));
        manifest.put("schemaVersion", (String) batch.get("schema_version"));
        manifest.put("priorityClass", ((Number) batch.get("priority_class")).intValue());
        manifest.put("recordCount", payload.count());
        manifest.put("payloadSha256", sha256);
        ObjectNode range = manifest.putObject("timeRange");
        range.put("from", times.isEmpty() ? null : times.first());
        range.put("to", times.isEmpty() ? null : times.last());
        manifest.set("sources", CanonicalJson.MAPPER.valueToTree(sources));
        manifest.put("openedAt", ((Timestamp) batch.get("opened_at")).toInstant().toString());
        manifest.put("sealedAt", sealedAt.toString());
        // its place in the order batches are shared with departments: the row stays locked until this
        // transaction commits, so batches become visible in share_seq order (a feed never skips one)
        jdbc.update("UPDATE share_sequence SET last_seq = last_seq + 1 WHERE id = 1");
        long shareSeq = jdbc.queryForObject("SELECT last_seq FROM share_sequence WHERE id = 1", Long.class);
        lifecycle.move(batchId, BatchLifecycle.State.OPEN, BatchLifecycle.State.SEALED,
                "sealed with " + payload.count() + " records: " + why,
                "sealed_at = ?, payload_sha256 = ?, manifest = ?, next_attempt_at = ?, share_seq = ?",
                Timestamp.from(sealedAt), sha256, CanonicalJson.write(manifest), Timestamp.from(sealedAt), shareSeq);
        try (var fields = LogFields.of(LogFields.BATCH, batchId)) {
            log.info("batch {} sealed with {} {} records ({})", batchId, payload.count(), batch.get("schema_name"), why);
        }
    }

    /**
     * The records about one enterprise (its unified social credit code), in the order they were stored:
     * those of the sealed batches whose list names it, and of the open batches. One statement finds the
     * batches, so a batch sealed meanwhile is in one set or the other.
     */
    public List<Map<String, Object>> recordsAbout(String enterpriseCode) {
        List<String> batches = jdbc.queryForList("SELECT b.batch_id FROM batch b LEFT JOIN batch_enterprise e ON e.batch_id = b.batch_id"
                + " WHERE b.status = 'OPEN' OR e.codes LIKE ?", String.class, "%," + enterpriseCode + ",%");
        List<Map<String, Object>> records = new ArrayList<>();
        for (int from = 0; from < batches.size(); from += 500) {
            List<String> chunk = batches.subList(from, Math.min(batches.size(), from + 500));
            List<Object> args = new ArrayList<>(chunk);
            args.add(enterpriseCode);
            List<Map<String, Object>> rows = jdbc.queryForList("SELECT id, batch_id, seq, source_id, source_record_key FROM batch_record"
                    + " WHERE batch_id IN (" + String.join(",", Collections.nCopies(chunk.size(), "?")) + ") AND enterprise_code = ?",
                    args.toArray());
            Map<String, List<Map<String, Object>>> byBatch = new HashMap<>();
            rows.forEach(row -> byBatch.computeIfAbsent((String) row.get("batch_id"), b -> new ArrayList<>()).add(row));
            byBatch.forEach((batchId, ofBatch) -> {
                Map<Integer, String> text = RecordChunks.records(jdbc, batchId,
                        ofBatch.stream().map(row -> ((Number) row.get("seq")).intValue()).toList());
                ofBatch.forEach(row -> row.put("record", text.get(((Number) row.get("seq")).intValue())));
            });
            records.addAll(rows);
        }
        records.sort(java.util.Comparator.comparing(r -> ((Number) r.get("id")).longValue()));
        return records;
    }

    /** The canonical payload of a batch: its records in order, as one JSON array (UTF-8). */
    public Payload payload(String batchId) {
        Payload payload = Payload.withBytes();
        RecordChunks.payloadParts(jdbc, batchId, payload::add);
        return payload;
    }

    /**
     * A batch's payload, {@code [record,record,…]} in UTF-8, built once from the stored records and
     * hashed as it is built, so neither the text nor the hash is made twice. Sealing wants the hash
     * alone ({@link #hashOnly()}); delivery the bytes too, put together once at their exact size: a
     * payload of 1,000 records is over a megabyte, and a buffer doubling its way there leaves G1 a
     * humongous object at every step.
     */
    public static final class Payload {
        /** The chunks' parts in order; null when only the hash is wanted. */
        private final List<byte[]> parts;
        private final java.security.MessageDigest digest = CanonicalJson.sha256Digest();
        private int count;
        private long length;
        private byte[] done;
        private String sha256;

        private Payload(boolean keepBytes) {
            this.parts = keepBytes ? new ArrayList<>() : null;
        }

        /** A payload whose bytes are kept. */
        public static Payload withBytes() {
            return new Payload(true);
        }

        /** A payload that only counts and hashes: {@link #bytes()} is refused. */
        public static Payload hashOnly() {
            return new Payload(false);
        }

        /** Adds a chunk's records, comma-separated UTF-8 ({@link RecordChunks#payloadParts}). */
        void add(byte[] records, int n) {
            if (sha256 != null) {
                throw new IllegalStateException("the payload is closed");
            }
            digest.update(length == 0 ? (byte) '[' : (byte) ',');
            digest.update(records);
            if (parts != null) {
                parts.add(records);
            }
            length += 1 + records.length;
            count += n;
        }

        public int count() {
            return count;
        }

        /** The payload's bytes, the array closed. */
        public byte[] bytes() {
            if (parts == null) {
                throw new IllegalStateException("a payload built for its hash only has no bytes");
            }
            close();
            return done;
        }

        public String sha256() {
            close();
            return sha256;
        }

        private void close() {
            if (sha256 != null) {
                return;
            }
            if (length == 0) {
                digest.update((byte) '[');
            }
            digest.update((byte) ']');
            sha256 = java.util.HexFormat.of().formatHex(digest.digest());
            if (parts != null) {
                if (length + 2 > Integer.MAX_VALUE - 8) {
                    throw new IllegalStateException("a payload of " + length + " bytes is more than one array holds");
                }
                // length counts '[' and the commas; ']' is the last byte ("[]" when empty)
                byte[] out = new byte[(int) Math.max(length + 1, 2)];
                out[0] = '[';
                int at = 1;
                for (byte[] part : parts) {
                    if (at > 1) {
                        out[at++] = ',';
                    }
                    System.arraycopy(part, 0, out, at, part.length);
                    at += part.length;
                }
                out[at] = ']';
                done = out;
            }
        }
    }
}
