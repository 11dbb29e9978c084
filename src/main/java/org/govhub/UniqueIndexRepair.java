package org.govhub;

import java.sql.Connection;
import java.time.Instant;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Builds a unique constraint's index again from its table's rows. Needed when the index holds an
 * entry whose row the table does not: seen with embedded H2 after the hub was killed in the middle
 * of a transaction (its crash recovery kept an index entry of a row it rolled back), which then
 * refuses that record as a duplicate or finds it in a lookup the index answers alone. Hand-written
 * because H2 has no REINDEX.
 */
public final class UniqueIndexRepair {

    private UniqueIndexRepair() {
    }

    /**
     * Rebuilds {@code constraint} (UNIQUE over {@code columns}) of {@code table} and comments it with
     * the time and {@code why}, for a DBA (and the tests) to see.
     *
     * @return false on a database the hub does not know how to do it on
     */
    public static boolean rebuild(JdbcTemplate jdbc, String table, String constraint, String columns, String why) {
        String database = jdbc.execute((Connection c) -> c.getMetaData().getDatabaseProductName());
        String note = "'rebuilt by GovHub at " + Instant.now() + ": " + why.replace("'", "''") + "'";
        if ("H2".equals(database)) {
            // a throw-away unique index built from the rows first proves they hold no duplicate, so
            // dropping the constraint and adding it again (each DDL commits on its own) cannot end without it
            jdbc.execute("CREATE UNIQUE INDEX " + constraint + "_check ON " + table + " (" + columns + ")");
            jdbc.execute("DROP INDEX " + constraint + "_check");
            jdbc.execute("ALTER TABLE " + table + " DROP CONSTRAINT IF EXISTS " + constraint);
            jdbc.execute("ALTER TABLE " + table + " ADD CONSTRAINT " + constraint + " UNIQUE (" + columns + ")");
            jdbc.execute("COMMENT ON CONSTRAINT " + constraint + " IS " + note);
            return true;
        }
        if ("PostgreSQL".equals(database)) {
            // CONCURRENTLY: readers and writers are not locked out while it builds
            jdbc.execute("REINDEX INDEX CONCURRENTLY " + constraint);
            jdbc.execute("COMMENT ON INDEX " + constraint + " IS " + note);
            return true;
        }
        return false;
    }
}
