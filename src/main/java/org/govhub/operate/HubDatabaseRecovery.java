package org.govhub.operate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.govhub.IndexRepair;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * After a run of the embedded H2 hub database that did not end with an orderly close (SIGKILL, power
 * loss), builds all its indexes again from their rows before the hub uses them: H2's crash recovery
 * has been seen to keep index entries of rows it rolled back, and a query answered from such an entry
 * fails ("row not found in primary index") on every delivery round or takes a record for a repeat.
 * A Flyway callback, so it runs once the schema is current and before anything reads it; the data
 * source's close records the orderly end ({@link #markClosed}). Not on PostgreSQL, whose recovery
 * replays its write-ahead log, indexes included.
 */
@Component
public class HubDatabaseRecovery implements Callback {

    private static final Logger log = LoggerFactory.getLogger(HubDatabaseRecovery.class);

    /** Whether the schema held any table before this migration: if not, the database is new and has nothing to repair. */
    private volatile boolean existed = true;
    private volatile int lastRebuilt = -1;

    @Override
    public boolean supports(Event event, Context context) {
        return event == Event.BEFORE_MIGRATE || event == Event.AFTER_MIGRATE;
    }

    @Override
    public boolean canHandleInTransaction(Event event, Context context) {
        return true;
    }

    @Override
    public String getCallbackName() {
        return "govhub-index-rebuild-after-crash";
    }

    @Override
    public void handle(Event event, Context context) {
        Connection c = context.getConnection();
        try {
            if (!"H2".equals(c.getMetaData().getDatabaseProductName())) {
                return;
            }
            if (event == Event.BEFORE_MIGRATE) {
                // Flyway has made its history table by now, so the question is whether any other is there
                try (PreparedStatement q = c.prepareStatement("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ?"
                        + " AND table_type = 'BASE TABLE' AND table_name <> ?")) {
                    q.setString(1, c.getSchema());
                    q.setString(2, context.getConfiguration().getTable());
                    try (ResultSet rs = q.executeQuery()) {
                        existed = rs.next() && rs.getInt(1) > 0;
                    }
                }
                return;
            }
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(true);
            try {
                recover(c);
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            // the hub must not start on indexes that may hold entries of rows that are not there
            throw new IllegalStateException("the hub database's indexes could not be checked or rebuilt after its last run: " + e.getMessage(), e);
        }
    }

    /** Indexes rebuilt at the last start: -1 when the last run had ended in order (or the database was new). */
    public int lastRebuilt() {
        return lastRebuilt;
    }

    private void recover(Connection c) throws SQLException {
        Timestamp closedAt = null;
        String restoreDdl = null;
        boolean row = false;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT closed_at, restore_ddl FROM store_run WHERE id = 1")) {
            if (rs.next()) {
                row = true;
                closedAt = rs.getTimestamp(1);
                restoreDdl = rs.getString(2);
            }
        }
        lastRebuilt = -1;
        if (closedAt == null && (row || existed)) {
            log.warn("the hub database was not closed in order at the end of its last run; building its indexes again from their rows");
            List<String> interrupted = restoreDdl == null || restoreDdl.isEmpty() ? List.of() : List.of(restoreDdl.split("\n"));
            if (!interrupted.isEmpty()) {
                log.warn("the last rebuild of its indexes was itself cut short; its {} foreign keys are added back first", interrupted.size());
            }
            long started = System.nanoTime();
            lastRebuilt = IndexRepair.rebuildAll(c, interrupted, ddl -> keepRestoreDdl(c, ddl));
            log.warn("{} indexes of the hub database rebuilt in {} ms", lastRebuilt, (System.nanoTime() - started) / 1_000_000);
        }
        keepRestoreDdl(c, List.of()); // this run is open, with nothing to restore
    }

    /** Notes this run open (not closed in order) with the statements that add foreign keys back, if any are dropped. */
    private static void keepRestoreDdl(Connection c, List<String> statements) {
        try (PreparedStatement s = c.prepareStatement("MERGE INTO store_run (id, opened_at, closed_at, restore_ddl) KEY (id) VALUES (1, ?, NULL, ?)")) {
            s.setTimestamp(1, Timestamp.from(Instant.now()));
            s.setString(2, statements.isEmpty() ? null : String.join("\n", statements));
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not note this run of the hub database in store_run: " + e.getMessage(), e);
        }
    }

    /** Records that this run of the hub database ends in order; called as the hub's data source closes. */
    public static void markClosed(DataSource hubDatabase) {
        try (Connection c = hubDatabase.getConnection()) {
            if ("H2".equals(c.getMetaData().getDatabaseProductName())) {
                try (PreparedStatement s = c.prepareStatement("UPDATE store_run SET closed_at = ? WHERE id = 1")) {
                    s.setTimestamp(1, Timestamp.from(Instant.now()));
                    s.executeUpdate();
                }
                if (!c.getAutoCommit()) {
                    c.commit();
                }
            }
        } catch (SQLException e) {
            // the next start then rebuilds the indexes, which is safe, only slower
            log.warn("could not record the orderly close of the hub database: {}", e.getMessage());
        }
    }
}
