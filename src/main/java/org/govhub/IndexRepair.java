package org.govhub;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.h2.api.ErrorCode;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Builds indexes again from their tables' rows. Needed when an index holds an entry whose row the
 * table does not: seen with embedded H2 after the hub was killed in the middle of a transaction (its
 * crash recovery kept index entries of rows it rolled back), which then refuses a record as a
 * duplicate, finds it in a lookup the index answers alone, or fails a query with "row not found in
 * primary index". Hand-written because H2 has no REINDEX.
 *
 * <p>On H2 a constraint's index is rebuilt without a moment in which nothing enforces it: a unique
 * index is built from the rows first (which also proves they hold no duplicate), then the constraint
 * is dropped and added again, taking that index over.
 */
public final class IndexRepair {

    private IndexRepair() {
    }

    /**
     * Rebuilds {@code constraint} (UNIQUE over {@code columns}) of {@code table} while the hub runs and
     * comments it with the time and {@code why}, for a DBA (and the tests) to see.
     *
     * @return false on a database the hub does not know how to do it on
     */
    public static boolean rebuild(JdbcTemplate jdbc, String table, String constraint, String columns, String why) {
        String database = jdbc.execute((ConnectionCallback<String>) c -> c.getMetaData().getDatabaseProductName());
        String note = "'rebuilt by GovHub at " + Instant.now() + ": " + why.replace("'", "''") + "'";
        if ("H2".equals(database)) {
            jdbc.execute((ConnectionCallback<Void>) c -> {
                try (Statement s = c.createStatement()) {
                    rebuildConstraint(c, s, table, constraint, false, columns);
                    s.execute("COMMENT ON CONSTRAINT " + constraint + " IS " + note);
                }
                return null;
            });
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

    /**
     * Rebuilds every index of the connection's schema on H2: primary keys kept in an index of their
     * own, unique constraints, foreign keys and plain indexes. Nothing else may use the database
     * meanwhile (the hub calls it before anything starts). Foreign keys are dropped first and added
     * again last, which builds their indexes anew; {@code pendingForeignKeys} gets the statements that
     * add them again before any is dropped, and an empty list once they are back, for the caller to
     * keep and hand back as {@code interruptedForeignKeys} if the process dies in between. What a
     * rebuild killed half-way left (a stand-in without its constraint, a plain index under its
     * temporary name, foreign keys dropped) is put right first.
     *
     * @return the number of indexes rebuilt
     */
    public static int rebuildAll(Connection c, List<String> interruptedForeignKeys, Consumer<List<String>> pendingForeignKeys)
            throws SQLException {
        String schema = c.getSchema();
        try (Statement s = c.createStatement()) {
            finishInterrupted(c, s, schema);
            for (String statement : interruptedForeignKeys) {
                try {
                    s.execute(statement);
                } catch (SQLException e) {
                    if (e.getErrorCode() != ErrorCode.CONSTRAINT_ALREADY_EXISTS_1) {
                        throw e;
                    }
                }
            }
        }
        List<ForeignKey> foreignKeys = foreignKeys(c, schema);
        pendingForeignKeys.accept(foreignKeys.stream().map(ForeignKey::add).toList());
        int rebuilt = 0;
        try (Statement s = c.createStatement()) {
            for (ForeignKey fk : foreignKeys) {
                s.execute("ALTER TABLE " + quote(fk.table()) + " DROP CONSTRAINT " + quote(fk.name()));
            }
            for (Index index : secondaryIndexes(c, schema)) {
                if (index.constraint() == null) {
                    String temporary = quote(index.name() + TEMPORARY);
                    s.execute("CREATE " + (index.unique() ? "UNIQUE " : "") + "INDEX " + temporary + " ON " + quote(index.table())
                            + " (" + index.columns() + ")");
                    s.execute("DROP INDEX " + quote(index.name()));
                    s.execute("ALTER INDEX " + temporary + " RENAME TO " + quote(index.name()));
                } else {
                    rebuildConstraint(c, s, quote(index.table()), quote(index.constraint()), "PRIMARY KEY".equals(index.constraintType()),
                            index.columns());
                }
                rebuilt++;
            }
            for (ForeignKey fk : foreignKeys) {
                s.execute(fk.add());
                rebuilt++;
            }
        }
        pendingForeignKeys.accept(List.of());
        return rebuilt;
    }

    /** A plain index being rebuilt is built under its name and this, then takes its name over. */
    private static final String TEMPORARY = "_rebuilt";
    /** A constraint being rebuilt is held by a unique index named after it and one of these, which also says what to add back. */
    private static final String PRIMARY_KEY_STAND_IN = "_pk_stand_in";
    private static final String UNIQUE_STAND_IN = "_uq_stand_in";

    /**
     * Drops {@code constraint} and adds it again over {@code columns}, after a unique index over the
     * same columns, named after it ({@link #finishInterrupted} reads the name), was built from the rows
     * to hold its place. A unique constraint takes that index over (it gets the old index's name back);
     * a primary key builds its own, and the stand-in goes.
     */
    private static void rebuildConstraint(Connection c, Statement s, String table, String constraint, boolean primaryKey, String columns)
            throws SQLException {
        String name = unquote(constraint);
        String oldIndex = indexOf(c, name);
        String standIn = name + (primaryKey ? PRIMARY_KEY_STAND_IN : UNIQUE_STAND_IN);
        s.execute("CREATE UNIQUE INDEX " + quote(standIn) + " ON " + table + " (" + columns + ")");
        s.execute("ALTER TABLE " + table + " DROP CONSTRAINT IF EXISTS " + constraint);
        s.execute("ALTER TABLE " + table + " ADD CONSTRAINT " + constraint + (primaryKey ? " PRIMARY KEY (" : " UNIQUE (") + columns + ")");
        if (!standIn.equals(indexOf(c, name))) {
            s.execute("DROP INDEX " + quote(standIn));
        } else if (oldIndex != null) {
            s.execute("ALTER INDEX " + quote(standIn) + " RENAME TO " + quote(oldIndex));
        }
    }

    /**
     * Puts right what a rebuild killed half-way left: a stand-in whose constraint is gone gets it back
     * (the stand-in's name says which and what kind), a stand-in no constraint holds goes, and a plain
     * index left under its temporary name takes its own name back (or goes, when that index is there).
     */
    private static void finishInterrupted(Connection c, Statement s, String schema) throws SQLException {
        for (Index index : secondaryIndexes(c, schema)) {
            if (index.constraint() != null) {
                continue;
            }
            String name = index.name();
            boolean primaryKey = name.endsWith(PRIMARY_KEY_STAND_IN);
            if (primaryKey || name.endsWith(UNIQUE_STAND_IN)) {
                String constraint = name.substring(0, name.length() - (primaryKey ? PRIMARY_KEY_STAND_IN : UNIQUE_STAND_IN).length());
                if (indexOf(c, constraint) == null) {
                    s.execute("ALTER TABLE " + quote(index.table()) + " ADD CONSTRAINT " + quote(constraint)
                            + (primaryKey ? " PRIMARY KEY (" : " UNIQUE (") + index.columns() + ")");
                }
                // taken over by its constraint (a unique one), it is renamed so that the rebuild below can use the name again
                s.execute(name.equals(indexOf(c, constraint)) ? "ALTER INDEX " + quote(name) + " RENAME TO " + quote(constraint + "_index")
                        : "DROP INDEX " + quote(name));
            } else if (name.endsWith(TEMPORARY)) {
                String own = name.substring(0, name.length() - TEMPORARY.length());
                s.execute(indexExists(c, schema, own) ? "DROP INDEX " + quote(name) : "ALTER INDEX " + quote(name) + " RENAME TO " + quote(own));
            }
        }
    }

    private static boolean indexExists(Connection c, String schema, String index) {
        return !catalog(c).queryForList("SELECT index_name FROM information_schema.indexes WHERE index_schema = ? AND index_name = ?",
                String.class, schema, index).isEmpty();
    }

    /** The index that holds a constraint of the current schema, null when there is none. */
    private static String indexOf(Connection c, String constraint) throws SQLException {
        List<String> index = catalog(c).queryForList("SELECT index_name FROM information_schema.table_constraints"
                + " WHERE constraint_schema = ? AND constraint_name = ?", String.class, c.getSchema(), constraint);
        return index.isEmpty() ? null : index.get(0);
    }

    /** H2's catalog read over the connection in hand (the one the rebuild's statements use). */
    private static JdbcTemplate catalog(Connection c) {
        return new JdbcTemplate(new SingleConnectionDataSource(c, true));
    }

    /** A list of quoted column names, in order, from information_schema.{@code table} (H2's LISTAGG). */
    private static String columnList(String table, String extra, String where, String order) {
        return "(SELECT LISTAGG('\"' || REPLACE(x.column_name, '\"', '\"\"') || '\"'" + extra + ", ', ') WITHIN GROUP (ORDER BY "
                + order + ") FROM information_schema." + table + " x WHERE " + where + ")";
    }

    private record Index(String table, String name, boolean unique, String columns, String constraint, String constraintType) {
    }

    private record ForeignKey(String table, String name, String add) {
    }

    /** Indexes that keep entries of their own (a primary key on one integer column is the table's own order, not one). */
    private static List<Index> secondaryIndexes(Connection c, String schema) {
        return catalog(c).query("SELECT i.table_name, i.index_name, i.index_type_name IN ('PRIMARY KEY', 'UNIQUE INDEX'), "
                + columnList("index_columns", " || ' ' || x.ordering_specification",
                        "x.index_schema = i.index_schema AND x.index_name = i.index_name", "x.ordinal_position")
                + ", tc.constraint_name, tc.constraint_type FROM information_schema.indexes i LEFT JOIN information_schema.table_constraints tc"
                + " ON tc.index_schema = i.index_schema AND tc.index_name = i.index_name AND tc.constraint_type IN ('PRIMARY KEY', 'UNIQUE')"
                + " WHERE i.table_schema = ? AND i.index_class = 'org.h2.mvstore.db.MVSecondaryIndex' ORDER BY i.table_name, i.index_name",
                (rs, n) -> new Index(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getString(4), rs.getString(5), rs.getString(6)),
                schema);
    }

    /**
     * The schema's foreign keys as the statements that add them (columns, referenced columns, rules); a
     * foreign key's columns are listed in the order of the key it references.
     */
    private static List<ForeignKey> foreignKeys(Connection c, String schema) {
        String keyColumns = "x.constraint_schema = rc.constraint_schema AND x.constraint_name = %s";
        return catalog(c).query("SELECT fk.table_name, rc.constraint_name, uk.table_name, "
                + columnList("key_column_usage", "", keyColumns.formatted("rc.constraint_name"), "x.position_in_unique_constraint") + ", "
                + columnList("key_column_usage", "", keyColumns.formatted("rc.unique_constraint_name"), "x.ordinal_position")
                + ", rc.update_rule, rc.delete_rule FROM information_schema.referential_constraints rc"
                + " JOIN information_schema.table_constraints fk ON fk.constraint_schema = rc.constraint_schema AND fk.constraint_name = rc.constraint_name"
                + " JOIN information_schema.table_constraints uk ON uk.constraint_schema = rc.unique_constraint_schema"
                + " AND uk.constraint_name = rc.unique_constraint_name WHERE rc.constraint_schema = ? ORDER BY 1, 2",
                (rs, n) -> new ForeignKey(rs.getString(1), rs.getString(2), "ALTER TABLE " + quote(rs.getString(1)) + " ADD CONSTRAINT "
                        + quote(rs.getString(2)) + " FOREIGN KEY (" + rs.getString(4) + ") REFERENCES " + quote(rs.getString(3))
                        + " (" + rs.getString(5) + ") ON UPDATE " + rs.getString(6) + " ON DELETE " + rs.getString(7)),
                schema);
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private static String unquote(String identifier) {
        return identifier.startsWith("\"") ? identifier.substring(1, identifier.length() - 1).replace("\"\"", "\"") : identifier;
    }
}
