package org.govhub.batch;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import org.h2.api.Trigger;

/**
 * Makes H2's repeat index behave as it did once after a crash: it refuses a record as a duplicate
 * that batch_record does not hold. Installed as a BEFORE INSERT trigger, it refuses the record keyed
 * {@link #KEY} with SQLSTATE 23505 until the index is built again (the rebuild leaves its comment on
 * the repeat constraint).
 */
public class DamagedRepeatIndex implements Trigger {

    public static final String KEY = "ghost-1";
    private static volatile String damagedIndex;

    /** Damages the current repeat index of the database this statement runs on. */
    public static void install(Statement s) throws SQLException {
        damagedIndex = String.valueOf(repeatIndex(s.getConnection()));
        s.execute("CREATE TRIGGER damaged_repeat_index BEFORE INSERT ON batch_record FOR EACH ROW CALL '"
                + DamagedRepeatIndex.class.getName() + "'");
    }

    public static void remove(Statement s) throws SQLException {
        s.execute("DROP TRIGGER IF EXISTS damaged_repeat_index");
    }

    /** The repeat constraint's index and comment (a rebuild comments it with its time). */
    public static String repeatIndex(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT index_name, remarks FROM information_schema.table_constraints WHERE constraint_name = '"
                        + BatchAssembler.REPEAT_INDEX + "'")) {
            return rs.next() ? rs.getString(1) + " (" + rs.getString(2) + ")" : null;
        }
    }

    @Override
    public void fire(Connection c, Object[] oldRow, Object[] newRow) throws SQLException {
        if (Arrays.asList(newRow).contains(KEY) && damagedIndex != null && damagedIndex.equals(repeatIndex(c))) {
            throw new SQLException("Unique index or primary key violation: \"" + damagedIndex
                    + "\" (an index entry left by a rolled-back row)", "23505", 23505);
        }
    }
}
