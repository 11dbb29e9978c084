package org.govhub.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.govhub.RealDatabases;
import org.govhub.normalise.CanonicalJson;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A batch's records kept as compressed chunks: the payload built from them is byte for byte the
 * JSON array of the records (so its SHA-256 is the one the platform checks), records are found again
 * by sequence number, a damaged chunk is an error, never a short payload; and the upgrade (V16)
 * moves records stored inline by earlier versions into chunks without changing a byte, on H2 and
 * PostgreSQL.
 */
class RecordChunksTest {

    /** Records of several kinds of text, more than one chunk's worth. */
    private static List<String> records(int n) {
        List<String> records = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            records.add("{\"creditCode\":\"91360100MA35" + i + "\",\"name\":\"南昌市第" + i + "机械厂 \\u0007\",\"note\":\"line\\nbreak "
                    + "x".repeat(i % 700) + "\",\"seq\":" + i + "}");
        }
        return records;
    }

    private static DataSource h2(String name) {
        return new DriverManagerDataSource("jdbc:h2:mem:" + name + ";DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1", "sa", "");
    }

    /** A hub database of the current version in memory. */
    private static DataSource migratedH2(String name) {
        DataSource ds = h2(name);
        Flyway.configure().dataSource(ds).load().migrate();
        return ds;
    }

    private static void openBatch(JdbcTemplate jdbc, String batchId) {
        jdbc.update("INSERT INTO batch (batch_id, schema_name, schema_version, priority_class, status, record_count, opened_at)"
                + " VALUES (?, 'TaxRecord', '1.0.0', 3, 'OPEN', 0, ?)", batchId, Timestamp.from(Instant.now()));
    }

    @Test
    void thePayloadIsTheRecordsArrayByteForByte() {
        DataSource ds = migratedH2("chunks");
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        openBatch(jdbc, "b-1");
        List<String> records = records(1200);
        // written as a store writes them: a drain at a time, each from the next sequence number
        RecordChunks.write(jdbc, "b-1", 1, records.subList(0, 700));
        RecordChunks.write(jdbc, "b-1", 701, records.subList(700, 1200));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM batch_chunk WHERE batch_id = 'b-1'", Integer.class))
                .as("more than one chunk per drain of large records").isGreaterThan(2);

        BatchAssembler.Payload payload = BatchAssembler.Payload.withBytes();
        RecordChunks.payloadParts(jdbc, "b-1", payload::add);
        byte[] expected = ("[" + String.join(",", records) + "]").getBytes(StandardCharsets.UTF_8);
        assertThat(payload.count()).isEqualTo(1200);
        assertThat(payload.bytes()).isEqualTo(expected);
        assertThat(payload.sha256()).isEqualTo(CanonicalJson.sha256(expected));
        // sealing hashes without keeping the bytes: the same count and hash
        BatchAssembler.Payload hashed = BatchAssembler.Payload.hashOnly();
        RecordChunks.payloadParts(jdbc, "b-1", hashed::add);
        assertThat(hashed.count()).isEqualTo(1200);
        assertThat(hashed.sha256()).isEqualTo(payload.sha256());
        assertThatThrownBy(hashed::bytes).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> hashed.add(new byte[] {'1'}, 1)).as("nothing joins a payload once hashed")
                .isInstanceOf(IllegalStateException.class);
        BatchAssembler.Payload empty = BatchAssembler.Payload.withBytes();
        assertThat(empty.bytes()).isEqualTo("[]".getBytes(StandardCharsets.UTF_8));
        assertThat(empty.sha256()).isEqualTo(CanonicalJson.sha256("[]".getBytes(StandardCharsets.UTF_8)));

        Map<Integer, String> some = RecordChunks.records(jdbc, "b-1", List.of(1, 699, 700, 701, 1200));
        assertThat(some).containsEntry(1, records.get(0)).containsEntry(699, records.get(698)).containsEntry(700, records.get(699))
                .containsEntry(701, records.get(700)).containsEntry(1200, records.get(1199)).hasSize(5);
        Map<Integer, String> all = RecordChunks.records(jdbc, "b-1", IntStream.rangeClosed(1, 1200).boxed().toList());
        assertThat(IntStream.rangeClosed(1, 1200).mapToObj(all::get).toList()).isEqualTo(records);
    }

    @Test
    void aDamagedChunkIsAnErrorNotAShortPayload() {
        DataSource ds = migratedH2("damaged");
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        openBatch(jdbc, "b-2");
        RecordChunks.write(jdbc, "b-2", 1, records(50));
        byte[] stored = jdbc.queryForObject("SELECT records FROM batch_chunk WHERE batch_id = 'b-2'", byte[].class);
        jdbc.update("UPDATE batch_chunk SET records = ? WHERE batch_id = 'b-2'", (Object) java.util.Arrays.copyOf(stored, stored.length / 2));
        assertThatThrownBy(() -> RecordChunks.payloadParts(jdbc, "b-2", (bytes, n) -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("batch_chunk");
        stored[stored.length / 2] ^= 0x55;
        jdbc.update("UPDATE batch_chunk SET records = ? WHERE batch_id = 'b-2'", (Object) stored);
        assertThatThrownBy(() -> RecordChunks.payloadParts(jdbc, "b-2", (bytes, n) -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("batch_chunk");
    }

    @Test
    void aRecordWithARawNewlineIsRefused() {
        DataSource ds = migratedH2("newline");
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        openBatch(jdbc, "b-3");
        assertThatThrownBy(() -> RecordChunks.write(jdbc, "b-3", 1, List.of("{\"a\":1}", "{\"b\":\n2}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("record 2 of b-3");
    }

    @Test
    void sealingRefusesABatchWhoseChunksMissARecord() {
        DataSource ds = migratedH2("missing");
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        BatchAssembler assembler = new BatchAssembler(jdbc, new TransactionTemplate(new DataSourceTransactionManager(ds)),
                new BatchProperties(500, Duration.ZERO, Duration.ZERO, Integer.MAX_VALUE, null, null), new BatchLifecycle(jdbc)); // due at once: 1 ms could still be ahead of a fast machine
        assembler.store(List.of(new BatchAssembler.Incoming("{\"k\":1}", "TaxRecord", "1.0.0", CanonicalJson.sha256("1"),
                "tax-bureau", "k-1", "2020-02-01", 3, null), new BatchAssembler.Incoming("{\"k\":2}", "TaxRecord", "1.0.0",
                CanonicalJson.sha256("2"), "tax-bureau", "k-2", "2020-02-01", 3, null)));
        jdbc.update("DELETE FROM batch_chunk");
        RecordChunks.write(jdbc, jdbc.queryForObject("SELECT batch_id FROM batch", String.class), 1, List.of("{\"k\":1}"));
        assertThatThrownBy(assembler::sealDue).isInstanceOf(IllegalStateException.class).hasMessageContaining("has 2 records");
        assertThat(jdbc.queryForObject("SELECT status FROM batch", String.class)).as("still open, not sealed short").isEqualTo("OPEN");
    }

    @Test
    void theUpgradeMovesInlineRecordsIntoChunksOnH2() {
        upgrade(h2("upgrade"), null);
    }

    @Test
    void theUpgradeMovesInlineRecordsIntoChunksOnPostgres() {
        upgrade(RealDatabases.freshPostgresSchema("record_chunks_upgrade"), "record_chunks_upgrade");
    }

    /** A hub database of V15 with records inline (one batch sealed, one open) brought to the current version. */
    private static void upgrade(DataSource ds, String schema) {
        Flyway.configure().dataSource(ds).schemas(schema == null ? new String[0] : new String[] {schema})
                .target(MigrationVersion.fromVersion("15")).load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        List<String> records = records(900);
        for (String batchId : List.of("sealed", "open")) {
            openBatch(jdbc, batchId);
        }
        List<Object[]> rows = new ArrayList<>();
        IntStream.range(0, records.size()).forEach(i -> rows.add(new Object[] {i < 600 ? "sealed" : "open", i < 600 ? i + 1 : i - 599,
                CanonicalJson.sha256(records.get(i)), "tax-bureau", "k-" + i, records.get(i), Timestamp.from(Instant.now())}));
        jdbc.batchUpdate("INSERT INTO batch_record (batch_id, seq, content_hash, source_id, source_record_key, record, added_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)", rows);

        Flyway.configure().dataSource(ds).schemas(schema == null ? new String[0] : new String[] {schema}).load().migrate();

        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM batch_record", Integer.class)).isEqualTo(900);
        for (String batchId : List.of("sealed", "open")) {
            List<String> expected = batchId.equals("sealed") ? records.subList(0, 600) : records.subList(600, 900);
            BatchAssembler.Payload payload = BatchAssembler.Payload.withBytes();
            RecordChunks.payloadParts(jdbc, batchId, payload::add);
            assertThat(payload.bytes()).as(batchId).isEqualTo(("[" + String.join(",", expected) + "]").getBytes(StandardCharsets.UTF_8));
        }
        assertThat(jdbc.queryForList("SELECT column_name FROM information_schema.columns WHERE LOWER(table_name) = 'batch_record'"
                + " AND table_schema = CURRENT_SCHEMA",
                String.class)).map(String::toLowerCase).doesNotContain("record");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM information_schema.table_constraints WHERE LOWER(table_name)"
                + " IN ('batch_record', 'batch_chunk') AND constraint_type = 'FOREIGN KEY' AND table_schema = CURRENT_SCHEMA", Integer.class))
                .as("no foreign key, so no index on batch_id alone (V16)").isZero();
    }
}
