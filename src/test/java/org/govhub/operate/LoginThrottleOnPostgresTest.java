package org.govhub.operate;

import com.zaxxer.hikari.HikariDataSource;
import org.govhub.RealDatabases;

/**
 * The throttle's counts (V20) on PostgreSQL, the production database: the same cases, and two nodes'
 * concurrent failures all counted. Needs 127.0.0.1:5432, database test (skipped without it, unless CI=true).
 */
class LoginThrottleOnPostgresTest extends LoginThrottleTest {

    static final String SCHEMA = "govhub_it_login_throttle";

    @Override
    void openDatabase(HikariDataSource db) {
        RealDatabases.require("PostgreSQL", RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER,
                "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE", "CREATE SCHEMA " + SCHEMA);
        db.setJdbcUrl(RealDatabases.POSTGRES_URL + "?currentSchema=" + SCHEMA);
        db.setUsername(RealDatabases.POSTGRES_USER);
    }
}
