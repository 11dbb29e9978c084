package org.govhub.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A real H2 hub database as a SIGKILL left it (CrashTest, 2026-12-01): its repeat index holds an
 * entry for credit-reference record 110 whose row the crash recovery rolled back. H2 answers the
 * repeat lookup from that index alone, so the record looked batched, was dropped as a repeat and
 * never reached the platform. The file is that database with the other tables emptied and
 * compacted ({@code SHUTDOWN COMPACT} keeps the entry). Now the lookup confirms each row by its
 * primary key, the store refuses with a unique violation naming the index, and the index rebuilt
 * from the rows lets the record in.
 */
class GhostIndexEntryTest {

    private static final String KEY = "110";
    private static final String HASH = "20a15d5c659c02e953a09006689ecbe5a675a799a839bce82eb71fe3d5f401d5";

    @Test
    void aRecordWhoseOnlyTraceIsAnIndexEntryIsStoredAfterTheRebuildNotDroppedAsARepeat() throws Exception {
        Path dir = Files.createTempDirectory("govhub-ghost-index");
        try (InputStream in = new GZIPInputStream(GhostIndexEntryTest.class.getResourceAsStream("/h2/ghost-repeat-index.mv.db.gz"))) {
            Files.copy(in, dir.resolve("govhub.mv.db"));
        }
        DriverManagerDataSource ds = new DriverManagerDataSource("jdbc:h2:file:" + dir.resolve("govhub") + ";DATABASE_TO_LOWER=TRUE", "sa", "");
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        // the damage, as found: the index finds row 16, the table has no row 16
        assertThat(jdbc.queryForList("SELECT id FROM batch_record WHERE source_id = 'credit-reference' AND source_record_key = ?",
                Long.class, KEY)).containsExactly(16L);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM batch_record WHERE id = 16", Integer.class)).isZero();

        // brought to the current version, as the hub does at start (the file was made before V24)
        Flyway.configure().dataSource(ds).load().migrate();
        BatchAssembler assembler = new BatchAssembler(jdbc, new TransactionTemplate(new DataSourceTransactionManager(ds)),
                new BatchProperties(500, Duration.ofSeconds(10), Duration.ofSeconds(10), Integer.MAX_VALUE, null, null), new BatchLifecycle(jdbc));
        BatchAssembler.Incoming record = new BatchAssembler.Incoming("{\"subjectId\":\"record 110\"}", "CreditRecord", "1.0.0", HASH,
                "credit-reference", KEY, "2020-03-01", 3, null);
        assertThat(assembler.holds(record)).as("a record the table does not hold").isFalse();
        // refused as the batch stage's repair expects it (BatchIntake.isolate): a unique violation naming the index
        assertThatThrownBy(() -> assembler.store(List.of(record))).isInstanceOf(DuplicateKeyException.class)
                .isInstanceOf(BatchAssembler.GhostIndexEntry.class).hasMessageContaining(BatchAssembler.REPEAT_INDEX)
                .satisfies(e -> assertThat(BatchAssembler.namesUniqueIndex((DuplicateKeyException) e)).isTrue());

        assertThat(assembler.rebuildUniqueIndexes()).isTrue();
        assertThat(assembler.store(List.of(record))).as("stored once the index is built from the rows").isEqualTo(1);
        assertThat(assembler.holds(record)).isTrue();
        assertThat(assembler.store(List.of(record))).as("and now a true repeat").isZero();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM batch_record WHERE source_id = 'credit-reference'"
                + " AND source_record_key = ?", Integer.class, KEY)).isEqualTo(1);
    }
}
