package org.govhub.operate;

import com.zaxxer.hikari.HikariDataSource;
import org.govhub.RealDatabases;

/**
 * The session tables (V21) on PostgreSQL, the production database, under two nodes' repositories.
 * Needs 127.0.0.1:5432, database test (skipped without it, unless CI=true).
 */
class SessionStoreOnPostgresTest extends SessionStoreTest {

    static final String SCHEMA = "govhub_it_sessions";

    @Override
    void openDatabase(HikariDataSource db) {
        RealDatabases.require("PostgreSQL", RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER,
                "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE", "CREATE SCHEMA " + SCHEMA);
        db.setJdbcUrl(RealDatabases.POSTGRES_URL + "?currentSchema=" + SCHEMA);
        db.setUsername(RealDatabases.POSTGRES_USER);
    }
}
