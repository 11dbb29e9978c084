package org.govhub.sandbox;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import jakarta.annotation.PreDestroy;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.govhub.normalise.CanonicalJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * A stand-in for the national integrated government-service platform's batch API. It checks what
 * a real receiver would (credentials, manifest against payload), stores every batch in its own
 * database, and answers a repeated batch id with the receipt it gave the first time.
 *
 * <p>{@code /sandbox/platform/api/v1/**} is the machine API (bearer token);
 * {@code /sandbox/platform/batches} lets a logged-in person see what arrived.
 */
@RestController
@ConditionalOnSandbox
public class NationalPlatformReceiver {

    private static final Logger log = LoggerFactory.getLogger(NationalPlatformReceiver.class);

    private final HikariDataSource store;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final String token;
    private final java.nio.file.Path batches;

    public NationalPlatformReceiver(SandboxProperties properties) {
        this.token = properties.platform().token();
        if (properties.platform().initialFault() != null) {
            fail(properties.platform().initialFault(), -1);
        }
        this.store = new HikariDataSource();
        store.setPoolName("sandbox-platform");
        store.setJdbcUrl(properties.platform().url());
        store.setUsername("sa");
        store.setMaximumPoolSize(2);
        this.jdbc = new JdbcTemplate(store);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(store));
        jdbc.execute("""
                CREATE TABLE IF NOT EXISTS received_batch (
                    batch_id     VARCHAR(36)  NOT NULL PRIMARY KEY,
                    receipt_id   VARCHAR(64)  NOT NULL,
                    schema_name  VARCHAR(100) NOT NULL,
                    record_count INTEGER      NOT NULL,
                    sha256       CHAR(64)     NOT NULL,
                    manifest     CLOB         NOT NULL,
                    submissions  INTEGER      NOT NULL,
                    received_at  TIMESTAMP    NOT NULL
                )""");
        // a batch's records are kept once, in a file of their own, as the bytes received (the array its
        // payloadSha256 is taken over): a file written and synced costs far less than a large object in H2
        this.batches = java.nio.file.Path.of(properties.platform().batches());
        try {
            java.nio.file.Files.createDirectories(batches);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create the sandbox platform's folder " + batches, e);
        }
        // one small row per record, for counting and finding records. No uniqueness here on purpose: a
        // record delivered twice in different batches must show
        jdbc.execute("""
                CREATE TABLE IF NOT EXISTS received_record (
                    id                BIGINT AUTO_INCREMENT PRIMARY KEY,
                    batch_id          VARCHAR(36)  NOT NULL,
                    source_id         VARCHAR(100),
                    source_record_key VARCHAR(200),
                    content_hash      CHAR(64)
                )""");
        // 10,000 ids between two writes of the sequence, not 32: H2 writes it by committing its whole store (V23 in the hub)
        jdbc.execute("ALTER TABLE received_record ALTER COLUMN id SET CACHE 10000");
        // a sandbox database of an earlier version kept each record here as well
        jdbc.execute("ALTER TABLE received_record DROP COLUMN IF EXISTS record");
        jdbc.execute("DROP INDEX IF EXISTS ix_received_record_source");
        jdbc.execute("CREATE INDEX IF NOT EXISTS ix_received_record_source_key ON received_record (source_id, source_record_key)");
        // records received per source, kept with each batch: counting the index instead costs a scan of
        // every record each time a test or the benchmark asks how far delivery has got
        // (a database of an earlier version has the records and not the counts: counted once)
        Boolean counted = jdbc.queryForObject("SELECT COUNT(*) > 0 FROM INFORMATION_SCHEMA.TABLES WHERE LOWER(TABLE_NAME) = 'received_source'",
                Boolean.class);
        jdbc.execute("CREATE TABLE IF NOT EXISTS received_source (source_id VARCHAR(100) NOT NULL PRIMARY KEY, records BIGINT NOT NULL)");
        if (!Boolean.TRUE.equals(counted)) {
            jdbc.update("INSERT INTO received_source SELECT COALESCE(source_id, ''), COUNT(*) FROM received_record"
                    + " GROUP BY COALESCE(source_id, '')");
        }
        // weekly resumption reports (POST /api/v1/reports), one row per report id
        jdbc.execute("""
                CREATE TABLE IF NOT EXISTS received_report (
                    report_id    VARCHAR(60)  NOT NULL PRIMARY KEY,
                    receipt_id   VARCHAR(64)  NOT NULL,
                    week         VARCHAR(10)  NOT NULL,
                    data_sha256  CHAR(64)     NOT NULL,
                    manifest     CLOB         NOT NULL,
                    report       CLOB         NOT NULL,
                    submissions  INTEGER      NOT NULL,
                    received_at  TIMESTAMP    NOT NULL
                )""");
    }

    @PreDestroy
    void close() {
        store.close();
    }

    @GetMapping("/sandbox/platform/api/v1/status")
    public ResponseEntity<Map<String, Object>> status(@RequestHeader(value = "Authorization", required = false) String auth) {
        if (!authorised(auth)) {
            return error(HttpStatus.UNAUTHORIZED, "missing or wrong bearer token");
        }
        return ResponseEntity.ok(Map.of("status", "UP"));
    }

    /** Failures the platform can be told to produce, for tests and for people trying the hub out. */
    public enum Fault {
        /** 503 Service Unavailable, as during maintenance or an outage. */
        UNAVAILABLE,
        /** 500 Internal Server Error. */
        ERROR,
        /** answers only after {@code slowMillis}: slower than the hub's time-out when that is set low. */
        SLOW,
        /** 422: the platform refuses the batch (a receiver-side rule the hub cannot satisfy by retrying). */
        REFUSE
    }

    private volatile Fault fault;
    private volatile int faultsLeft;
    private volatile long slowMillis = 35_000;
    private final java.util.concurrent.atomic.AtomicInteger submissions = new java.util.concurrent.atomic.AtomicInteger();

    /** The next {@code count} submissions fail with {@code fault} (count &lt; 0: until {@link #recover()}). */
    public void fail(Fault fault, int count) {
        this.faultsLeft = count;
        this.fault = fault;
    }

    public void recover() {
        this.fault = null;
    }

    public void slowMillis(long millis) {
        this.slowMillis = millis;
    }

    /** Every submission that reached the API, answered or not. */
    public int submissionAttempts() {
        return submissions.get();
    }

    /**
     * For people: {"fault": "UNAVAILABLE", "count": 5} (count -1: until {"fault": null}); a SLOW fault takes
     * {"millis": 1500}, how long each slow submission is held before it is stored and answered (default 35 s).
     * Operators only (admin API).
     */
    @PostMapping("/api/sandbox/platform/faults")
    public Map<String, Object> faults(@RequestBody Map<String, Object> request) {
        if (request.get("millis") instanceof Number millis) {
            slowMillis(millis.longValue());
        }
        Object name = request.get("fault");
        if (name == null) {
            recover();
        } else {
            fail(Fault.valueOf(name.toString()), request.get("count") == null ? -1 : ((Number) request.get("count")).intValue());
        }
        return Map.of("fault", String.valueOf(fault), "count", faultsLeft, "millis", slowMillis);
    }

    private ResponseEntity<Map<String, Object>> injectedFault() {
        Fault current = fault;
        if (current == null) {
            return null;
        }
        synchronized (this) {
            if (faultsLeft == 0) {
                fault = null;
                return null;
            }
            if (faultsLeft > 0) {
                faultsLeft--;
            }
        }
        return switch (current) {
            case UNAVAILABLE -> error(HttpStatus.SERVICE_UNAVAILABLE, "platform under maintenance (injected)");
            case ERROR -> error(HttpStatus.INTERNAL_SERVER_ERROR, "platform failure (injected)");
            case REFUSE -> error(HttpStatus.UNPROCESSABLE_ENTITY, "batch refused by a receiver rule (injected)");
            case SLOW -> {
                try {
                    Thread.sleep(slowMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                yield null;
            }
        };
    }

    /** A submission's body once its token is checked and it parses; otherwise the answer that refuses it. */
    private record Submission(JsonNode json, ResponseEntity<Map<String, Object>> refusal) {
    }

    private Submission submission(String auth, String body) {
        if (!authorised(auth)) {
            return new Submission(null, error(HttpStatus.UNAUTHORIZED, "missing or wrong bearer token"));
        }
        try {
            return new Submission(CanonicalJson.read(body), null);
        } catch (IllegalArgumentException e) {
            return new Submission(null, error(HttpStatus.BAD_REQUEST, e.getMessage()));
        }
    }

    @PostMapping("/sandbox/platform/api/v1/batches")
    public ResponseEntity<Map<String, Object>> submit(
            @RequestHeader(value = "Authorization", required = false) String auth,
            @RequestHeader(value = "Idempotency-Key", required = false) String idempotencyKey,
            @RequestBody byte[] body) {
        submissions.incrementAndGet();
        ResponseEntity<Map<String, Object>> injected = injectedFault();
        if (injected != null) {
            return injected;
        }
        return store(auth, idempotencyKey, body);
    }

    private synchronized ResponseEntity<Map<String, Object>> store(String auth, String idempotencyKey, byte[] body) {
        if (!authorised(auth)) {
            return error(HttpStatus.UNAUTHORIZED, "missing or wrong bearer token");
        }
        BatchSubmission submission;
        try {
            submission = BatchSubmission.read(body);
        } catch (IllegalArgumentException e) {
            return error(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        JsonNode manifest = submission.manifest();
        String batchId = manifest.path("batchId").asText("");
        if (batchId.isEmpty() || submission.records() == null) {
            return error(HttpStatus.BAD_REQUEST, "a submission needs manifest.batchId and a records array");
        }
        if (batchFile(batchId) == null) {
            return error(HttpStatus.BAD_REQUEST, "manifest.batchId is at most 36 letters, digits and hyphens");
        }
        if (idempotencyKey != null && !idempotencyKey.equals(batchId)) {
            return error(HttpStatus.BAD_REQUEST, "Idempotency-Key " + idempotencyKey + " is not the manifest's batchId");
        }
        // the hash of the records array as received, byte for byte: what the hub hashed when it sealed the batch
        java.nio.ByteBuffer received = submission.records();
        java.security.MessageDigest digest = CanonicalJson.sha256Digest();
        digest.update(received.duplicate());
        String sha = java.util.HexFormat.of().formatHex(digest.digest());
        if (!sha.equals(manifest.path("payloadSha256").asText())) {
            return error(HttpStatus.UNPROCESSABLE_ENTITY, "payloadSha256 does not match the records (computed " + sha + ")");
        }
        List<Provenance> records = submission.provenance();
        if (manifest.path("recordCount").asInt(-1) != records.size()) {
            return error(HttpStatus.UNPROCESSABLE_ENTITY, "recordCount " + manifest.path("recordCount") + " but "
                    + records.size() + " records");
        }
        List<Map<String, Object>> earlier = jdbc.queryForList(
                "SELECT receipt_id, sha256 FROM received_batch WHERE batch_id = ?", batchId);
        if (!earlier.isEmpty()) {
            if (!sha.equals(earlier.get(0).get("sha256"))) {
                return error(HttpStatus.CONFLICT, "batch " + batchId + " was received before with other content");
            }
            jdbc.update("UPDATE received_batch SET submissions = submissions + 1 WHERE batch_id = ?", batchId);
            log.info("sandbox platform: batch {} received again, answered with its receipt", batchId);
            return ResponseEntity.ok(receipt(batchId, (String) earlier.get(0).get("receipt_id"), true));
        }
        String receiptId = "NP-" + LocalDate.now().toString().replace("-", "") + "-"
                + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        // one transaction: a platform that dies while storing keeps the whole batch or none of it
        // (a batch kept without some of its records would answer the re-sent batch as already held)
        tx.executeWithoutResult(status -> storeBatch(batchId, receiptId, manifest, records, received, sha));
        log.info("sandbox platform: batch {} with {} records stored, receipt {}", batchId, records.size(), receiptId);
        return ResponseEntity.status(HttpStatus.CREATED).body(receipt(batchId, receiptId, false));
    }

    private void storeBatch(String batchId, String receiptId, JsonNode manifest, List<Provenance> records, java.nio.ByteBuffer received,
            String sha) {
        writeRecords(batchId, received);
        jdbc.update("INSERT INTO received_batch (batch_id, receipt_id, schema_name, record_count, sha256, manifest,"
                + " submissions, received_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
                batchId, receiptId, manifest.path("schema").asText(), records.size(), sha, CanonicalJson.write(manifest),
                Timestamp.from(Instant.now()));
        List<Object[]> rows = new java.util.ArrayList<>(records.size());
        for (Provenance p : records) {
            rows.add(new Object[] {batchId, p.sourceId(), p.sourceRecordKey(), p.contentHash()});
        }
        jdbc.batchUpdate("INSERT INTO received_record (batch_id, source_id, source_record_key, content_hash) VALUES (?, ?, ?, ?)", rows);
        Map<String, Long> perSource = new java.util.TreeMap<>();
        for (Provenance p : records) {
            perSource.merge(p.sourceId() == null ? "" : p.sourceId(), 1L, Long::sum);
        }
        perSource.forEach((source, n) -> jdbc.update("MERGE INTO received_source t USING (VALUES (CAST(? AS VARCHAR(100)), CAST(? AS BIGINT)))"
                + " s (source_id, n) ON t.source_id = s.source_id WHEN MATCHED THEN UPDATE SET records = t.records + s.n"
                + " WHEN NOT MATCHED THEN INSERT (source_id, records) VALUES (s.source_id, s.n)", source, n));
    }

    /** The file of a batch's records (gzip); null for a batch id that cannot be a file name (the submission is refused). */
    private java.nio.file.Path batchFile(String batchId) {
        return batchId.matches("[A-Za-z0-9-]{1,36}") ? batches.resolve(batchId + ".json.gz") : null;
    }

    /**
     * The records of a batch to its file, gzip-compressed (a fifth of the bytes) and synced, before the
     * batch row commits: a receiver that dies in between has a file without a row, and the re-sent batch
     * writes it again.
     */
    private void writeRecords(String batchId, java.nio.ByteBuffer received) {
        try (java.io.FileOutputStream file = new java.io.FileOutputStream(batchFile(batchId).toFile())) {
            java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(file, 64 * 1024) {
                {
                    def.setLevel(java.util.zip.Deflater.BEST_SPEED);
                }
            };
            java.nio.ByteBuffer bytes = received.duplicate();
            java.nio.channels.WritableByteChannel channel = java.nio.channels.Channels.newChannel(gzip);
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            gzip.finish();
            file.getFD().sync();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("the sandbox platform cannot keep batch " + batchId, e);
        }
    }

    /** What the receiver indexes of each record. */
    record Provenance(String sourceId, String sourceRecordKey, String contentHash) {
    }

    /**
     * A batch submission read in one streaming pass: its manifest, the text of its records array exactly
     * as received (what its SHA-256 is checked over) and each record's provenance (source, source key,
     * content hash), without building the records as trees.
     */
    record BatchSubmission(JsonNode manifest, java.nio.ByteBuffer records, List<Provenance> provenance) {

        static BatchSubmission read(byte[] body) {
            JsonNode manifest = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
            java.nio.ByteBuffer records = null;
            List<Provenance> provenance = new java.util.ArrayList<>();
            try (JsonParser parser = CanonicalJson.MAPPER.createParser(body)) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    throw new IllegalArgumentException("not JSON: a submission is an object");
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if ("manifest".equals(name)) {
                        manifest = parser.readValueAsTree();
                    } else if ("records".equals(name) && value == JsonToken.START_ARRAY) {
                        int from = (int) parser.currentTokenLocation().getByteOffset();
                        while (parser.nextToken() != JsonToken.END_ARRAY) {
                            if (parser.currentToken() != JsonToken.START_OBJECT) {
                                throw new IllegalArgumentException("record " + (provenance.size() + 1) + " is not an object");
                            }
                            provenance.add(provenanceOf(parser));
                        }
                        int to = (int) parser.currentLocation().getByteOffset();
                        records = java.nio.ByteBuffer.wrap(body, from, to - from).asReadOnlyBuffer();
                    } else {
                        parser.skipChildren();
                    }
                }
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("not JSON: " + e.getMessage());
            }
            return new BatchSubmission(manifest, records, provenance);
        }

        /** The provenance of the record the parser is at (its start), leaving it at its end; the rest is skipped unread. */
        private static Provenance provenanceOf(JsonParser parser) throws java.io.IOException {
            JsonNode provenance = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                if (parser.nextToken() == JsonToken.START_OBJECT && "provenance".equals(field)) {
                    provenance = parser.readValueAsTree();
                } else {
                    parser.skipChildren();
                }
            }
            return new Provenance(provenance.path("sourceId").asText(null), provenance.path("sourceRecordKey").asText(null),
                    provenance.path("contentHash").asText(null));
        }
    }

    /**
     * A weekly resumption report: {"manifest": {...}, "report": {...}}. The manifest's dataSha256 must be
     * the SHA-256 of the canonical report without its reportId; a repeated report id is answered with
     * the first receipt (409 if its content differs).
     */
    @PostMapping("/sandbox/platform/api/v1/reports")
    public ResponseEntity<Map<String, Object>> submitReport(
            @RequestHeader(value = "Authorization", required = false) String auth,
            @RequestHeader(value = "Idempotency-Key", required = false) String idempotencyKey,
            @RequestBody String body) {
        ResponseEntity<Map<String, Object>> injected = injectedFault();
        if (injected != null) {
            return injected;
        }
        return storeReport(auth, idempotencyKey, body);
    }

    private synchronized ResponseEntity<Map<String, Object>> storeReport(String auth, String idempotencyKey, String body) {
        Submission submission = submission(auth, body);
        if (submission.refusal() != null) {
            return submission.refusal();
        }
        JsonNode request = submission.json();
        JsonNode manifest = request.path("manifest");
        JsonNode report = request.path("report");
        String reportId = manifest.path("reportId").asText("");
        if (reportId.isEmpty() || !report.isObject() || !reportId.equals(report.path("reportId").asText())) {
            return error(HttpStatus.BAD_REQUEST, "a report submission needs manifest.reportId and the report with the same reportId");
        }
        if (idempotencyKey != null && !idempotencyKey.equals(reportId)) {
            return error(HttpStatus.BAD_REQUEST, "Idempotency-Key " + idempotencyKey + " is not the manifest's reportId");
        }
        com.fasterxml.jackson.databind.node.ObjectNode content = report.deepCopy();
        content.remove("reportId");
        String sha = CanonicalJson.sha256(CanonicalJson.write(content));
        if (!sha.equals(manifest.path("dataSha256").asText())) {
            return error(HttpStatus.UNPROCESSABLE_ENTITY, "dataSha256 does not match the report (computed " + sha + ")");
        }
        List<Map<String, Object>> earlier = jdbc.queryForList(
                "SELECT receipt_id, data_sha256 FROM received_report WHERE report_id = ?", reportId);
        if (!earlier.isEmpty()) {
            if (!sha.equals(earlier.get(0).get("data_sha256"))) {
                return error(HttpStatus.CONFLICT, "report " + reportId + " was received before with other content");
            }
            jdbc.update("UPDATE received_report SET submissions = submissions + 1 WHERE report_id = ?", reportId);
            Map<String, Object> r = reportReceipt(reportId, (String) earlier.get(0).get("receipt_id"), true);
            return ResponseEntity.ok(r);
        }
        String receiptId = "NPR-" + LocalDate.now().toString().replace("-", "") + "-"
                + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        jdbc.update("INSERT INTO received_report (report_id, receipt_id, week, data_sha256, manifest, report, submissions,"
                + " received_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?)", reportId, receiptId, manifest.path("week").asText(), sha,
                CanonicalJson.write(manifest), CanonicalJson.write(report), Timestamp.from(Instant.now()));
        log.info("sandbox platform: weekly report {} stored, receipt {}", reportId, receiptId);
        return ResponseEntity.status(HttpStatus.CREATED).body(reportReceipt(reportId, receiptId, false));
    }

    /** For people (behind the hub's login): the weekly reports received. */
    @GetMapping("/sandbox/platform/reports")
    public List<Map<String, Object>> receivedReportList() {
        return jdbc.queryForList("SELECT report_id, receipt_id, week, data_sha256, submissions, received_at FROM received_report"
                + " ORDER BY received_at DESC");
    }

    /** The reports received (for checks): report id, receipt, week, checksum, submissions, report JSON. */
    public List<Map<String, Object>> receivedReports() {
        return jdbc.queryForList("SELECT report_id, receipt_id, week, data_sha256, submissions, report FROM received_report"
                + " ORDER BY report_id");
    }

    @GetMapping("/sandbox/platform/api/v1/batches/{batchId}")
    public ResponseEntity<Map<String, Object>> batchStatus(@RequestHeader(value = "Authorization", required = false) String auth,
            @PathVariable String batchId) {
        if (!authorised(auth)) {
            return error(HttpStatus.UNAUTHORIZED, "missing or wrong bearer token");
        }
        List<String> receipt = jdbc.queryForList("SELECT receipt_id FROM received_batch WHERE batch_id = ?", String.class, batchId);
        return receipt.isEmpty() ? error(HttpStatus.NOT_FOUND, "no batch " + batchId)
                : ResponseEntity.ok(receipt(batchId, receipt.get(0), false));
    }

    /** For people (behind the hub's login): every batch received, newest first, with its manifest. */
    @GetMapping("/sandbox/platform/batches")
    public Map<String, Object> received() {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("batches", jdbc.queryForObject("SELECT COUNT(*) FROM received_batch", Long.class));
        result.put("records", jdbc.queryForObject("SELECT COALESCE(SUM(records), 0) FROM received_source", Long.class));
        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT batch_id, receipt_id, schema_name, record_count, submissions, received_at, manifest"
                        + " FROM received_batch ORDER BY received_at DESC LIMIT 200");
        rows.forEach(r -> r.put("manifest", CanonicalJson.read(r.get("manifest").toString())));
        result.put("received", rows);
        return result;
    }

    @GetMapping("/sandbox/platform/batches/{batchId}")
    public ResponseEntity<Map<String, Object>> receivedBatch(@PathVariable String batchId) {
        List<Map<String, Object>> batch = jdbc.queryForList("SELECT * FROM received_batch WHERE batch_id = ?", batchId);
        if (batch.isEmpty()) {
            return ResponseEntity.notFound().build();
        }
        Map<String, Object> result = new LinkedHashMap<>(batch.get(0));
        result.put("manifest", CanonicalJson.read(batch.get(0).get("manifest").toString()));
        result.put("records", receivedRecordsOf(batchId).stream().map(CanonicalJson::read).toList());
        return ResponseEntity.ok(result);
    }

    /** When a batch was first stored (for checks). */
    public java.sql.Timestamp receivedAt(String batchId) {
        return jdbc.queryForObject("SELECT received_at FROM received_batch WHERE batch_id = ?", java.sql.Timestamp.class, batchId);
    }

    /** Every record received, in arrival order: source id, source key and content hash (for checks). */
    public List<Map<String, Object>> receivedRecords() {
        return jdbc.queryForList("SELECT batch_id, source_id, source_record_key, content_hash FROM received_record ORDER BY id");
    }

    /** How many records arrived from one source (duplicates included). */
    public long receivedCount(String sourceId) {
        List<Long> n = jdbc.queryForList("SELECT records FROM received_source WHERE source_id = ?", Long.class, sourceId);
        return n.isEmpty() ? 0 : n.get(0);
    }

    /** Whether a record of a source, by its source key, has arrived. */
    public boolean holds(String sourceId, String sourceRecordKey) {
        Long n = jdbc.queryForObject("SELECT COUNT(*) FROM received_record WHERE source_id = ? AND source_record_key = ?",
                Long.class, sourceId, sourceRecordKey);
        return n != null && n > 0;
    }

    /** Records of one source that arrived more than once (by source key). */
    public long duplicateCount(String sourceId) {
        Long n = jdbc.queryForObject("SELECT COUNT(*) - COUNT(DISTINCT source_record_key) FROM received_record WHERE source_id = ?",
                Long.class, sourceId);
        return n == null ? 0 : n;
    }

    /** Every record received from one source, in arrival order. */
    public List<Map<String, Object>> receivedRecords(String sourceId) {
        return jdbc.queryForList("SELECT batch_id, source_id, source_record_key, content_hash FROM received_record"
                + " WHERE source_id = ? ORDER BY id", sourceId);
    }

    /** The records of one received batch, as canonical JSON, in the order they came. */
    public List<String> receivedRecordsOf(String batchId) {
        java.nio.file.Path file = batchFile(batchId);
        if (file == null) {
            return List.of();
        }
        // a sandbox directory of an earlier version kept its batches uncompressed, as <batch id>.json
        java.nio.file.Path uncompressed = batches.resolve(batchId + ".json");
        List<String> each = new java.util.ArrayList<>();
        try {
            byte[] text;
            if (java.nio.file.Files.exists(file)) {
                try (java.io.InputStream in = new java.util.zip.GZIPInputStream(java.nio.file.Files.newInputStream(file))) {
                    text = in.readAllBytes();
                }
            } else if (java.nio.file.Files.exists(uncompressed)) {
                text = java.nio.file.Files.readAllBytes(uncompressed);
            } else {
                return List.of();
            }
            CanonicalJson.read(new String(text, java.nio.charset.StandardCharsets.UTF_8)).forEach(r -> each.add(CanonicalJson.write(r)));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return each;
    }

    public List<Map<String, Object>> receivedBatches() {
        return jdbc.queryForList("SELECT batch_id, receipt_id, record_count, sha256, manifest, submissions FROM received_batch");
    }

    private boolean authorised(String auth) {
        if (token == null || token.isBlank()) {
            return true;
        }
        if (auth == null || !auth.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(auth.substring(7).getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, Object> receipt(String batchId, String receiptId, boolean duplicate) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("batchId", batchId);
        r.put("receiptId", receiptId);
        r.put("status", "ACCEPTED");
        r.put("duplicate", duplicate);
        return r;
    }

    private static Map<String, Object> reportReceipt(String reportId, String receiptId, boolean duplicate) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("reportId", reportId);
        r.put("receiptId", receiptId);
        r.put("status", "ACCEPTED");
        r.put("duplicate", duplicate);
        return r;
    }

    private static ResponseEntity<Map<String, Object>> error(HttpStatus status, String message) {
        return ResponseEntity.status(status).body(Map.of("error", status.getReasonPhrase(), "message", message));
    }
}
