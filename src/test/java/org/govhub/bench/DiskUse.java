package org.govhub.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Bytes a phase wrote, by component, and what its files took at its end.
 *
 * @param process     what the whole JVM caused to be written to storage (/proc/self/io)
 * @param hubDb       what the hub's database wrote (the baseline: its quarantine database): H2's own
 *                    count of bytes written to its file, or PostgreSQL's WAL
 * @param hubDbInProcess whether {@code hubDb} is part of {@code process} (embedded H2) or written
 *                    by another process (PostgreSQL)
 * @param receiverDb  what the sandbox platform receiver's H2 database wrote (its own count)
 * @param hubDbSize   the hub's database at the end (H2 file; PostgreSQL: the schema's tables and indexes)
 * @param brokerSize  the Artemis data directory at the end
 * @param receiverSize the receiver's H2 file at the end
 */
record DiskUse(long process, long hubDb, boolean hubDbInProcess, long receiverDb, long hubDbSize, long brokerSize,
        long receiverSize) {

    /** Everything written on the machine for the phase: the process, and PostgreSQL's WAL when it is the hub's database. */
    long total() {
        return process + (hubDbInProcess ? 0 : hubDb);
    }

    /**
     * The broker's journal and everything else the process wrote (source databases, logs): the
     * process total less the databases counted on their own. The databases count every byte they
     * hand to the file system, the process only pages first dirtied, so this can come out low.
     */
    long rest() {
        return process - (hubDbInProcess ? hubDb : 0) - receiverDb;
    }

    /** The written-bytes counters at one moment; a phase's figure is the difference of two. */
    record Counters(long process, long hubDb, long receiverDb) {
        Counters minus(Counters start) {
            return new Counters(process - start.process, hubDb - start.hubDb, receiverDb - start.receiverDb);
        }
    }

    /**
     * Bytes H2 has written to its file since the database was opened ({@code info.FILE_WRITE_BYTES}
     * of INFORMATION_SCHEMA.SETTINGS, H2 2.x with its MVStore). A connection of this JVM to a
     * database already open here shares its store, so this is the count of the one the hub uses.
     */
    static long h2WriteBytes(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'info.FILE_WRITE_BYTES'")) {
            if (!rs.next()) {
                throw new IllegalStateException("this H2 does not count the bytes it writes (no info.FILE_WRITE_BYTES)");
            }
            return Long.parseLong(rs.getString(1));
        }
    }

    static long h2WriteBytes(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            return h2WriteBytes(c);
        }
    }

    /** The file of an embedded H2 database ({@code jdbc:h2:file:PATH;...} → PATH.mv.db). */
    static Path h2File(String url) {
        String path = url.substring("jdbc:h2:file:".length()).split(";", 2)[0];
        return Path.of(path + ".mv.db");
    }
}
