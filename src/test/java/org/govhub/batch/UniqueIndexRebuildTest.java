package org.govhub.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.govhub.RealDatabases;
import org.govhub.normalise.CanonicalJson;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The repair of batch_record's unique indexes when one refuses records the table does not hold, on
 * both hub databases: the rows stay, the indexes still refuse a true repeat and a second record at
 * the same place of a batch, and they carry a comment saying when they were rebuilt.
 */
class UniqueIndexRebuildTest {

    @Test
    void onH2() {
        DriverManagerDataSource ds = new DriverManagerDataSource("jdbc:h2:mem:rebuild;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1", "sa", "");
        Flyway.configure().dataSource(ds).load().migrate();
        check(ds, "SELECT remarks FROM information_schema.table_constraints WHERE constraint_name = 'uq_batch_record_repeat'");
    }

    @Test
    void onPostgres() {
        String schema = "repeat_index_rebuild";
        DriverManagerDataSource ds = RealDatabases.freshPostgresSchema(schema);
        Flyway.configure().dataSource(ds).schemas(schema).load().migrate();
        check(ds, "SELECT obj_description('uq_batch_record_repeat'::regclass, 'pg_class')");
    }

    private static void check(DriverManagerDataSource ds, String commentQuery) {
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        BatchAssembler assembler = new BatchAssembler(jdbc, new TransactionTemplate(new DataSourceTransactionManager(ds)),
                new BatchProperties(500, Duration.ofSeconds(10), Duration.ofSeconds(10), Integer.MAX_VALUE, null, null), new BatchLifecycle(jdbc));
        BatchAssembler.Incoming first = record("k-1", "hash-1");
        BatchAssembler.Incoming other = record("k-2", "hash-2");
        assertThat(assembler.store(List.of(first))).isEqualTo(1);
        assertThat(assembler.holds(first)).isTrue();
        assertThat(assembler.holds(other)).isFalse();

        assertThat(assembler.rebuildUniqueIndexes()).isTrue();
        assertThat(assembler.rebuildUniqueIndexes()).as("again at once (a violation the rebuild did not cure)").isFalse();

        assertThat(jdbc.queryForObject(commentQuery, String.class)).startsWith("rebuilt by GovHub at");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM batch_record", Integer.class)).isEqualTo(1);
        assertThat(assembler.store(List.of(first, other))).as("the repeat is left out, the new one stored").isEqualTo(1);
        assertThatThrownBy(() -> jdbc.update("INSERT INTO batch_record (batch_id, seq, content_hash, source_id, source_record_key,"
                + " added_at) SELECT batch_id, seq + 1000, content_hash, source_id, source_record_key, added_at"
                + " FROM batch_record WHERE source_record_key = 'k-1'"))
                .as("a true repeat written past the store").isInstanceOf(DuplicateKeyException.class);
        assertThatThrownBy(() -> jdbc.update("INSERT INTO batch_record (batch_id, seq, content_hash, source_id, source_record_key,"
                + " added_at) SELECT batch_id, seq, content_hash, source_id, 'k-3', added_at"
                + " FROM batch_record WHERE source_record_key = 'k-1'"))
                .as("another record at the same place of the batch").isInstanceOf(DuplicateKeyException.class);
    }

    private static BatchAssembler.Incoming record(String key, String hash) {
        return new BatchAssembler.Incoming("{\"key\":\"" + key + "\"}", "TaxRecord", "1.0.0", CanonicalJson.sha256(hash), "tax-bureau", key,
                "2020-02-24", 3, null);
    }
}
