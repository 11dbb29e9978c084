package org.govhub;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Assumptions;

/**
 * The machine's real database servers, used as departmental databases. With {@code CI=true} a
 * missing server fails the test; elsewhere the test is skipped and says so on the console.
 */
public final class RealDatabases {

    public static final String POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    public static final String POSTGRES_USER = "postgres";
    public static final String MARIADB_URL = "jdbc:mariadb://127.0.0.1:3306/test";
    public static final String MARIADB_USER = "root";

    private RealDatabases() {
    }

    /**
     * Checks that the server is set up for change capture (PostgreSQL: wal_level=logical; MariaDB: a
     * row-based binary log), as {@code .ci/run} sets it up; fails in CI, skips elsewhere, saying how.
     */
    public static void requireChangeCapture(String server) {
        boolean postgres = "PostgreSQL".equals(server);
        String url = postgres ? POSTGRES_URL : MARIADB_URL;
        String query = postgres ? "SELECT current_setting('wal_level') = 'logical'" : "SELECT @@log_bin = 1 AND @@binlog_format = 'ROW'";
        String how = postgres ? "ALTER SYSTEM SET wal_level = 'logical' and a restart" : "mariadbd --log-bin --binlog-format=ROW";
        require(server, url, postgres ? POSTGRES_USER : MARIADB_USER);
        try (Connection c = DriverManager.getConnection(url, postgres ? POSTGRES_USER : MARIADB_USER, "");
                Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(query)) {
            if (rs.next() && rs.getBoolean(1)) {
                return;
            }
        } catch (SQLException e) {
            fail(server + ": " + e.getMessage());
        }
        String why = server + " is not set up for change capture (needs " + how + "; .ci/run does it)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(why);
        }
        System.out.println("\n*** SKIPPED: " + why + "\n");
        Assumptions.abort(why);
    }

    /**
     * The machine's PostgreSQL with a schema made afresh (dropped if there, and created by whoever
     * migrates into it), as a data source whose connections use it; fails in CI, skips elsewhere,
     * without the server.
     */
    public static org.springframework.jdbc.datasource.DriverManagerDataSource freshPostgresSchema(String schema) {
        require("PostgreSQL", POSTGRES_URL, POSTGRES_USER, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        return new org.springframework.jdbc.datasource.DriverManagerDataSource(POSTGRES_URL + "?currentSchema=" + schema, POSTGRES_USER, "");
    }

    /** Connects or gives up (fail in CI, skip elsewhere), then runs the given statements. */
    public static void require(String server, String url, String user, String... statements) {
        DriverManager.setLoginTimeout(5);
        try (Connection c = DriverManager.getConnection(url, user, ""); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            String why = server + " is not reachable at " + url + " (" + e.getMessage() + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + ": this test needs it when CI=true");
            }
            String message = "SKIPPED: " + why + ". This test runs, and must pass, when CI=true.";
            System.out.println("\n*** " + message + "\n");
            Assumptions.abort(message);
        }
    }
}
