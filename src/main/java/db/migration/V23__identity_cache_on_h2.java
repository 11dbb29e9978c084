package db.migration;

import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * On H2, the identity sequences of the tables written once per record hand out 10,000 ids between
 * two writes of the sequence instead of 32: H2 writes a sequence by committing the whole store, and
 * with 32 that was 31 extra commits (each page serialised and compressed) for every 1,000 records the
 * batch stage stored, a third of its time (issue 12 profile). H2's sequence is one per database, so ids
 * still rise in the order they are handed out; after a crash it goes on above the last write (a gap).
 * Not on PostgreSQL: there a cache is per connection, so ids of two connections would interleave, and
 * its sequences do not commit anything.
 */
public class V23__identity_cache_on_h2 extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        if (!context.getConnection().getMetaData().getDatabaseProductName().equals("H2")) {
            return;
        }
        try (Statement statement = context.getConnection().createStatement()) {
            for (String table : new String[] {"batch_record", "quarantine", "batch_transition"}) {
                statement.execute("ALTER TABLE " + table + " ALTER COLUMN id SET CACHE 10000");
            }
        }
    }
}
