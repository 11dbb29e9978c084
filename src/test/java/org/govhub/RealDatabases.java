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
