package db.migration;

import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.govhub.batch.RecordChunks;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * A batch's records move from each record's row to compressed chunks of consecutive records
 * ({@link RecordChunks}); batch_record keeps the small per-record row. In Java, not SQL, because the
 * records already stored are compressed the same way as new ones (neither H2 nor PostgreSQL can).
 */
public class V16__batch_record_chunks extends BaseJavaMigration {

    @Override
    public void migrate(Context context) {
        JdbcTemplate jdbc = new JdbcTemplate(new SingleConnectionDataSource(context.getConnection(), true));
        // no foreign key to batch, here or on batch_record any more: on H2 each one keeps an index of its
        // own on batch_id alone beside the (batch_id, …) key, one more write per record (a fifth of the
        // batch stage's time); the store writes records only into the batch it holds open in the same
        // transaction, and a batch is never deleted
        for (String fk : jdbc.queryForList("SELECT constraint_name FROM information_schema.table_constraints"
                + " WHERE LOWER(table_name) = 'batch_record' AND constraint_type = 'FOREIGN KEY' AND table_schema = CURRENT_SCHEMA",
                String.class)) {
            jdbc.execute("ALTER TABLE batch_record DROP CONSTRAINT \"" + fk.replace("\"", "\"\"") + "\"");
        }
        jdbc.execute("""
                CREATE TABLE batch_chunk (
                    batch_id      VARCHAR(36) NOT NULL,
                    first_seq     INTEGER     NOT NULL,
                    record_count  INTEGER     NOT NULL,
                    records       BYTEA       NOT NULL,
                    PRIMARY KEY (batch_id, first_seq)
                )""");
        List<String> batches = jdbc.queryForList("SELECT DISTINCT batch_id FROM batch_record", String.class);
        for (String batchId : batches) {
            List<Integer> seqs = new ArrayList<>();
            List<String> records = new ArrayList<>();
            jdbc.query("SELECT seq, record FROM batch_record WHERE batch_id = ? ORDER BY seq", rs -> {
                seqs.add(rs.getInt(1));
                records.add(rs.getString(2));
            }, batchId);
            // a run of consecutive sequence numbers is one write (a batch's are 1..n)
            int start = 0;
            for (int i = 1; i <= seqs.size(); i++) {
                if (i == seqs.size() || seqs.get(i) != seqs.get(i - 1) + 1) {
                    RecordChunks.write(jdbc, batchId, seqs.get(start), records.subList(start, i));
                    start = i;
                }
            }
        }
        jdbc.execute("ALTER TABLE batch_record DROP COLUMN record");
    }
}
