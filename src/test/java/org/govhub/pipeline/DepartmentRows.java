package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.govhub.sandbox.GeneratedRow;

/**
 * Generated rows put into a department's table on the machine's PostgreSQL the way its own system
 * would: a set in one transaction, or a steady stream while a test goes on ({@link Feeder}). The
 * table's change time is its default, now.
 */
final class DepartmentRows {

    private DepartmentRows() {
    }

    /** The rows into {@code table} in one transaction. */
    static void insert(Connection c, String table, List<GeneratedRow> rows) throws SQLException {
        List<String> columns = List.copyOf(rows.get(0).columns().keySet());
        String sql = "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
                + columns.stream().map(col -> "?").collect(Collectors.joining(", ")) + ")";
        c.setAutoCommit(false);
        try (PreparedStatement insert = c.prepareStatement(sql)) {
            for (GeneratedRow row : rows) {
                for (int i = 0; i < columns.size(); i++) {
                    insert.setObject(i + 1, row.columns().get(columns.get(i)));
                }
                insert.addBatch();
            }
            insert.executeBatch();
        }
        c.commit();
    }

    /** The department's system at work: {@code perTick} rows every 100 ms, from {@code alreadyIn} on, until all are in or it is stopped. */
    static final class Feeder extends Thread {
        final AtomicInteger inserted;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Callable<Connection> database;
        private final String table;
        private final List<GeneratedRow> rows;
        private final int perTick;
        private volatile Throwable failure;

        Feeder(String name, Callable<Connection> database, String table, List<GeneratedRow> rows, int alreadyIn, int perTick) {
            super(name);
            this.database = database;
            this.table = table;
            this.rows = rows;
            this.perTick = perTick;
            this.inserted = new AtomicInteger(alreadyIn);
        }

        @Override
        public void run() {
            try (Connection c = database.call()) {
                while (running.get() && inserted.get() < rows.size()) {
                    int from = inserted.get();
                    int to = Math.min(rows.size(), from + perTick);
                    insert(c, table, rows.subList(from, to));
                    inserted.set(to);
                    HubJvm.sleep(100);
                }
            } catch (Throwable e) {
                failure = e;
            }
        }

        /** Stops where it is (the rows inserted so far are {@link #inserted}). */
        void finish() throws InterruptedException {
            running.set(false);
            join();
            assertThat(failure).as("inserting the department's rows").isNull();
        }

        /** Waits until every row is in. */
        void awaitAll() throws InterruptedException {
            join();
            assertThat(failure).as("inserting the department's rows").isNull();
            assertThat(inserted.get()).isEqualTo(rows.size());
        }
    }
}
