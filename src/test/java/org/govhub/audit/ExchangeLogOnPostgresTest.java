package org.govhub.audit;

import com.zaxxer.hikari.HikariDataSource;
import org.govhub.RealDatabases;

/**
 * The exchange log's table (V19), appends under concurrent writers, and the verifier's cases on
 * PostgreSQL, the production database. Needs 127.0.0.1:5432, database test (skipped without it, unless CI=true).
 */
class ExchangeLogOnPostgresTest extends ExchangeLogVerifierTest {

    static final String SCHEMA = "govhub_it_exchange_log";

    @Override
    void openDatabase(HikariDataSource db) {
        RealDatabases.require("PostgreSQL", RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER,
                "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE", "CREATE SCHEMA " + SCHEMA);
        db.setJdbcUrl(RealDatabases.POSTGRES_URL + "?currentSchema=" + SCHEMA);
        db.setUsername(RealDatabases.POSTGRES_USER);
    }
}
