package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The embedded hub database after a run that did not end in order: every index is built again from
 * the rows before the hub starts, and the same indexes, constraints and foreign keys refuse what they refused. The database is a real one a SIGKILL left (CrashTest, 2026-12-01,
 * see GhostIndexEntryTest): its repeat index holds an entry of a row H2's recovery rolled back.
 */
class HubDatabaseRecoveryTest {

    /** Every index and constraint: table, kind, name (the constraint's when it has one), columns; foreign keys with what they reference. */
    private static final String CATALOG = "SELECT i.table_name || ' ' || i.index_type_name || ' ' || COALESCE(tc.constraint_name, i.index_name) || ' ('"
            + " || (SELECT LISTAGG(ic.column_name || ' ' || ic.ordering_specification, ', ') WITHIN GROUP (ORDER BY ic.ordinal_position)"
            + " FROM information_schema.index_columns ic WHERE ic.index_schema = i.index_schema AND ic.index_name = i.index_name) || ')'"
            + " || COALESCE(' -> ' || (SELECT rc.unique_constraint_name || ' ' || rc.update_rule || ' ' || rc.delete_rule"
            + " FROM information_schema.referential_constraints rc WHERE rc.constraint_name = tc.constraint_name), '')"
            + " FROM information_schema.indexes i LEFT JOIN information_schema.table_constraints tc"
            + " ON tc.index_schema = i.index_schema AND tc.index_name = i.index_name"
            + " WHERE i.table_schema = 'public' ORDER BY 1";

    private static final String TRANSITION_OF_NO_BATCH = "INSERT INTO batch_transition (batch_id, from_status, to_status, reason, at)"
            + " VALUES ('no-such-batch', 'OPEN', 'SEALED', 'test', CURRENT_TIMESTAMP)";

    private static final String GHOST = "SELECT id FROM batch_record WHERE source_id = 'credit-reference' AND source_record_key = '110'";

    @Test
    void afterAnUncleanStopEveryIndexIsBuiltAgainFromTheRowsAndTheSchemaIsUnchanged() throws Exception {
        DriverManagerDataSource ds = crashedDatabase();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        Flyway.configure().dataSource(ds).load().migrate();
        List<String> before = jdbc.queryForList(CATALOG, String.class);
        assertThat(jdbc.queryForList(GHOST, Long.class)).as("the index entry of a row that is not there").containsExactly(16L);
        assertThat(before).as("foreign keys, primary keys in an index of their own, unique constraints, plain indexes")
                .anyMatch(s -> s.contains(" -> ")).anyMatch(s -> s.startsWith("batch PRIMARY KEY"))
                .anyMatch(s -> s.contains("UNIQUE INDEX uq_batch_record_repeat")).anyMatch(s -> s.contains("INDEX ix_batch_due"));

        HubDatabaseRecovery recovery = new HubDatabaseRecovery();
        migrate(ds, recovery);
        assertThat(recovery.lastRebuilt()).as("no orderly close on record").isGreaterThan(40);
        assertThat(jdbc.queryForList(GHOST, Long.class)).as("the entry is gone with the old index").isEmpty();
        assertThat(jdbc.queryForList(CATALOG, String.class)).as("the same indexes and constraints").isEqualTo(before);
        enforced(jdbc);

        HubDatabaseRecovery.markClosed(ds);
        migrate(ds, recovery);
        assertThat(recovery.lastRebuilt()).as("after an orderly close nothing is rebuilt").isEqualTo(-1);
        migrate(ds, recovery);
        assertThat(recovery.lastRebuilt()).as("a run that did not close in order (this one) is followed by a rebuild").isGreaterThan(40);
        assertThat(jdbc.queryForList(CATALOG, String.class)).isEqualTo(before);
    }

    @Test
    void whatARebuildKilledHalfWayLeftIsPutRightBeforeTheNextOne() throws Exception {
        DriverManagerDataSource ds = crashedDatabase();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        HubDatabaseRecovery recovery = new HubDatabaseRecovery();
        migrate(ds, recovery);
        List<String> before = jdbc.queryForList(CATALOG, String.class);
        // as a rebuild leaves it when killed at each of its steps:
        // a foreign key dropped, the statement that adds it kept
        String fk = constraint(jdbc, "batch_transition", "FOREIGN KEY");
        jdbc.update("UPDATE store_run SET restore_ddl = ?, closed_at = NULL WHERE id = 1", "ALTER TABLE \"batch_transition\" ADD CONSTRAINT \""
                + fk + "\" FOREIGN KEY (\"batch_id\") REFERENCES \"batch\" (\"batch_id\") ON UPDATE RESTRICT ON DELETE RESTRICT");
        jdbc.execute("ALTER TABLE batch_transition DROP CONSTRAINT \"" + fk + "\"");
        // a unique constraint dropped, its stand-in built
        jdbc.execute("CREATE UNIQUE INDEX uq_batch_record_repeat_uq_stand_in ON batch_record (source_record_key, source_id, content_hash)");
        jdbc.execute("ALTER TABLE batch_record DROP CONSTRAINT uq_batch_record_repeat");
        // a primary key (in an index of its own) dropped, its stand-in built
        String pk = constraint(jdbc, "report_delivery", "PRIMARY KEY");
        jdbc.execute("CREATE UNIQUE INDEX \"" + pk + "_pk_stand_in\" ON report_delivery (report_id, target)");
        jdbc.execute("ALTER TABLE report_delivery DROP CONSTRAINT \"" + pk + "\"");
        // a plain index dropped, its rebuilt copy not yet renamed; another one's copy built, the old one not yet dropped
        jdbc.execute("CREATE INDEX ix_batch_due_rebuilt ON batch (status, priority_class, sealed_at)");
        jdbc.execute("DROP INDEX ix_batch_due");
        jdbc.execute("CREATE INDEX ix_batch_status_rebuilt ON batch (status, next_attempt_at)");
        assertThat(jdbc.queryForList(CATALOG, String.class)).isNotEqualTo(before);

        migrate(ds, recovery);
        assertThat(recovery.lastRebuilt()).isGreaterThan(40);
        assertThat(jdbc.queryForList(CATALOG, String.class)).isEqualTo(before);
        assertThat(jdbc.queryForObject("SELECT restore_ddl FROM store_run", String.class)).isNull();
        assertThatThrownBy(() -> jdbc.update(TRANSITION_OF_NO_BATCH)).isInstanceOf(DataIntegrityViolationException.class);
        enforced(jdbc);
        jdbc.update("INSERT INTO weekly_report (report_id, week, revision, week_start, week_end, generated_at, trigger_kind, data_sha256,"
                + " filings, directory, manifest) VALUES ('r-1', '2020-W09', 1, DATE '2020-02-24', DATE '2020-03-01', CURRENT_TIMESTAMP,"
                + " 'SCHEDULE', 'x', 0, 'd', '{}')");
        String delivery = "INSERT INTO report_delivery (report_id, target, status, attempts, updated_at)"
                + " VALUES ('r-1', 'archive', 'PENDING', 0, CURRENT_TIMESTAMP)";
        jdbc.update(delivery);
        assertThatThrownBy(() -> jdbc.update(delivery)).as("the primary key is back").isInstanceOf(DuplicateKeyException.class);
    }

    private static String constraint(JdbcTemplate jdbc, String table, String type) {
        return jdbc.queryForObject("SELECT constraint_name FROM information_schema.table_constraints WHERE table_name = ?"
                + " AND constraint_type = ?", String.class, table, type);
    }

    @Test
    void aNewDatabaseHasNothingToRebuild() {
        DriverManagerDataSource ds = new DriverManagerDataSource("jdbc:h2:mem:recovery-new;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1", "sa", "");
        HubDatabaseRecovery recovery = new HubDatabaseRecovery();
        migrate(ds, recovery);
        assertThat(recovery.lastRebuilt()).isEqualTo(-1);
        assertThat(new JdbcTemplate(ds).queryForObject("SELECT COUNT(*) FROM store_run WHERE closed_at IS NULL", Integer.class))
                .as("this run is open").isEqualTo(1);
    }

    /** The rebuilt indexes still refuse what they refused: a repeat, a second row at a batch's place, a row of no batch. */
    private static void enforced(JdbcTemplate jdbc) {
        jdbc.update("INSERT INTO batch (batch_id, status, schema_name, schema_version, record_count, opened_at, priority_class, share_seq)"
                + " VALUES ('b-1', 'OPEN', 'CreditRecord', '1.0.0', 0, CURRENT_TIMESTAMP, 3, 999999)");
        String insert = "INSERT INTO batch_record (batch_id, seq, content_hash, source_id, source_record_key, added_at)"
                + " VALUES (?, ?, ?, 'credit-reference', '110', CURRENT_TIMESTAMP)";
        assertThat(jdbc.update(insert, "b-1", 1, "h-1")).as("the record the ghost entry held out").isEqualTo(1);
        assertThatThrownBy(() -> jdbc.update(insert, "b-1", 2, "h-1")).as("a repeat").isInstanceOf(DuplicateKeyException.class);
        assertThatThrownBy(() -> jdbc.update(insert, "b-1", 1, "h-2")).as("the same place").isInstanceOf(DuplicateKeyException.class);
        assertThatThrownBy(() -> jdbc.update(TRANSITION_OF_NO_BATCH)).as("a transition of no batch")
                .isInstanceOf(DataIntegrityViolationException.class);
        assertThatThrownBy(() -> jdbc.update("INSERT INTO batch (batch_id, status, schema_name, schema_version, record_count, opened_at,"
                + " priority_class) VALUES ('b-1', 'OPEN', 'CreditRecord', '1.0.0', 0, CURRENT_TIMESTAMP, 3)"))
                .as("a second batch b-1").isInstanceOf(DuplicateKeyException.class);
    }

    private static void migrate(DriverManagerDataSource ds, HubDatabaseRecovery recovery) {
        Flyway.configure().dataSource(ds).callbacks(recovery).load().migrate();
    }

    private static DriverManagerDataSource crashedDatabase() throws Exception {
        Path dir = Files.createTempDirectory("govhub-recovery");
        try (InputStream in = new GZIPInputStream(HubDatabaseRecoveryTest.class.getResourceAsStream("/h2/ghost-repeat-index.mv.db.gz"))) {
            Files.copy(in, dir.resolve("govhub.mv.db"));
        }
        return new DriverManagerDataSource("jdbc:h2:file:" + dir.resolve("govhub") + ";DATABASE_TO_LOWER=TRUE", "sa", "");
    }
}
